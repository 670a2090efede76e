"""Ethereum keccak256 (Keccak-f[1600], rate 136, padding 0x01 ... 0x80) in numba.

This is *not* SHA3-256, which pads with 0x06; hashlib.sha3_256 gives other
digests.  Batch kernels hash many equal-length rows in parallel (Merkle
leaves, node pairs); ``grind`` searches proof-of-work nonces.  Scalar calls
from plain Python use pycryptodome, the reference these kernels are tested
against.
"""

from __future__ import annotations

import numpy as np
from Crypto.Hash import keccak as _reference
from numba import njit, prange

RATE = 136
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
_ROTC = np.array([1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14, 27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44], dtype=np.uint64)
_PILN = np.array([10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4, 15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1], dtype=np.int64)
_SIXTY_FOUR = np.uint64(64)
_ONE = np.uint64(1)
_PAD_END = np.uint64(0x80) << np.uint64(56)
_NOT_FOUND = np.uint64(0xFFFFFFFFFFFFFFFF)


def keccak256(data: bytes) -> bytes:
    """keccak256 of a byte string (scalar, via the pycryptodome reference)."""
    return _reference.new(digest_bits=256, data=bytes(data)).digest()


@njit(cache=True, inline="always")
def _rotl(x, n):
    return (x << n) | (x >> (_SIXTY_FOUR - n))


@njit(cache=True)
def keccak_f(st: np.ndarray) -> None:
    """The Keccak-f[1600] permutation, in place on 25 uint64 lanes."""
    c = np.empty(5, dtype=np.uint64)
    for rnd in range(24):
        for x in range(5):
            c[x] = st[x] ^ st[x + 5] ^ st[x + 10] ^ st[x + 15] ^ st[x + 20]
        for x in range(5):
            d = c[(x + 4) % 5] ^ _rotl(c[(x + 1) % 5], _ONE)
            for y in range(0, 25, 5):
                st[y + x] ^= d
        last = st[1]
        for i in range(24):
            j = _PILN[i]
            tmp = st[j]
            st[j] = _rotl(last, _ROTC[i])
            last = tmp
        for y in range(0, 25, 5):
            t0 = st[y]
            t1 = st[y + 1]
            t2 = st[y + 2]
            t3 = st[y + 3]
            t4 = st[y + 4]
            st[y] = t0 ^ (~t1 & t2)
            st[y + 1] = t1 ^ (~t2 & t3)
            st[y + 2] = t2 ^ (~t3 & t4)
            st[y + 3] = t3 ^ (~t4 & t0)
            st[y + 4] = t4 ^ (~t0 & t1)
        st[0] ^= _RC[rnd]


@njit(cache=True, inline="always")
def _load_lane(data: np.ndarray, offset: int) -> np.uint64:
    v = np.uint64(0)
    for k in range(8):
        v |= np.uint64(data[offset + k]) << np.uint64(8 * k)
    return v


