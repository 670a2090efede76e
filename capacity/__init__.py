"""Gas and block capacity: throughput a chain profile allows, derived from measured L1 gas."""

from capacity.errors import CapacityError, InfeasibleBatchError, MissingMeasurementError
from capacity.model import (
    BLOB_PROFILE,
    PROFILES,
    BlobProfile,
    Capacity,
    CapacityModel,
    ChainProfile,
    GasCurve,
    GasPoint,
    TargetResult,
    best_capacity,
    capacity,
    smallest_batch_for,
    time_bound_per_block,
    verifications_per_block,
)

__all__ = [
    "BLOB_PROFILE",
    "PROFILES",
    "BlobProfile",
    "Capacity",
    "CapacityError",
    "CapacityModel",
    "ChainProfile",
    "GasCurve",
    "GasPoint",
    "InfeasibleBatchError",
    "MissingMeasurementError",
    "TargetResult",
    "best_capacity",
    "capacity",
    "smallest_batch_for",
    "time_bound_per_block",
    "verifications_per_block",
]
