"""Ethereum keccak256 (Keccak-f[1600], rate 136, padding 0x01 ... 0x80) in numba.

This is *not* NIST SHA3-256, which pads with 0x06; hashlib's sha3_256 gives
other digests.  The EVM verifier recomputes every hash with its KECCAK256
opcode, so the prover must use exactly this function.

The batch kernels (Merkle leaves, node pairs, proof-of-work nonces) run four
independent sponges side by side: the state is stored lane-major, four
messages per lane, so LLVM turns each round into 256-bit vector operations
(AVX2 where the CPU has it): about twice the throughput of one scalar
sponge per core.  Rows are split over threads with ``prange``; small batches
stay on one thread.  ``keccak_f`` is the same round on one uint64[25] state.
Scalar calls from plain Python use pycryptodome, the reference these kernels
are tested against.
"""

from __future__ import annotations

import sys
import threading
import time

import numpy as np
from Crypto.Hash import keccak as _reference
from numba import njit, prange

if sys.byteorder != "little":  # pragma: no cover - digests are read from lanes as little-endian bytes
    raise ImportError("prover.crypto.keccak needs a little-endian machine")

RATE = 136
#: Messages one permutation call processes side by side.
WAYS = 4
_RATE_LANES = RATE // 8
#: Rows per parallel task, and the batch size below which one thread hashes
#: everything: waking worker threads costs more than a small batch, and up to
#: milliseconds when the cores are busy elsewhere.
_CHUNK = 1024
_PARALLEL_MIN = 2048

_RC = np.array(
    [
        0x0000000000000001, 0x0000000000008082, 0x800000000000808A, 0x8000000080008000,
        0x000000000000808B, 0x0000000080000001, 0x8000000080008081, 0x8000000000008009,
        0x000000000000008A, 0x0000000000000088, 0x0000000080008009, 0x000000008000000A,
        0x000000008000808B, 0x800000000000008B, 0x8000000000008089, 0x8000000000008003,
        0x8000000000008002, 0x8000000000000080, 0x000000000000800A, 0x800000008000000A,
        0x8000000080008081, 0x8000000000008080, 0x0000000080000001, 0x8000000080008008,
    ],
    dtype=np.uint64,
)
_SIXTY_FOUR = np.uint64(64)
_ONE = np.uint64(1)
_BYTE = np.uint64(0xFF)
_PAD_END = np.uint64(0x80) << np.uint64(56)
_NOT_FOUND = np.uint64(0xFFFFFFFFFFFFFFFF)
_R1 = np.uint64(1)
_R2 = np.uint64(2)
_R3 = np.uint64(3)
_R6 = np.uint64(6)
_R8 = np.uint64(8)
_R10 = np.uint64(10)
_R14 = np.uint64(14)
_R15 = np.uint64(15)
_R18 = np.uint64(18)
_R20 = np.uint64(20)
_R21 = np.uint64(21)
_R25 = np.uint64(25)
_R27 = np.uint64(27)
_R28 = np.uint64(28)
_R36 = np.uint64(36)
_R39 = np.uint64(39)
_R41 = np.uint64(41)
_R43 = np.uint64(43)
_R44 = np.uint64(44)
_R45 = np.uint64(45)
_R55 = np.uint64(55)
_R56 = np.uint64(56)
_R61 = np.uint64(61)
_R62 = np.uint64(62)


def keccak256(data: bytes) -> bytes:
    """keccak256 of a byte string (scalar, via the pycryptodome reference)."""
    return _reference.new(digest_bits=256, data=bytes(data)).digest()


@njit(cache=True, inline="always")
def _rotl(x, n):
    return (x << n) | (x >> (_SIXTY_FOUR - n))


