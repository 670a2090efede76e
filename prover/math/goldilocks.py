"""The Goldilocks field, p = 2^64 - 2^32 + 1: numba kernels and plain-int helpers.

The prover works on numpy uint64 arrays; the verifier on plain Python ints,
which are fast enough for its few hundred operations and need no compilation.

Elements are canonical uint64 values (< p); kernels assume canonical inputs
and return canonical outputs.  A 64x64-bit product is formed from 32-bit
halves (LLVM turns the pattern into one wide multiply) and reduced with
2^64 = 2^32 - 1 and 2^96 = -1 (mod p).  Kernels are module-level
``@njit(cache=True)`` functions so numba's on-disk cache works; every
constant they touch is a np.uint64, since mixing uint64 with Python ints or
int64 would promote to float64.  Vector kernels take 1-D arrays and return
new arrays.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

import numpy as np
from numba import njit, prange

from prover.errors import FieldError

P = 0xFFFFFFFF00000001
P64 = np.uint64(P)
GENERATOR = 7
TWO_ADICITY = 32

_EPSILON = np.uint64(0xFFFFFFFF)  # 2^64 mod p
_MASK32 = np.uint64(0xFFFFFFFF)
_S32 = np.uint64(32)
_ZERO = np.uint64(0)
_ONE = np.uint64(1)


def inv_int(a: int) -> int:
    """Inverse of a nonzero element (plain ints)."""
    a %= P
    if a == 0:
        raise FieldError("zero has no inverse")
    return pow(a, P - 2, P)


@cache
def root_of_unity(log_n: int) -> int:
    """Primitive 2^log_n-th root of unity: 7^((p-1) >> log_n)."""
    if not 0 <= log_n <= TWO_ADICITY:
        raise FieldError(f"no 2^{log_n}-th root of unity in Goldilocks")
    return pow(GENERATOR, (P - 1) >> log_n, P)


def to_canonical_array(values: Iterable[int]) -> np.ndarray:
    """uint64 array from ints, each required to be in [0, p)."""
    values = list(values)
    for v in values:
        if not isinstance(v, (int, np.integer)) or not 0 <= int(v) < P:
            raise FieldError(f"{v!r} is not a canonical Goldilocks element")
    return np.array([int(v) for v in values], dtype=np.uint64)


@njit(cache=True, inline="always")
def add(a, b):
    """a + b mod p."""
    s = a + b
    if s < a:  # carry out of 64 bits: add 2^64 mod p
        s += _EPSILON
    if s >= P64:
        s -= P64
    return s


@njit(cache=True, inline="always")
def sub(a, b):
    """a - b mod p."""
    if a >= b:
        return a - b
    return a - b + P64  # wraps correctly modulo 2^64


@njit(cache=True, inline="always")
def neg(a):
    """-a mod p."""
    if a == _ZERO:
        return a
    return P64 - a


@njit(cache=True, inline="always")
def mul(a, b):
    """a * b mod p via a 128-bit product from 32-bit halves."""
    a_lo = a & _MASK32
    a_hi = a >> _S32
    b_lo = b & _MASK32
    b_hi = b >> _S32
    ll = a_lo * b_lo
    lh = a_lo * b_hi
    hl = a_hi * b_lo
    hh = a_hi * b_hi
    mid = lh + (ll >> _S32) + (hl & _MASK32)
    lo = (mid << _S32) | (ll & _MASK32)
    hi = hh + (mid >> _S32) + (hl >> _S32)
    # reduce hi * 2^64 + lo
    hi_hi = hi >> _S32
    hi_lo = hi & _MASK32
    t0 = lo - hi_hi
    if lo < hi_hi:
        t0 -= _EPSILON
    t1 = hi_lo * _EPSILON
    r = t0 + t1
    if r < t1:
        r += _EPSILON
    if r >= P64:
        r -= P64
    return r


@njit(cache=True)
def pow_(a, e):
    """a^e mod p (e a non-negative integer)."""
    result = _ONE
    base = a
    e = np.uint64(e)
    while e > _ZERO:
        if e & _ONE:
            result = mul(result, base)
        base = mul(base, base)
        e >>= _ONE
    return result


@njit(cache=True)
def inv(a):
    """a^(p-2); inv(0) returns 0."""
    return pow_(a, P64 - np.uint64(2))


@njit(cache=True, parallel=True)
def add_vec(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Element-wise a + b."""
    out = np.empty_like(a)
    for i in prange(a.shape[0]):
        out[i] = add(a[i], b[i])
    return out