@njit(cache=True)
def _sponge(data: np.ndarray, out: np.ndarray) -> None:
    """keccak256 of a 1-D uint8 array into a 32-byte uint8 array."""
    st = np.zeros(25, dtype=np.uint64)
    n = data.shape[0]
    pos = 0
    while n - pos >= RATE:
        for lane in range(RATE // 8):
            st[lane] ^= _load_lane(data, pos + 8 * lane)
        keccak_f(st)
        pos += RATE
    block = np.zeros(RATE, dtype=np.uint8)
    rem = n - pos
    for k in range(rem):
        block[k] = data[pos + k]
    block[rem] ^= np.uint8(0x01)
    block[RATE - 1] ^= np.uint8(0x80)
    for lane in range(RATE // 8):
        st[lane] ^= _load_lane(block, 8 * lane)
    keccak_f(st)
    for lane in range(4):
        v = st[lane]
        for k in range(8):
            out[8 * lane + k] = np.uint8((v >> np.uint64(8 * k)) & np.uint64(0xFF))


@njit(cache=True, parallel=True)
def keccak256_rows(data: np.ndarray) -> np.ndarray:
    """Row i of the result is keccak256(data[i]); data is uint8[m, L]."""
    m = data.shape[0]
    out = np.empty((m, 32), dtype=np.uint8)
    for i in prange(m):
        _sponge(data[i], out[i])
    return out


@njit(cache=True, parallel=True)
def hash_pairs(nodes: np.ndarray) -> np.ndarray:
    """out[i] = keccak256(nodes[2i] || nodes[2i+1]) for uint8[2m, 32] nodes."""
    m = nodes.shape[0] // 2
    out = np.empty((m, 32), dtype=np.uint8)
    for i in prange(m):
        st = np.zeros(25, dtype=np.uint64)
        for lane in range(4):
            st[lane] = _load_lane(nodes[2 * i], 8 * lane)
            st[lane + 4] = _load_lane(nodes[2 * i + 1], 8 * lane)
        st[8] ^= _ONE
        st[16] ^= _PAD_END
        keccak_f(st)
        for lane in range(4):
            v = st[lane]
            for k in range(8):
                out[i, 8 * lane + k] = np.uint8((v >> np.uint64(8 * k)) & np.uint64(0xFF))
    return out


@njit(cache=True, inline="always")
def _bswap(v):
    r = np.uint64(0)
    for k in range(8):
        r = (r << np.uint64(8)) | ((v >> np.uint64(8 * k)) & np.uint64(0xFF))
    return r


@njit(cache=True)
def _pow_search(seed_lanes: np.ndarray, bits: int, lo: np.uint64, hi: np.uint64) -> np.uint64:
    """Smallest nonce in [lo, hi) meeting ``bits`` leading zero bits, or hi if none."""
    st = np.empty(25, dtype=np.uint64)
    shift = np.uint64(64 - bits)
    nonce = lo
    while nonce < hi:
        for k in range(25):
            st[k] = np.uint64(0)
        for k in range(4):
            st[k] = seed_lanes[k]
        st[4] = _bswap(nonce)
        st[5] = _ONE
        st[16] = _PAD_END
        keccak_f(st)
        if (_bswap(st[0]) >> shift) == np.uint64(0):
            return nonce
        nonce += _ONE
    return hi


@njit(cache=True, parallel=True)
def _grind_kernel(seed_lanes: np.ndarray, bits: int, start: np.uint64, span: np.uint64, parts: int) -> np.uint64:
    found = np.empty(parts, dtype=np.uint64)
    for p in prange(parts):
        lo = start + span * np.uint64(p)
        hit = _pow_search(seed_lanes, bits, lo, lo + span)
        found[p] = hit if hit < lo + span else _NOT_FOUND
    best = _NOT_FOUND
    for p in range(parts):
        if found[p] < best:
            best = found[p]
    return best


def grind(seed: bytes, bits: int) -> int:
    """Smallest nonce with keccak256(seed || nonce as 8 bytes BE) < 2^(256 - bits)."""
    if len(seed) != 32:
        raise ValueError("grinding seed must be 32 bytes")
    if not 0 <= bits <= 64:
        raise ValueError("grinding bits must be in [0, 64]")
    if bits == 0:
        return 0
    lanes = np.frombuffer(seed, dtype="<u8").copy()
    parts = 8
    span = 1 << max(8, min(bits, 20) - 3)
    start = 0
    while True:
        best = int(_grind_kernel(lanes, bits, np.uint64(start), np.uint64(span), parts))
        if best != int(_NOT_FOUND):
            return best
        start += span * parts


def pow_ok(seed: bytes, nonce: int, bits: int) -> bool:
    """True if keccak256(seed || nonce) has at least ``bits`` leading zero bits."""
    digest = keccak256(seed + nonce.to_bytes(8, "big"))
    return int.from_bytes(digest, "big") >> (256 - bits) == 0 if bits else True
