"""The prover service: batch, parallel (warm worker processes), cached and adaptive proving.

See :class:`ProverService`; the pieces are :mod:`.cache` (LRU receipt cache
with break-even bypass), :mod:`.cost_model` (fitted prove-time model),
:mod:`.pool` (warm worker processes), :mod:`.scheduler` (adaptive plans) and
:mod:`.trace_batch` (batched Trace receipts).
"""

from prover.service.cache import CacheStats, ReceiptCache
from prover.service.cost_model import CostModel, Fit, fit_points
from prover.service.pool import WorkerPool
from prover.service.request import ProveRequest, ProveResult, VerifyResult
from prover.service.scheduler import AdaptiveScheduler, CacheView, Plan, WorkItem
from prover.service.service import ProverService
from prover.service.trace_batch import prove_fib_trace_batch

__all__ = [
    "AdaptiveScheduler",
    "CacheStats",
    "CacheView",
    "CostModel",
    "Fit",
    "Plan",
    "ProveRequest",
    "ProveResult",
    "ProverService",
    "ReceiptCache",
    "VerifyResult",
    "WorkItem",
    "WorkerPool",
    "fit_points",
    "prove_fib_trace_batch",
]