@njit(cache=True, parallel=True)
def sub_vec(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Element-wise a - b."""
    out = np.empty_like(a)
    for i in prange(a.shape[0]):
        out[i] = sub(a[i], b[i])
    return out


@njit(cache=True, parallel=True)
def mul_vec(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Element-wise a * b."""
    out = np.empty_like(a)
    for i in prange(a.shape[0]):
        out[i] = mul(a[i], b[i])
    return out


@njit(cache=True, parallel=True)
def scale_vec(a: np.ndarray, s) -> np.ndarray:
    """Every element times the scalar s."""
    out = np.empty_like(a)
    for i in prange(a.shape[0]):
        out[i] = mul(a[i], s)
    return out


@njit(cache=True, parallel=True)
def add_scalar_vec(a: np.ndarray, s) -> np.ndarray:
    """Every element plus the scalar s."""
    out = np.empty_like(a)
    for i in prange(a.shape[0]):
        out[i] = add(a[i], s)
    return out


@njit(cache=True, parallel=True)
def neg_vec(a: np.ndarray) -> np.ndarray:
    """Element-wise -a."""
    out = np.empty_like(a)
    for i in prange(a.shape[0]):
        out[i] = neg(a[i])
    return out


@njit(cache=True, parallel=True)
def add_tiled(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a + b repeated: out[i] = a[i] + b[i mod len(b)]; both lengths powers of two (b e.g. one period of a periodic column)."""
    out = np.empty_like(a)
    mask = b.shape[0] - 1
    for i in prange(a.shape[0]):
        out[i] = add(a[i], b[i & mask])
    return out


@njit(cache=True, parallel=True)
def sub_tiled(a: np.ndarray, b: np.ndarray, b_first: bool) -> np.ndarray:
    """a - b repeated (or b - a when ``b_first``), b indexed modulo its power-of-two length."""
    out = np.empty_like(a)
    mask = b.shape[0] - 1
    for i in prange(a.shape[0]):
        if b_first:
            out[i] = sub(b[i & mask], a[i])
        else:
            out[i] = sub(a[i], b[i & mask])
    return out


@njit(cache=True, parallel=True)
def mul_tiled(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a * b repeated: out[i] = a[i] * b[i mod len(b)], lengths powers of two."""
    out = np.empty_like(a)
    mask = b.shape[0] - 1
    for i in prange(a.shape[0]):
        out[i] = mul(a[i], b[i & mask])
    return out


@njit(cache=True, parallel=True)
def pow_vec(a: np.ndarray, e) -> np.ndarray:
    """Every element raised to the same exponent e (uint64)."""
    out = np.empty_like(a)
    for i in prange(a.shape[0]):
        out[i] = pow_(a[i], e)
    return out


@njit(cache=True)
def batch_inverse_into(a: np.ndarray, out: np.ndarray) -> None:
    """``out[i] = 1 / a[i]`` (0 for 0) by Montgomery's trick, on one core: one inversion for the whole array."""
    n = a.shape[0]
    acc = _ONE
    for i in range(n):
        out[i] = acc
        if a[i] != _ZERO:
            acc = mul(acc, a[i])
    acc = inv(acc)
    for i in range(n - 1, -1, -1):
        if a[i] != _ZERO:
            t = mul(acc, out[i])
            acc = mul(acc, a[i])
            out[i] = t
        else:
            out[i] = _ZERO


@njit(cache=True, parallel=True)
def batch_inverse(a: np.ndarray) -> np.ndarray:
    """Element-wise inverses by Montgomery's trick, in chunks across cores; zeros map to 0."""
    n = a.shape[0]
    out = np.empty_like(a)
    chunks = 8 if n >= 1 << 14 else 1
    size = (n + chunks - 1) // chunks
    for c in prange(chunks):
        lo = c * size
        hi = min(n, lo + size)
        if lo < hi:
            batch_inverse_into(a[lo:hi], out[lo:hi])
    return out


@njit(cache=True, parallel=True)
def powers(base, n: int) -> np.ndarray:
    """[1, base, base^2, ..., base^(n-1)], computed in parallel chunks."""
    out = np.empty(n, dtype=np.uint64)
    chunks = 16 if n >= 1 << 14 else 1
    size = (n + chunks - 1) // chunks
    for c in prange(chunks):
        lo = c * size
        hi = min(n, lo + size)
        if lo < hi:
            acc = pow_(base, lo)
            for i in range(lo, hi):
                out[i] = acc
                acc = mul(acc, base)
    return out


@njit(cache=True)
def running_product(ratios: np.ndarray) -> np.ndarray:
    """[1, r0, r0 r1, ...]: n + 1 prefix products of ``ratios`` (a running-product column)."""
    n = ratios.shape[0]
    out = np.empty(n + 1, dtype=np.uint64)
    acc = _ONE
    out[0] = acc
    for i in range(n):
        acc = mul(acc, ratios[i])
        out[i + 1] = acc
    return out
