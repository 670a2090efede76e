"""The prover service: sequential, batched, parallel, cached and adaptive proving behind one object."""

from __future__ import annotations

import statistics
import threading
import time
from collections import Counter
from dataclasses import replace
from operator import attrgetter
from typing import Callable, Sequence

from prover.backends import verify
from prover.errors import ServiceError, SuperVMError
from prover.receipt import Backend, Receipt
from prover.service.cache import ReceiptCache
from prover.service.cost_model import CostModel
from prover.service.execute import batchable, prove_many
from prover.service.pool import WorkerPool, default_workers
from prover.service.request import ProveRequest, ProveResult, VerifyResult
from prover.service.scheduler import AdaptiveScheduler, CacheView, Plan, WorkItem
from prover.service.trace_batch import fib_trace_seals, valid_fib_input

Runner = Callable[[list[ProveRequest]], list[ProveResult]]

#: Requests sampled per (backend, program) group to estimate a workload.
SAMPLE = 8

_NAMES = {backend: backend.name.lower() for backend in Backend}
_PROGRAM = attrgetter("program")
_BACKEND = attrgetter("backend")


def _rows_of(request: ProveRequest) -> int:
    return _classify(request)[0]


def _step_rows(steps: int) -> int:
    """``steps`` rounded up to 4 significant bits (at most 12.5 % up, at least 8): the batched Trace kernel
    costs what it executes, not a padded power of two, and the rounding keeps the model's sizes few."""
    grain = 1 << max(0, steps.bit_length() - 4)
    return max(8, -(-steps // grain) * grain)


def _classify(request: ProveRequest) -> tuple[int, bool]:
    """(trace rows, batchable), remembered on the (immutable) request; the batchable test is
    :func:`batchable`'s, inlined because planning runs before every adaptive call."""
    info = request.__dict__.get("_plan_info")
    if info is None:
        n = request.inputs[0] if len(request.inputs) == 1 else None
        if request.backend is Backend.TRACE and request.program == "fib" and valid_fib_input(n):
            info = (_step_rows(n + 1), True)
        else:
            info = (request.trace_rows(), False)
        request.__dict__["_plan_info"] = info  # frozen dataclass: plain attribute assignment is refused
    return info


class ProverService:
    """Proves requests in-process or on a warm worker pool, with an LRU receipt cache and an adaptive scheduler.

    ``cache=None`` gives a default :class:`ReceiptCache`; ``cache=False`` disables caching.
    The pool starts on :meth:`start_pool` (or the first :meth:`prove_parallel`).
    """

    def __init__(
        self,
        workers: int | None = None,
        cache: ReceiptCache | bool | None = None,
        model: CostModel | None = None,
        scheduler: AdaptiveScheduler | None = None,
        pool: WorkerPool | None = None,
    ) -> None:
        self.workers = (pool.size if pool is not None else workers) or default_workers()
        self.cache: ReceiptCache | None = (
            cache if isinstance(cache, ReceiptCache) else ReceiptCache() if cache is None or cache is True else None
        )
        self.model = model or CostModel()
        self.scheduler = scheduler or AdaptiveScheduler(self.model, self.workers)
        self.pool: WorkerPool | None = pool
        self._owns_pool = pool is None
        self.last_plan: Plan | None = None
        #: (first request, last request, count, workload) of the last workload scanned; the requests are held,
        #: so their identities cannot be reused by other objects while remembered.
        self._last_workload: tuple | None = None
        self._local_lock = threading.Lock()

    # -- lifecycle -------------------------------------------------------------
    def start_pool(self) -> WorkerPool:
        """Start (once) the warm worker pool and measure its dispatch and transfer overheads."""
        if self.pool is None:
            self.pool = WorkerPool(self.workers).start()
            self._owns_pool = True
            self.measure_pool_overheads()
        return self.pool

    def measure_pool_overheads(self) -> None:
        """Time chunk round trips and per-request transfer on the pool; the scheduler uses both."""
        if self.pool is not None:
            probe = [ProveRequest.make("fib", (7,), Backend.TRACE)]
            times = []
            for _ in range(15):
                t0 = time.perf_counter()
                self.pool.map(probe)
                times.append(time.perf_counter() - t0)
            self.scheduler.dispatch_s = statistics.median(times)
            many = probe * 2000
            t0 = time.perf_counter()
            self.pool.map(many, chunk_size=len(many))
            self.scheduler.transfer_s = max(0.0, time.perf_counter() - t0 - self.scheduler.dispatch_s) / len(many)

    def close(self) -> None:
        """Stop the pool, if any."""
        if self.pool is not None and self._owns_pool:
            self.pool.close()
        self.pool = None

    def __enter__(self) -> "ProverService":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- proving ---------------------------------------------------------------
    def prove(self, request: ProveRequest) -> ProveResult:
        """One request, scheduled adaptively; while another caller proves in-process, it goes to an idle pool."""
        if self.pool is not None and self._local_lock.locked():
            pool = self.pool
            return self._run([request], lambda todo: self._run_pool(pool, todo, 1), None)[0]
        return self.prove_adaptive([request])[0]

    def prove_batch(self, requests: Sequence[ProveRequest], use_cache: bool | None = None) -> list[ProveResult]:
        """Prove in this process, in order; batchable Trace requests go through the batched kernel.

        ``use_cache``: None lets the cache decide (break-even bypass), True forces it, False skips it.
        """
        return self._run(list(requests), self._run_local, use_cache)

    def prove_parallel(
        self, requests: Sequence[ProveRequest], chunk_size: int | None = None, use_cache: bool | None = None
    ) -> list[ProveResult]:
        """Prove on the worker pool (started if needed) in chunks (chosen by the scheduler if None)."""
        pool = self.start_pool()
        requests = list(requests)
        if chunk_size is None:
            plan = self.scheduler.plan(self._workload(requests), None, True)
            chunk_size = plan.chunk_size
        return self._run(requests, lambda todo: self._run_pool(pool, todo, chunk_size), use_cache)

    def prove_adaptive(self, requests: Sequence[ProveRequest]) -> list[ProveResult]:
        """Let the scheduler choose sequential or parallel, the chunk size and whether to consult the cache."""
        requests = list(requests)
        plan = self.plan(requests)
        self.last_plan = plan
        t0 = time.perf_counter()
        results = self._run_plan(plan, requests)
        self.scheduler.record(plan, time.perf_counter() - t0)
        return results

    def _run_plan(self, plan: Plan, requests: list[ProveRequest]) -> list[ProveResult]:
        use_cache = True if plan.use_cache else None  # None: bypassed, with the cache's periodic probes
        if plan.strategy == "parallel" and self.pool is not None:
            pool = self.pool

            def runner(todo: list[ProveRequest]) -> list[ProveResult]:
                if len(todo) == len(requests):
                    return self._run_pool(pool, todo, plan.chunk_size)
                # the cache served some: plan what is left (a handful of proofs may not pay for the pool,
                # and chunks sized for the whole workload would put them all on one worker)
                again = self.scheduler.plan(self._workload(todo), None, True)
                self.last_plan = replace(again, use_cache=plan.use_cache)
                if again.strategy == "parallel":
                    return self._run_pool(pool, todo, again.chunk_size)
                return self._run_local(todo)

            return self._run(requests, runner, use_cache, plan.mean_cost_s)
        return self._run(requests, self._run_local, use_cache, plan.mean_cost_s)

    def plan(self, requests: Sequence[ProveRequest]) -> Plan:
        """The scheduler's plan for ``requests`` given the current model, cache measurements and pool."""
        view = None
        if self.cache is not None:
            hit_rate, lookups = self.cache.recent()
            lookup_s = self.cache.lookup_s
            view = CacheView(hit_rate, lookup_s, self.cache.insert_s, lookups >= self.cache.min_samples and lookup_s > 0)
        return self.scheduler.plan(self._workload(requests), view, self.pool is not None)

    def verify_batch(self, receipts: Sequence[Receipt], allow_insecure: bool = False) -> list[VerifyResult]:
        """Verify each receipt; fib Trace receipts are re-executed in one batched kernel call."""
        out: list[VerifyResult | None] = [None] * len(receipts)
        fib_trace: list[int] = []
        if allow_insecure:
            from prover.programs import get_program

            fib_id = get_program("fib").program_id
            for i, r in enumerate(receipts):
                j = r.journal
                if r.backend == Backend.TRACE and j.program_id == fib_id and len(j.inputs) == 1 and 1 <= j.inputs[0] < 1 << 22:
                    fib_trace.append(i)
            if fib_trace:
                seals, outputs = fib_trace_seals([receipts[i].journal.inputs[0] for i in fib_trace])
                for k, i in enumerate(fib_trace):
                    r = receipts[i]
                    good = r.seal == seals[k].tobytes() and r.journal.outputs == (int(outputs[k]),)
                    out[i] = VerifyResult(True) if good else None  # a mismatch is re-checked below for its exact error
        for i, r in enumerate(receipts):
            if out[i] is not None:
                continue
            try:
                info = verify(r, allow_insecure=allow_insecure)
                out[i] = VerifyResult(True, None, info.security_bits)
            except SuperVMError as exc:
                out[i] = VerifyResult(False, exc)
        return out  # type: ignore[return-value]

    # -- calibration -------------------------------------------------------------
    def calibrate(self, program: str, backend: Backend | str, log_sizes: Sequence[int], reps: int = 3, options=None) -> None:
        """Measure prove times locally (and on one worker if the pool runs) at each size and feed the model."""
        from prover.bench import inputs_for

        backend = Backend.parse(backend)
        for log_rows in log_sizes:
            inputs, trace_length = inputs_for(program, log_rows)
            request = ProveRequest.make(program, inputs, backend, options, trace_length)
            self._run([request] * reps, self._run_local, False)
            if batchable(request):
                self._run([request] * max(reps, 4096), self._run_local, False)
            if self.pool is not None:
                self._run([request] * reps, lambda todo: self._run_pool(self.pool, todo, 1), False)

    # -- internals ---------------------------------------------------------------
    def _workload(self, requests: Sequence[ProveRequest]) -> list[WorkItem]:
        """Requests grouped by (backend, program); rows and batchability read from at most SAMPLE per group.

        Planning runs before every adaptive call, so a workload of one group is recognised at C speed and
        only the sample is classified: the cost stays a few microseconds for workloads of tiny requests.  A
        request list that starts and ends with the same request objects, at the same length, as the last one
        is taken to be the same workload (the plan is an estimate either way).
        """
        total = len(requests)
        if not total:
            return []
        last = self._last_workload  # the same requests planned again (a caller repeating its batch): no rescan
        if last is not None and last[0] is requests[0] and last[1] is requests[-1] and last[2] == total:
            return last[3]
        workload = self._scan_workload(requests)
        self._last_workload = (requests[0], requests[-1], total, workload)
        return workload

    def _scan_workload(self, requests: Sequence[ProveRequest]) -> list[WorkItem]:
        total = len(requests)
        if len(set(map(_PROGRAM, requests))) == 1 and len(set(map(_BACKEND, requests))) == 1:  # common case, C speed
            first = requests[0]
            shapes = [_classify(r) for r in requests[:: max(1, total // SAMPLE)][:SAMPLE]]
            if shapes.count(shapes[0]) == len(shapes):
                rows, is_batch = shapes[0]
                return [WorkItem(_NAMES[first.backend], first.program, rows, total, is_batch)]
            if all(is_batch for _, is_batch in shapes):  # the batched kernel costs its steps: their mean stands for all
                rows = _step_rows(sum(r for r, _ in shapes) // len(shapes))
                return [WorkItem(_NAMES[first.backend], first.program, rows, total, True)]
            groups: dict[tuple, Sequence[ProveRequest]] = {(first.backend, first.program): requests}
        else:
            groups = {}
            for r in requests:
                groups.setdefault((r.backend, r.program), []).append(r)
        out: list[WorkItem] = []
        for (backend, program), members in groups.items():
            total = len(members)
            sample = members[:: max(1, total // SAMPLE)][:SAMPLE]
            shapes = list(Counter(map(_classify, sample)).items())
            given = 0
            for k, ((rows, is_batch), seen) in enumerate(shapes):
                count = total - given if k == len(shapes) - 1 else total * seen // len(sample)
                given += count
                out.append(WorkItem(_NAMES[backend], program, rows, count, is_batch))
        return out

    def _run_local(self, todo: list[ProveRequest]) -> list[ProveResult]:
        with self._local_lock:  # numba kernels already use every core; concurrent callers queue
            results = prove_many(todo)
        self._observe(todo, results, "local")
        return results

    def _run_pool(self, pool: WorkerPool, todo: list[ProveRequest], chunk_size: int) -> list[ProveResult]:
        results = pool.map(todo, chunk_size)
        self._observe(todo, results, "worker")
        return results

    def _observe(self, todo: list[ProveRequest], results: list[ProveResult], mode: str) -> None:
        batch_total: dict[tuple, list] = {}
        step = max(1, len(todo) // 256)
        for k in range(0, len(todo), step):
            request, result = todo[k], results[k]
            if not result.ok or result.cached:
                continue
            if batchable(request):
                acc = batch_total.setdefault((request.backend, request.program), [0.0, 0, 0])
                acc[0] += result.seconds
                acc[1] += 1
                acc[2] += _rows_of(request)
            else:
                seconds = result.model_seconds
                deviation = None if result.expected_seconds is None else result.seconds - seconds
                self.model.observe(request.backend, request.program, _rows_of(request), seconds, mode, seconds * step, deviation)
        batch_mode = "batch" if mode == "local" else "worker-batch"
        for (backend, program), (seconds, count, rows) in batch_total.items():
            self.model.observe(backend, program, rows // count, seconds / count, batch_mode, seconds * step)

    def _run(
        self, requests: list[ProveRequest], runner: Runner, use_cache: bool | None, prove_s: float | None = None
    ) -> list[ProveResult]:
        cache = self.cache
        if cache is None or use_cache is False:
            return runner(requests)
        n = len(requests)
        if use_cache is None:
            if prove_s is None:
                prove_s = self.plan(requests[:SAMPLE]).mean_cost_s if n else 0.0
            mask = cache.consult_mask(n, prove_s)
        else:
            mask = [True] * n
        results: list[ProveResult | None] = [None] * n
        keys: list[bytes | None] = [None] * n
        first: dict[bytes, int] = {}
        duplicates: dict[int, int] = {}
        todo: list[int] = []
        t0 = time.perf_counter()
        looked = 0
        for i, request in enumerate(requests):
            if not mask[i]:
                todo.append(i)
                continue
            key = request.cache_key()
            if key is None:
                todo.append(i)
                continue
            looked += 1
            if key in first:  # same request earlier in this batch: served from its result
                cache.note_hit()
                duplicates[i] = first[key]
                continue
            hit = cache.get(key)
            if hit is not None:
                results[i] = ProveResult(hit, None, 0.0, True)
                continue
            first[key] = i
            keys[i] = key
            todo.append(i)
        lookup_total = time.perf_counter() - t0
        proved = runner([requests[i] for i in todo]) if todo else []
        t1 = time.perf_counter()
        inserted = 0
        for i, result in zip(todo, proved):
            results[i] = result
            if result.ok and keys[i] is not None:
                cache.put(keys[i], result.receipt)
                inserted += 1
        insert_total = time.perf_counter() - t1
        if looked:
            cache.record_costs(lookup_total / looked, insert_total / inserted if inserted else cache.insert_s)
        for i, j in duplicates.items():
            source = results[j]
            results[i] = ProveResult(source.receipt, None, 0.0, True) if source.ok else source
        if any(r is None for r in results):  # pragma: no cover - defensive
            raise ServiceError("internal error: a request produced no result")
        return results  # type: ignore[return-value]
