"""Adaptive scheduler: sequential or parallel, chunk size, cache or not, from a fitted cost model.

A workload is a list of :class:`WorkItem` (backend, program, rows, count,
batchable).  The scheduler predicts the sequential time (in the service's
process; batchable Trace requests at their batched per-request cost) and the
parallel time on the pool (work spread over the workers, plus measured
dispatch and transfer overheads, never below the largest single request),
and picks the cheaper.  The cache is consulted when the measured hit rate is
at or above the break-even rate for the predicted mean prove cost.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import NamedTuple, Sequence

from prover.service.cost_model import CostModel

#: Prediction used when the model knows nothing about a key (seconds).
UNKNOWN_COST_S = 1e-3

#: Plans remembered before the memo is cleared.
MEMO_SIZE = 256

#: Predictions within this factor of each other are a close call: the other strategy is tried once (one run of
#: a workload at worst twice as slow, against every later run at the faster measured strategy).
CLOSE_CALL = 2.0

#: A run that strays from its prediction by more than this fraction also has the other strategy tried once.
MISPREDICTED = 0.25

#: Weight of a new run in a strategy's measured time for a workload (exponential moving average).
RUN_WEIGHT = 0.3

#: A strategy that measured slower, but within this factor of the faster, is run again up to RETRIES runs in
#: all, at most once every RETRY_EVERY runs of the workload: one unlucky run does not rule it out for good.
RETRY_WITHIN = 1.5
RETRIES = 3
RETRY_EVERY = 3

#: Modes consulted, in order, when predicting the cost of a request in a given mode.
_FALLBACK = {
    "local": ("local", "worker", "batch"),
    "worker": ("worker", "local", "batch"),
    "batch": ("batch", "local", "worker"),
    "worker-batch": ("worker-batch", "batch", "worker", "local"),
}


class WorkItem(NamedTuple):
    """``count`` requests of ``rows`` trace rows for (backend, program); a tuple, so hashing is cheap."""

    backend: str
    program: str
    rows: int
    count: int = 1
    batchable: bool = False


class CacheView(NamedTuple):
    """What the scheduler knows about the cache: measured hit rate and costs; ``known`` False before enough samples."""

    hit_rate: float
    lookup_s: float
    insert_s: float
    known: bool = True

    def rounded(self) -> tuple:
        """The view with the hit rate to 1 % and costs to 0.1 us: plans made under views that round
        alike are interchangeable."""
        return (round(self.hit_rate * 100), round(self.lookup_s * 1e7), round(self.insert_s * 1e7), self.known)

    def break_even(self, prove_s: float) -> float:
        """Hit rate above which the cache saves time for requests costing ``prove_s``."""
        return min(1.0, (self.lookup_s + self.insert_s) / max(prove_s + self.insert_s, 1e-12))


@dataclass(frozen=True)
class Plan:
    """A scheduling decision and the predictions behind it."""

    strategy: str  # "sequential" or "parallel"
    chunk_size: int
    use_cache: bool
    sequential_s: float
    parallel_s: float
    mean_cost_s: float
    reason: str
    #: The workload and cache decision the plan was made for: what measured runs are filed under.
    key: tuple = field(default=(), repr=False, compare=False)


class AdaptiveScheduler:
    """Chooses a :class:`Plan` for a workload from a :class:`CostModel` and measured overheads."""

    def __init__(
        self,
        model: CostModel,
        workers: int,
        dispatch_s: float = 3e-4,
        transfer_s: float = 2e-5,
        target_chunk_overhead: float = 0.05,
        balance: int = 2,
    ) -> None:
        self.model = model
        self.workers = max(1, workers)
        #: Measured round trip of one chunk to a worker (pipe, pickling, wake-up).
        self.dispatch_s = dispatch_s
        #: Measured per-request transfer cost (request out, receipt back).
        self.transfer_s = transfer_s
        #: Largest fraction of a chunk's time that dispatch overhead may take.
        self.target_chunk_overhead = target_chunk_overhead
        #: At least this many chunks per worker when there is enough work, for load balance.
        self.balance = balance
        self._memo: dict[tuple, Plan] = {}
        #: Measured seconds per strategy for each (workload, cache decision) run before.
        #: Per (workload, cache decision): "calls" (runs filed) and, per strategy, (moving average of its
        #: measured seconds, its runs, the call number of its last run).
        self._runs: dict[tuple, dict] = {}

    def cost(self, item: WorkItem, mode: str) -> float:
        """Predicted seconds for one request of ``item`` in ``mode`` (local, worker, batch or worker-batch), with fallbacks."""
        for m in _FALLBACK[mode]:
            value = self.model.predict(item.backend, item.program, item.rows, m)
            if value is not None:
                return value
        return UNKNOWN_COST_S

    def plan(self, workload: Sequence[WorkItem], cache: CacheView | None = None, pool_available: bool = True) -> Plan:
        """The cheaper of sequential and parallel for ``workload``.

        Plans are remembered per (workload, cache view, overheads, model version): planning runs before
        every adaptive call, and for workloads of tiny requests its cost would otherwise show.
        """
        version = self.model.refresh()
        key = (
            tuple(workload),
            cache.rounded() if cache is not None else None,
            pool_available,
            self.dispatch_s,
            self.transfer_s,
            self.workers,
            version,
        )
        plan = self._memo.get(key)
        if plan is None:
            if len(self._memo) >= MEMO_SIZE:
                self._memo.clear()
            plan = self._plan(workload, cache, pool_available)
            plan = self._memo[key] = replace(plan, key=(key[0], plan.use_cache, pool_available))
        runs = self._runs.get(plan.key)
        return plan if runs is None else self._settle(plan, runs)

    def record(self, plan: Plan, seconds: float) -> None:
        """File the measured time of a run made under ``plan``: later plans for the same workload use it."""
        if not plan.key:
            return
        runs = self._runs.get(plan.key)
        if runs is None:
            if len(self._runs) >= MEMO_SIZE:
                self._runs.clear()
            runs = self._runs[plan.key] = {}
        calls = runs.get("calls", 0) + 1
        runs["calls"] = calls
        old = runs.get(plan.strategy)
        if old is None:
            runs[plan.strategy] = (seconds, 1, calls)
        else:
            runs[plan.strategy] = ((1.0 - RUN_WEIGHT) * old[0] + RUN_WEIGHT * seconds, old[1] + 1, calls)

    def _settle(self, plan: Plan, runs: dict) -> Plan:
        """The plan once measured runs of this workload exist.

        The model predicts expected costs; a given workload can stray from them (one proof-of-work draw
        repeated, a batch whose steps are far below its padded rows), and near a break-even point that
        flips the choice.  So a close call, or a run that strayed from its prediction, has the other
        strategy tried; once both have run, the faster measured one is kept.  One run is one draw of a
        noisy machine, so a loser that measured within RETRY_WITHIN of the winner is tried again, every
        RETRY_EVERY runs, until it has RETRIES runs behind its average.
        """
        other = "sequential" if plan.strategy == "parallel" else "parallel"
        if other == "parallel" and not plan.key[2]:
            return plan
        mine, theirs = runs.get(plan.strategy), runs.get(other)
        if theirs is None:
            if mine is None:
                return plan
            predicted = {"sequential": plan.sequential_s, "parallel": plan.parallel_s}
            close = predicted[other] <= CLOSE_CALL * predicted[plan.strategy]
            strayed = abs(mine[0] - predicted[plan.strategy]) > MISPREDICTED * max(predicted[plan.strategy], 1e-12)
            if close or strayed:
                return replace(plan, strategy=other, reason=f"trying {other}: {'close call' if close else 'prediction missed'}")
            return plan
        if mine is None:
            return replace(plan, strategy=other, reason=f"{other} measured on this workload")
        (fast, fast_run), (slow, slow_run) = sorted([(plan.strategy, mine), (other, theirs)], key=lambda item: item[1][0])
        if slow_run[1] < RETRIES and runs["calls"] - slow_run[2] >= RETRY_EVERY and slow_run[0] <= RETRY_WITHIN * fast_run[0]:
            return replace(plan, strategy=slow, reason=f"trying {slow} again: within {RETRY_WITHIN}x of {fast}")
        if fast == plan.strategy:
            return plan
        return replace(plan, strategy=fast, reason=f"{fast} measured faster on this workload")

    def _plan(self, workload: Sequence[WorkItem], cache: CacheView | None, pool_available: bool) -> Plan:
        n = sum(item.count for item in workload)
        if n == 0:
            return Plan("sequential", 1, False, 0.0, 0.0, 0.0, "empty workload")
        local = [self.cost(i, "batch" if i.batchable else "local") for i in workload]
        worker = [self.cost(i, "worker-batch" if i.batchable else "worker") for i in workload]
        mean_local = sum(c * i.count for c, i in zip(local, workload)) / n
        use_cache = False
        miss = 1.0
        lookup = 0.0
        if cache is not None:
            use_cache = (not cache.known) or cache.hit_rate >= cache.break_even(mean_local)
            if use_cache and cache.known:
                miss = 1.0 - cache.hit_rate
                lookup = cache.lookup_s + miss * cache.insert_s
        sequential = n * lookup + miss * sum(c * i.count for c, i in zip(local, workload))
        work = miss * sum(c * i.count for c, i in zip(worker, workload))
        mean_worker = work / max(1.0, miss * n)
        chunk = self.chunk_size(mean_worker, max(1, round(miss * n)))
        chunks = math.ceil(miss * n / chunk)
        largest = max(worker) if miss > 0 else 0.0
        # Greedy dispatch ends with one worker still inside its last chunk when the others run dry.  With
        # chunk times of mean mu and variance s^2, the expected residual of the chunk in progress is
        # (mu^2 + s^2) / (2 mu) (the inspection paradox); m - 1 of the m workers idle through it.  s is the
        # measured spread of one proof (mostly its proof-of-work search), so a handful of STARK proofs
        # split over the workers is charged for the luck of the draw.
        per_chunk = min(chunk, max(1.0, miss * n))
        spread = sum((self.model.spread(i.backend, i.program, "worker") or 0.0) * i.count for i in workload) / n
        mu = per_chunk * mean_worker
        tail = (1.0 - 1.0 / self.workers) * (mu * mu + per_chunk * spread * spread) / (2.0 * mu) if mu > 0 else 0.0
        parallel = (
            n * lookup + max(work / self.workers + tail, largest) + (chunks * self.dispatch_s) / self.workers + miss * n * self.transfer_s
        )
        if pool_available and parallel < sequential:
            return Plan("parallel", chunk, use_cache, sequential, parallel, mean_local, "parallel predicted faster")
        reason = "no pool" if not pool_available else "sequential predicted faster"
        return Plan("sequential", chunk, use_cache, sequential, parallel, mean_local, reason)

    def chunk_size(self, mean_cost_s: float, n: int) -> int:
        """Requests per chunk: enough that dispatch is a small fraction, few enough to balance the workers."""
        amortise = math.ceil(self.dispatch_s / (self.target_chunk_overhead * max(mean_cost_s, 1e-9)))
        balanced = max(1, math.ceil(n / (self.workers * self.balance)))
        return max(1, min(amortise, balanced))
