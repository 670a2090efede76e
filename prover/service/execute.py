"""Run requests where the caller is (the service's process or a pool worker), one error per request."""

from __future__ import annotations

import gc
import threading
import time
from contextlib import contextmanager
from typing import Iterator, Sequence

from prover.backends import prove
from prover.crypto.keccak import GRIND_METER
from prover.errors import ServiceError, SuperVMError
from prover.programs.base import MAX_LOG_TRACE_LENGTH
from prover.receipt import Backend
from prover.service.request import ProveRequest, ProveResult
from prover.service.trace_batch import prove_fib_trace_batch


_gc_lock = threading.Lock()
_gc_pauses = 0
_gc_resume = False


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a batch builds its receipts.

    A batch of 10^5 Trace receipts allocates a few objects per receipt, none of them in a reference
    cycle; the collector would otherwise rescan the growing result list many times over, which halves
    throughput (measured).  Nested and concurrent pauses are counted: the last one out restores it.
    """
    global _gc_pauses, _gc_resume
    with _gc_lock:
        if _gc_pauses == 0:
            _gc_resume = gc.isenabled()
            gc.disable()
        _gc_pauses += 1
    try:
        yield
    finally:
        with _gc_lock:
            _gc_pauses -= 1
            if _gc_pauses == 0 and _gc_resume:
                gc.enable()


def batchable_flags(requests: Sequence[ProveRequest]) -> list[bool]:
    """For each request, True if it can go through the batched fib Trace kernel.

    One comprehension over the whole list: this scan runs once per request of a batch of tiny Trace
    requests, where a function call per request would cost a tenth of the throughput.
    """
    trace, limit = Backend.TRACE, 1 << MAX_LOG_TRACE_LENGTH
    return [
        r.backend == trace and r.program == "fib" and len(r.inputs) == 1 and type(r.inputs[0]) is int and 1 <= r.inputs[0] < limit
        for r in requests
    ]


def batchable(request: ProveRequest) -> bool:
    """True if the request can go through the batched fib Trace kernel."""
    return batchable_flags((request,))[0]


def prove_one(request: ProveRequest) -> ProveResult:
    """Prove one request; a SuperVMError (or any other exception, wrapped) becomes that request's error."""
    actual0, expected0 = GRIND_METER.totals()
    t0 = time.perf_counter()
    try:
        receipt = prove(request.program, request.inputs, request.backend, request.resolved_options(), request.trace_length)
    except SuperVMError as exc:
        return ProveResult(None, exc, time.perf_counter() - t0)
    except Exception as exc:  # noqa: BLE001 - a bug in one request must not sink the batch
        return ProveResult(None, ServiceError(f"{type(exc).__name__}: {exc}"), time.perf_counter() - t0)
    seconds = time.perf_counter() - t0
    actual1, expected1 = GRIND_METER.totals()
    expected = None
    if actual1 != actual0:
        expected = max(0.0, seconds - (actual1 - actual0) + (expected1 - expected0))
    return ProveResult(receipt, None, seconds, expected_seconds=expected)


def iter_prove(requests: Sequence[ProveRequest], parallel_kernels: bool = True) -> Iterator[tuple[int, list[ProveResult]]]:
    """Yield (offset, results) in order: runs of batchable requests as one kernel call, others one by one."""
    i = 0
    n = len(requests)
    flags = batchable_flags(requests)
    while i < n:
        if flags[i]:
            j = i
            while j < n and flags[j]:
                j += 1
            with gc_paused():
                t0 = time.perf_counter()
                receipts = prove_fib_trace_batch([r.inputs[0] for r in requests[i:j]], parallel_kernels)
                each = (time.perf_counter() - t0) / (j - i)
                results = [ProveResult(receipt, None, each) for receipt in receipts]
            yield i, results
            i = j
        else:
            yield i, [prove_one(requests[i])]
            i += 1


def prove_many(requests: Sequence[ProveRequest], parallel_kernels: bool = True) -> list[ProveResult]:
    """All results of :func:`iter_prove`, in request order."""
    out: list[ProveResult] = []
    for _, results in iter_prove(requests, parallel_kernels):
        out.extend(results)
    return out


def warm(parallel_kernels: bool = True) -> None:
    """Load every numba kernel a request can reach (from numba's on-disk cache after the first run)."""
    from prover.stark.params import preset

    prove("fib", (7,), Backend.STARK, preset("default"))
    prove("fib", (7,), Backend.TRACE)
    prove_fib_trace_batch([7], parallel=False)
    if parallel_kernels:
        prove_fib_trace_batch([7] * 4096, parallel=True)