@njit(cache=True, inline="always")
def _round(s, j, w, rc):
    """One Keccak-f round on the state whose lane k is s[w*k + j] (w = 1 scalar, w = WAYS interleaved)."""
    a0, a1, a2, a3, a4 = s[j], s[w + j], s[2 * w + j], s[3 * w + j], s[4 * w + j]
    a5, a6, a7, a8, a9 = s[5 * w + j], s[6 * w + j], s[7 * w + j], s[8 * w + j], s[9 * w + j]
    a10, a11, a12, a13, a14 = s[10 * w + j], s[11 * w + j], s[12 * w + j], s[13 * w + j], s[14 * w + j]
    a15, a16, a17, a18, a19 = s[15 * w + j], s[16 * w + j], s[17 * w + j], s[18 * w + j], s[19 * w + j]
    a20, a21, a22, a23, a24 = s[20 * w + j], s[21 * w + j], s[22 * w + j], s[23 * w + j], s[24 * w + j]
    c0 = a0 ^ a5 ^ a10 ^ a15 ^ a20
    c1 = a1 ^ a6 ^ a11 ^ a16 ^ a21
    c2 = a2 ^ a7 ^ a12 ^ a17 ^ a22
    c3 = a3 ^ a8 ^ a13 ^ a18 ^ a23
    c4 = a4 ^ a9 ^ a14 ^ a19 ^ a24
    d0 = c4 ^ _rotl(c1, _R1)
    d1 = c0 ^ _rotl(c2, _R1)
    d2 = c1 ^ _rotl(c3, _R1)
    d3 = c2 ^ _rotl(c4, _R1)
    d4 = c3 ^ _rotl(c0, _R1)
    b0 = a0 ^ d0
    b1 = _rotl(a6 ^ d1, _R44)
    b2 = _rotl(a12 ^ d2, _R43)
    b3 = _rotl(a18 ^ d3, _R21)
    b4 = _rotl(a24 ^ d4, _R14)
    b5 = _rotl(a3 ^ d3, _R28)
    b6 = _rotl(a9 ^ d4, _R20)
    b7 = _rotl(a10 ^ d0, _R3)
    b8 = _rotl(a16 ^ d1, _R45)
    b9 = _rotl(a22 ^ d2, _R61)
    b10 = _rotl(a1 ^ d1, _R1)
    b11 = _rotl(a7 ^ d2, _R6)
    b12 = _rotl(a13 ^ d3, _R25)
    b13 = _rotl(a19 ^ d4, _R8)
    b14 = _rotl(a20 ^ d0, _R18)
    b15 = _rotl(a4 ^ d4, _R27)
    b16 = _rotl(a5 ^ d0, _R36)
    b17 = _rotl(a11 ^ d1, _R10)
    b18 = _rotl(a17 ^ d2, _R15)
    b19 = _rotl(a23 ^ d3, _R56)
    b20 = _rotl(a2 ^ d2, _R62)
    b21 = _rotl(a8 ^ d3, _R55)
    b22 = _rotl(a14 ^ d4, _R39)
    b23 = _rotl(a15 ^ d0, _R41)
    b24 = _rotl(a21 ^ d1, _R2)
    s[j] = b0 ^ (~b1 & b2) ^ rc
    s[w + j] = b1 ^ (~b2 & b3)
    s[2 * w + j] = b2 ^ (~b3 & b4)
    s[3 * w + j] = b3 ^ (~b4 & b0)
    s[4 * w + j] = b4 ^ (~b0 & b1)
    s[5 * w + j] = b5 ^ (~b6 & b7)
    s[6 * w + j] = b6 ^ (~b7 & b8)
    s[7 * w + j] = b7 ^ (~b8 & b9)
    s[8 * w + j] = b8 ^ (~b9 & b5)
    s[9 * w + j] = b9 ^ (~b5 & b6)
    s[10 * w + j] = b10 ^ (~b11 & b12)
    s[11 * w + j] = b11 ^ (~b12 & b13)
    s[12 * w + j] = b12 ^ (~b13 & b14)
    s[13 * w + j] = b13 ^ (~b14 & b10)
    s[14 * w + j] = b14 ^ (~b10 & b11)
    s[15 * w + j] = b15 ^ (~b16 & b17)
    s[16 * w + j] = b16 ^ (~b17 & b18)
    s[17 * w + j] = b17 ^ (~b18 & b19)
    s[18 * w + j] = b18 ^ (~b19 & b15)
    s[19 * w + j] = b19 ^ (~b15 & b16)
    s[20 * w + j] = b20 ^ (~b21 & b22)
    s[21 * w + j] = b21 ^ (~b22 & b23)
    s[22 * w + j] = b22 ^ (~b23 & b24)
    s[23 * w + j] = b23 ^ (~b24 & b20)
    s[24 * w + j] = b24 ^ (~b20 & b21)


@njit(cache=True)
def keccak_f(st: np.ndarray) -> None:
    """Keccak-f[1600] in place on one state of 25 uint64 lanes."""
    for r in range(24):
        _round(st, 0, 1, _RC[r])


@njit(cache=True)
def keccak_f4(s: np.ndarray) -> None:
    """Keccak-f[1600] on four states at once, in place; s is uint64[100], lane k of state j at s[4k + j]."""
    for r in range(24):
        rc = _RC[r]
        for j in range(WAYS):
            _round(s, j, WAYS, rc)


@njit(cache=True, inline="always")
def _load_lane(row, offset):
    v = np.uint64(0)
    for k in range(8):
        v |= np.uint64(row[offset + k]) << np.uint64(8 * k)
    return v


