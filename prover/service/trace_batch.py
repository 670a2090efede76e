"""Batched Trace-backend sealing for ``fib``: many receipts per numba call.

The Trace seal of fib(n) is ``1 || log2(rows) || keccak256(trace)`` with the
trace serialized row by row as 8-byte big-endian values (see
:mod:`prover.backends.trace`).  Each 8-byte value is one keccak lane, so the
kernel absorbs the Fibonacci values straight into the sponge without ever
materialising the trace: one call builds and hashes every trace of a batch,
over all cores for large batches.  Receipts are byte-identical to
:func:`prover.backends.prove` with the Trace backend (tested).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from numba import njit, prange

from prover.backends.trace import TRACE_SEAL_SIZE, TRACE_SEAL_VERSION
from prover.crypto.keccak import keccak_f
from prover.math import goldilocks as gl
from prover.programs import get_program
from prover.programs.base import MAX_LOG_TRACE_LENGTH, MIN_LOG_TRACE_LENGTH
from prover.receipt import Backend, Journal, Receipt

#: Requests per parallel task, and the batch size below which one thread does everything.
_CHUNK = 512
_PARALLEL_MIN = 2048
_RATE_LANES = 17
_BYTE = np.uint64(0xFF)
_PAD_END = np.uint64(0x80) << np.uint64(56)


@njit(cache=True, inline="always")
def _bswap64(v):
    r = np.uint64(0)
    for k in range(8):
        r = (r << np.uint64(8)) | ((v >> np.uint64(8 * k)) & _BYTE)
    return r


@njit(cache=True)
def _fib_seal_span(ns, seals, outputs, lo, hi):
    """Seal fib(ns[i]) into seals[i] (uint8[34]) and F(ns[i]) into outputs[i] for i in lo .. hi-1."""
    s = np.empty(25, dtype=np.uint64)
    for i in range(lo, hi):
        n = ns[i]
        rows = 1 << MIN_LOG_TRACE_LENGTH
        log_rows = MIN_LOG_TRACE_LENGTH
        while rows < n + 1:
            rows <<= 1
            log_rows += 1
        s[:] = 0
        a = np.uint64(0)
        b = np.uint64(1)
        lane = 0
        for r in range(rows):
            if r == n:
                outputs[i] = a
            s[lane] ^= _bswap64(a)
            lane += 1
            if lane == _RATE_LANES:
                keccak_f(s)
                lane = 0
            s[lane] ^= _bswap64(b)
            lane += 1
            if lane == _RATE_LANES:
                keccak_f(s)
                lane = 0
            a, b = b, gl.add(a, b)
        s[lane] ^= np.uint64(1)
        s[_RATE_LANES - 1] ^= _PAD_END
        keccak_f(s)
        seals[i, 0] = TRACE_SEAL_VERSION
        seals[i, 1] = log_rows
        for k in range(4):
            v = s[k]
            for j in range(8):
                seals[i, 2 + 8 * k + j] = (v >> np.uint64(8 * j)) & _BYTE


@njit(cache=True)
def _fib_seal_serial(ns, seals, outputs):
    _fib_seal_span(ns, seals, outputs, 0, ns.shape[0])


@njit(cache=True, parallel=True)
def _fib_seal_parallel(ns, seals, outputs):
    m = ns.shape[0]
    for c in prange((m + _CHUNK - 1) // _CHUNK):
        _fib_seal_span(ns, seals, outputs, c * _CHUNK, min(m, (c + 1) * _CHUNK))


def fib_trace_seals(ns: np.ndarray, parallel: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """Seals (uint8[m, 34]) and outputs (uint64[m]) for fib(ns[i]); every n must be valid (1 <= n < 2^22)."""
    ns = np.ascontiguousarray(ns, dtype=np.int64)
    seals = np.empty((ns.shape[0], TRACE_SEAL_SIZE), dtype=np.uint8)
    outputs = np.zeros(ns.shape[0], dtype=np.uint64)
    if parallel and ns.shape[0] >= _PARALLEL_MIN:
        _fib_seal_parallel(ns, seals, outputs)
    elif ns.shape[0]:
        _fib_seal_serial(ns, seals, outputs)
    return seals, outputs


def valid_fib_input(n: object) -> bool:
    """True if ``n`` is an acceptable fib input (an int, not a bool, in [1, 2^22))."""
    return type(n) is int and 1 <= n < (1 << MAX_LOG_TRACE_LENGTH)


def prove_fib_trace_batch(ns: Sequence[int], parallel: bool = True) -> list[Receipt]:
    """Trace receipts for fib(n), n in ``ns`` (all valid): the same bytes as one ``prove`` per n."""
    program_id = get_program("fib").program_id
    seals, outputs = fib_trace_seals(np.fromiter(ns, dtype=np.int64, count=len(ns)), parallel)
    blob = seals.tobytes()
    size = TRACE_SEAL_SIZE
    trace = Backend.TRACE
    return [
        Receipt(Journal(program_id, (n,), (out,)), trace, blob[k : k + size])
        for n, out, k in zip(ns, outputs.tolist(), range(0, len(blob), size))
    ]
