"""Errors of the capacity model; all derive from :class:`prover.errors.SuperVMError`."""

from __future__ import annotations

from prover.errors import SuperVMError


class CapacityError(SuperVMError):
    """Raised when a capacity question cannot be answered from the measurements given."""


class MissingMeasurementError(CapacityError):
    """Raised when a figure is asked for a backend or DA mode that has no measured gas (e.g. root-only DA)."""


class InfeasibleBatchError(CapacityError):
    """Raised when a batch cannot be settled under a chain profile (over the EIP-7825 cap or the block)."""
