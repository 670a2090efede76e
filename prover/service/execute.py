"""Run requests where the caller is (the service's process or a pool worker), one error per request."""

from __future__ import annotations

import time
from typing import Iterator, Sequence

from prover.backends import prove
from prover.errors import ServiceError, SuperVMError
from prover.receipt import Backend
from prover.service.request import ProveRequest, ProveResult
from prover.service.trace_batch import prove_fib_trace_batch, valid_fib_input


def batchable(request: ProveRequest) -> bool:
    """True if the request can go through the batched fib Trace kernel."""
    return (
        request.backend == Backend.TRACE
        and request.program == "fib"
        and len(request.inputs) == 1
        and valid_fib_input(request.inputs[0])
    )


def prove_one(request: ProveRequest) -> ProveResult:
    """Prove one request; a SuperVMError (or any other exception, wrapped) becomes that request's error."""
    t0 = time.perf_counter()
    try:
        receipt = prove(request.program, request.inputs, request.backend, request.resolved_options(), request.trace_length)
    except SuperVMError as exc:
        return ProveResult(None, exc, time.perf_counter() - t0)
    except Exception as exc:  # noqa: BLE001 - a bug in one request must not sink the batch
        return ProveResult(None, ServiceError(f"{type(exc).__name__}: {exc}"), time.perf_counter() - t0)
    return ProveResult(receipt, None, time.perf_counter() - t0)


def iter_prove(requests: Sequence[ProveRequest], parallel_kernels: bool = True) -> Iterator[tuple[int, list[ProveResult]]]:
    """Yield (offset, results) in order: runs of batchable requests as one kernel call, others one by one."""
    i = 0
    n = len(requests)
    while i < n:
        if batchable(requests[i]):
            j = i
            while j < n and batchable(requests[j]):
                j += 1
            t0 = time.perf_counter()
            receipts = prove_fib_trace_batch([r.inputs[0] for r in requests[i:j]], parallel_kernels)
            each = (time.perf_counter() - t0) / (j - i)
            yield i, [ProveResult(receipt, None, each) for receipt in receipts]
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
