"""Ethereum keccak256 (Keccak-f[1600], rate 136, padding 0x01 ... 0x80) in numba.

This is *not* the NIST SHA3-256, which pads with 0x06; hashlib's sha3 function gives other
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


@njit(cache=True)
def keccak_f(st: np.ndarray) -> None:
    """The Keccak-f[1600] permutation, in place on 25 uint64 lanes (unrolled rounds)."""
    a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12, a13, a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24 = (
        st[0], st[1], st[2], st[3], st[4],
        st[5], st[6], st[7], st[8], st[9],
        st[10], st[11], st[12], st[13], st[14],
        st[15], st[16], st[17], st[18], st[19],
        st[20], st[21], st[22], st[23], st[24],
    )
    for rnd in range(24):
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
        b0 = (a0 ^ d0)
        b1 = _rotl((a6 ^ d1), _R44)
        b2 = _rotl((a12 ^ d2), _R43)
        b3 = _rotl((a18 ^ d3), _R21)
        b4 = _rotl((a24 ^ d4), _R14)
        b5 = _rotl((a3 ^ d3), _R28)
        b6 = _rotl((a9 ^ d4), _R20)
        b7 = _rotl((a10 ^ d0), _R3)
        b8 = _rotl((a16 ^ d1), _R45)
        b9 = _rotl((a22 ^ d2), _R61)
        b10 = _rotl((a1 ^ d1), _R1)
        b11 = _rotl((a7 ^ d2), _R6)
        b12 = _rotl((a13 ^ d3), _R25)
        b13 = _rotl((a19 ^ d4), _R8)
        b14 = _rotl((a20 ^ d0), _R18)
        b15 = _rotl((a4 ^ d4), _R27)
        b16 = _rotl((a5 ^ d0), _R36)
        b17 = _rotl((a11 ^ d1), _R10)
        b18 = _rotl((a17 ^ d2), _R15)
        b19 = _rotl((a23 ^ d3), _R56)
        b20 = _rotl((a2 ^ d2), _R62)
        b21 = _rotl((a8 ^ d3), _R55)
        b22 = _rotl((a14 ^ d4), _R39)
        b23 = _rotl((a15 ^ d0), _R41)
        b24 = _rotl((a21 ^ d1), _R2)
        a0 = b0 ^ (~b1 & b2)
        a1 = b1 ^ (~b2 & b3)
        a2 = b2 ^ (~b3 & b4)
        a3 = b3 ^ (~b4 & b0)
        a4 = b4 ^ (~b0 & b1)
        a5 = b5 ^ (~b6 & b7)
        a6 = b6 ^ (~b7 & b8)
        a7 = b7 ^ (~b8 & b9)
        a8 = b8 ^ (~b9 & b5)
        a9 = b9 ^ (~b5 & b6)
        a10 = b10 ^ (~b11 & b12)
        a11 = b11 ^ (~b12 & b13)
        a12 = b12 ^ (~b13 & b14)
        a13 = b13 ^ (~b14 & b10)
        a14 = b14 ^ (~b10 & b11)
        a15 = b15 ^ (~b16 & b17)
        a16 = b16 ^ (~b17 & b18)
        a17 = b17 ^ (~b18 & b19)
        a18 = b18 ^ (~b19 & b15)
        a19 = b19 ^ (~b15 & b16)
        a20 = b20 ^ (~b21 & b22)
        a21 = b21 ^ (~b22 & b23)
        a22 = b22 ^ (~b23 & b24)
        a23 = b23 ^ (~b24 & b20)
        a24 = b24 ^ (~b20 & b21)
        a0 ^= _RC[rnd]
    st[0] = a0
    st[1] = a1
    st[2] = a2
    st[3] = a3
    st[4] = a4
    st[5] = a5
    st[6] = a6
    st[7] = a7
    st[8] = a8
    st[9] = a9
    st[10] = a10
    st[11] = a11
    st[12] = a12
    st[13] = a13
    st[14] = a14
    st[15] = a15
    st[16] = a16
    st[17] = a17
    st[18] = a18
    st[19] = a19
    st[20] = a20
    st[21] = a21
    st[22] = a22
    st[23] = a23
    st[24] = a24


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
    span = 1 << max(8, min(bits, 24) - 6)
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