@njit(cache=True, inline="always")
def _absorb_row(s, j, row):
    """XOR the padded final block of ``row`` (bytes after its full blocks) into message ``j``."""
    pos = (row.shape[0] // RATE) * RATE
    rem = row.shape[0] - pos
    full = rem // 8
    for lane in range(full):
        s[4 * lane + j] ^= _load_lane(row, pos + 8 * lane)
    last = np.uint64(1) << np.uint64(8 * (rem % 8))
    for k in range(rem % 8):
        last |= np.uint64(row[pos + 8 * full + k]) << np.uint64(8 * k)
    s[4 * full + j] ^= last
    s[4 * (_RATE_LANES - 1) + j] ^= _PAD_END


@njit(cache=True)
def _rows_span(data, out, lo, hi):
    """Hash rows lo .. hi-1 of ``data`` into ``out`` (uint64[m, 4]), four at a time."""
    length = data.shape[1]
    s = np.empty(100, dtype=np.uint64)
    for first in range(lo, hi, WAYS):
        s[:] = 0
        for block in range(length // RATE):
            for j in range(WAYS):
                row = data[min(first + j, hi - 1)]
                for lane in range(_RATE_LANES):
                    s[4 * lane + j] ^= _load_lane(row, block * RATE + 8 * lane)
            keccak_f4(s)
        for j in range(WAYS):
            _absorb_row(s, j, data[min(first + j, hi - 1)])
        keccak_f4(s)
        for j in range(min(WAYS, hi - first)):
            for lane in range(4):
                out[first + j, lane] = s[4 * lane + j]


@njit(cache=True)
def _pairs_span(nodes, out, lo, hi):
    """out[i] = keccak256(nodes[2i] || nodes[2i+1]) for i in lo .. hi-1; nodes are uint64[2m, 4]."""
    s = np.empty(100, dtype=np.uint64)
    for first in range(lo, hi, WAYS):
        s[:] = 0
        for j in range(WAYS):
            i = min(first + j, hi - 1)
            for lane in range(4):
                s[4 * lane + j] = nodes[2 * i, lane]
                s[4 * (lane + 4) + j] = nodes[2 * i + 1, lane]
            s[32 + j] = _ONE
            s[64 + j] = _PAD_END
        keccak_f4(s)
        for j in range(min(WAYS, hi - first)):
            for lane in range(4):
                out[first + j, lane] = s[4 * lane + j]


@njit(cache=True)
def _rows_serial(data: np.ndarray, out: np.ndarray) -> None:
    _rows_span(data, out, 0, data.shape[0])


@njit(cache=True, parallel=True)
def _rows_parallel(data: np.ndarray, out: np.ndarray) -> None:
    m = data.shape[0]
    for c in prange((m + _CHUNK - 1) // _CHUNK):
        _rows_span(data, out, c * _CHUNK, min(m, (c + 1) * _CHUNK))


@njit(cache=True)
def _pairs_serial(nodes: np.ndarray, out: np.ndarray) -> None:
    _pairs_span(nodes, out, 0, out.shape[0])


@njit(cache=True, parallel=True)
def _pairs_parallel(nodes: np.ndarray, out: np.ndarray) -> None:
    m = out.shape[0]
    for c in prange((m + _CHUNK - 1) // _CHUNK):
        _pairs_span(nodes, out, c * _CHUNK, min(m, (c + 1) * _CHUNK))


def keccak256_rows(data: np.ndarray) -> np.ndarray:
    """Row i of the result (uint8[m, 32]) is keccak256(data[i]); data is uint8[m, L], any L >= 0."""
    data = np.ascontiguousarray(data)
    if data.ndim != 2 or data.dtype != np.uint8:
        raise ValueError(f"keccak256_rows needs a 2-D uint8 array, got {data.dtype} {data.shape}")
    out = np.empty((data.shape[0], 4), dtype=np.uint64)
    if data.shape[0] >= _PARALLEL_MIN:
        _rows_parallel(data, out)
    elif data.shape[0]:
        _rows_serial(data, out)
    return out.view(np.uint8)


def hash_pairs(nodes: np.ndarray) -> np.ndarray:
    """out[i] = keccak256(nodes[2i] || nodes[2i+1]) for nodes uint8[2m, 32]; returns uint8[m, 32]."""
    nodes = np.ascontiguousarray(nodes)
    if nodes.ndim != 2 or nodes.dtype != np.uint8 or nodes.shape[1] != 32 or nodes.shape[0] % 2:
        raise ValueError(f"hash_pairs needs uint8[2m, 32], got {nodes.dtype} {nodes.shape}")
    lanes = nodes.view(np.uint64)
    if not lanes.flags.aligned:
        lanes = lanes.copy()
    out = np.empty((nodes.shape[0] // 2, 4), dtype=np.uint64)
    if out.shape[0] >= _PARALLEL_MIN:
        _pairs_parallel(lanes, out)
    elif out.shape[0]:
        _pairs_serial(lanes, out)
    return out.view(np.uint8)


@njit(cache=True, inline="always")
def _bswap(v):
    r = np.uint64(0)
    for k in range(8):
        r = (r << np.uint64(8)) | ((v >> np.uint64(8 * k)) & _BYTE)
    return r


@njit(cache=True)
def _pow_search(seed_lanes, bits, lo, count):
    """Smallest nonce in [lo, lo + count) meeting ``bits``, or _NOT_FOUND; count is a multiple of 4."""
    s = np.empty(100, dtype=np.uint64)
    shift = np.uint64(64 - bits)
    for offset in range(0, count, WAYS):
        s[:] = 0
        for j in range(WAYS):
            for lane in range(4):
                s[4 * lane + j] = seed_lanes[lane]
            s[16 + j] = _bswap(lo + np.uint64(offset + j))
            s[20 + j] = _ONE
            s[64 + j] = _PAD_END
        keccak_f4(s)
        for j in range(WAYS):
            if (_bswap(s[j]) >> shift) == np.uint64(0):
                return lo + np.uint64(offset + j)
    return _NOT_FOUND


@njit(cache=True, parallel=True)
def _grind_kernel(seed_lanes: np.ndarray, bits: int, start: np.uint64, span: int, parts: int) -> np.uint64:
    """Smallest valid nonce in [start, start + parts * span), or _NOT_FOUND."""
    found = np.empty(parts, dtype=np.uint64)
    for p in prange(parts):
        found[p] = _pow_search(seed_lanes, bits, start + np.uint64(p * span), span)
    return found.min()


class GrindMeter:
    """Time spent grinding, per thread, beside its expectation.

    A proof-of-work search takes an exponentially distributed number of
    hashes, so one proof's prove time carries noise that no cost model can
    predict.  Every :func:`grind` adds its seconds to the calling thread's
    ``actual`` and this process's mean search time for the same ``bits`` to
    its ``expected``; a timing with ``actual`` swapped for ``expected`` is the
    expected cost of that proof (what a cost model should learn).
    """

    def __init__(self) -> None:
        self._local = threading.local()
        self._lock = threading.Lock()
        self._by_bits: dict[int, list[float]] = {}

    def record(self, bits: int, seconds: float) -> None:
        """Account one search of ``bits`` that took ``seconds``."""
        with self._lock:
            acc = self._by_bits.setdefault(bits, [0, 0.0])
            acc[0] += 1
            acc[1] += seconds
            mean = acc[1] / acc[0]
        local = self._local
        local.actual = getattr(local, "actual", 0.0) + seconds
        local.expected = getattr(local, "expected", 0.0) + mean

    def totals(self) -> tuple[float, float]:
        """(actual, expected) grinding seconds of the calling thread so far."""
        local = self._local
        return getattr(local, "actual", 0.0), getattr(local, "expected", 0.0)

    def mean_seconds(self, bits: int) -> float | None:
        """Mean measured search time at ``bits`` in this process, or None before the first search."""
        with self._lock:
            acc = self._by_bits.get(bits)
            return acc[1] / acc[0] if acc else None


#: The process's grinding meter (see :class:`GrindMeter`).
GRIND_METER = GrindMeter()


def grind(seed: bytes, bits: int) -> int:
    """Smallest nonce n with keccak256(seed || n as 8 bytes big-endian) < 2^(256 - bits).

    Deterministic: consecutive chunks are searched in parallel sub-ranges and
    the first chunk holding a valid nonce yields its minimum.  The search time
    is recorded in :data:`GRIND_METER`.
    """
    if len(seed) != 32:
        raise ValueError("grinding seed must be 32 bytes")
    if not 0 <= bits <= 64:
        raise ValueError("grinding bits must be in [0, 64]")
    if bits == 0:
        return 0
    t0 = time.perf_counter()
    lanes = np.frombuffer(bytes(seed), dtype="<u8").copy()
    parts = 8
    span = 1 << max(8, min(bits, 24) - 6)
    for start in range(0, 1 << 64, span * parts):
        best = int(_grind_kernel(lanes, bits, np.uint64(start), span, parts))
        if best != int(_NOT_FOUND):
            GRIND_METER.record(bits, time.perf_counter() - t0)
            return best
    raise ValueError("no 64-bit nonce meets the grinding target")


def pow_ok(seed: bytes, nonce: int, bits: int) -> bool:
    """True if keccak256(seed || nonce as 8 bytes big-endian) has at least ``bits`` leading zero bits."""
    if not 0 <= bits <= 64:
        raise ValueError("grinding bits must be in [0, 64]")
    if not 0 <= nonce < 1 << 64:
        return False
    digest = keccak256(bytes(seed) + nonce.to_bytes(8, "big"))
    return int.from_bytes(digest, "big") >> (256 - bits) == 0
