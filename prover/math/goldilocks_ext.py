"""The quadratic extension F_p[X] / (X^2 - 7) of Goldilocks.

Every verifier challenge lives here so that it carries ~128 bits.  Vectors of
extension elements are uint64 arrays of shape (2, n): row 0 holds c0, row 1
holds c1 of c0 + c1*X.  :class:`Ext` is the plain-int scalar type used by the
verifier and the transcript.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from prover.errors import FieldError, ProofFormatError
from prover.math.goldilocks import P, add, inv, mul, sub

W = 7
_W64 = np.uint64(W)
_ZERO = np.uint64(0)
_ONE = np.uint64(1)


@njit(cache=True, inline="always")
def ext_mul(a0, a1, b0, b1):
    """(a0 + a1 X)(b0 + b1 X) = (a0 b0 + 7 a1 b1) + (a0 b1 + a1 b0) X."""
    return add(mul(a0, b0), mul(_W64, mul(a1, b1))), add(mul(a0, b1), mul(a1, b0))


@njit(cache=True, inline="always")
def ext_inv(a0, a1):
    """Inverse via the norm a0^2 - 7 a1^2 (a base element); inverse of 0 is 0."""
    norm = sub(mul(a0, a0), mul(_W64, mul(a1, a1)))
    n_inv = inv(norm)
    return mul(a0, n_inv), mul(sub(_ZERO, a1), n_inv)


@njit(cache=True, parallel=True)
def ext_add_vec(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Element-wise a + b of (2, n) extension vectors."""
    out = np.empty_like(a)
    for i in prange(a.shape[1]):
        out[0, i] = add(a[0, i], b[0, i])
        out[1, i] = add(a[1, i], b[1, i])
    return out


@njit(cache=True, parallel=True)
def ext_sub_vec(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Element-wise a - b of (2, n) extension vectors."""
    out = np.empty_like(a)
    for i in prange(a.shape[1]):
        out[0, i] = sub(a[0, i], b[0, i])
        out[1, i] = sub(a[1, i], b[1, i])
    return out


@njit(cache=True, parallel=True)
def ext_mul_vec(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Element-wise a * b of (2, n) extension vectors."""
    out = np.empty_like(a)
    for i in prange(a.shape[1]):
        out[0, i], out[1, i] = ext_mul(a[0, i], a[1, i], b[0, i], b[1, i])
    return out


@njit(cache=True, parallel=True)
def ext_mul_base_vec(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Element-wise a * b, a a (2, n) extension vector and b a 1-D base vector."""
    out = np.empty_like(a)
    for i in prange(a.shape[1]):
        out[0, i] = mul(a[0, i], b[i])
        out[1, i] = mul(a[1, i], b[i])
    return out


@njit(cache=True, parallel=True)
def ext_add_base_vec(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Element-wise a + b, a a (2, n) extension vector and b a 1-D base vector."""
    out = np.empty_like(a)
    for i in prange(a.shape[1]):
        out[0, i] = add(a[0, i], b[i])
        out[1, i] = a[1, i]
    return out


@njit(cache=True, parallel=True)
def ext_scale_vec(a: np.ndarray, s0, s1) -> np.ndarray:
    """Every element of a (2, n) extension vector times the extension scalar s0 + s1*X."""
    out = np.empty_like(a)
    for i in prange(a.shape[1]):
        out[0, i], out[1, i] = ext_mul(a[0, i], a[1, i], s0, s1)
    return out


@njit(cache=True)
def _ext_batch_inverse_serial(a: np.ndarray, out: np.ndarray, lo: int, hi: int) -> None:
    """Montgomery's trick on columns [lo, hi): prefix products, one inversion, back-substitution."""
    acc0 = _ONE
    acc1 = _ZERO
    for i in range(lo, hi):
        out[0, i] = acc0
        out[1, i] = acc1
        if a[0, i] != _ZERO or a[1, i] != _ZERO:
            acc0, acc1 = ext_mul(acc0, acc1, a[0, i], a[1, i])
    acc0, acc1 = ext_inv(acc0, acc1)
    for i in range(hi - 1, lo - 1, -1):
        if a[0, i] != _ZERO or a[1, i] != _ZERO:
            t0, t1 = ext_mul(acc0, acc1, out[0, i], out[1, i])
            acc0, acc1 = ext_mul(acc0, acc1, a[0, i], a[1, i])
            out[0, i] = t0
            out[1, i] = t1
        else:
            out[0, i] = _ZERO
            out[1, i] = _ZERO


@njit(cache=True, parallel=True)
def ext_batch_inverse(a: np.ndarray) -> np.ndarray:
    """Element-wise inverses (Montgomery's trick in chunks across cores); zeros map to 0."""
    n = a.shape[1]
    out = np.empty_like(a)
    chunks = 8 if n >= 1 << 14 else 1
    size = (n + chunks - 1) // chunks
    for c in prange(chunks):
        lo = c * size
        hi = min(n, lo + size)
        if lo < hi:
            _ext_batch_inverse_serial(a, out, lo, hi)
    return out


class Ext:
    """An element c0 + c1*X of the extension, with plain-int arithmetic (treat as immutable).

    Operators accept another Ext or an integer (Python int or numpy integer,
    read as a base-field element) on either side.
    """

    __slots__ = ("c0", "c1")

    def __init__(self, c0: int, c1: int = 0) -> None:
        self.c0 = int(c0) % P
        self.c1 = int(c1) % P

    @classmethod
    def from_int(cls, value: int) -> Ext:
        """The base-field element value mod p."""
        return cls(value, 0)

    def __add__(self, other: Ext | int) -> Ext:
        if type(other) is Ext:
            return _make((self.c0 + other.c0) % P, (self.c1 + other.c1) % P)
        other = _scalar(other)
        if other is None:
            return NotImplemented
        return _make((self.c0 + other) % P, self.c1)

    __radd__ = __add__

    def __sub__(self, other: Ext | int) -> Ext:
        if type(other) is Ext:
            return _make((self.c0 - other.c0) % P, (self.c1 - other.c1) % P)
        other = _scalar(other)
        if other is None:
            return NotImplemented
        return _make((self.c0 - other) % P, self.c1)

    def __rsub__(self, other: int) -> Ext:
        other = _scalar(other)
        if other is None:
            return NotImplemented
        return _make((other - self.c0) % P, -self.c1 % P)

    def __mul__(self, other: Ext | int) -> Ext:
        if type(other) is Ext:
            a0, a1, b0, b1 = self.c0, self.c1, other.c0, other.c1
            return _make((a0 * b0 + W * a1 * b1) % P, (a0 * b1 + a1 * b0) % P)
        other = _scalar(other)
        if other is None:
            return NotImplemented
        return _make(self.c0 * other % P, self.c1 * other % P)

    __rmul__ = __mul__

    def __neg__(self) -> Ext:
        return _make(-self.c0 % P, -self.c1 % P)

    def __pow__(self, exponent: int) -> Ext:
        """self^exponent by square-and-multiply; a negative exponent inverts first."""
        if exponent < 0:
            return self.inverse() ** (-exponent)
        result = _make(1, 0)
        base = self
        while exponent:
            if exponent & 1:
                result = result * base
            base = base * base
            exponent >>= 1
        return result

    def inverse(self) -> Ext:
        """Multiplicative inverse via the norm c0^2 - 7 c1^2; FieldError for zero."""
        norm = (self.c0 * self.c0 - W * self.c1 * self.c1) % P
        if norm == 0:
            raise FieldError("zero has no inverse in the extension")
        n_inv = pow(norm, P - 2, P)
        return _make(self.c0 * n_inv % P, -self.c1 * n_inv % P)

    def is_zero(self) -> bool:
        return self.c0 == 0 and self.c1 == 0

    def __eq__(self, other: object) -> bool:
        if type(other) is Ext:
            return self.c0 == other.c0 and self.c1 == other.c1
        other = _scalar(other)
        if other is None:
            return NotImplemented
        return self.c1 == 0 and self.c0 == other % P

    def __hash__(self) -> int:
        return hash((self.c0, self.c1))

    def to_bytes(self) -> bytes:
        """16 bytes: c0 then c1, each 8-byte big-endian."""
        return self.c0.to_bytes(8, "big") + self.c1.to_bytes(8, "big")

    @classmethod
    def from_bytes(cls, data: bytes) -> Ext:
        """Decode 16 canonical bytes; ProofFormatError otherwise."""
        if len(data) != 16:
            raise ProofFormatError(f"extension element needs 16 bytes, got {len(data)}")
        c0 = int.from_bytes(data[:8], "big")
        c1 = int.from_bytes(data[8:], "big")
        if c0 >= P or c1 >= P:
            raise ProofFormatError("extension element is not canonical")
        return _make(c0, c1)

    def __repr__(self) -> str:
        return f"Ext({self.c0}, {self.c1})"


def _scalar(value: object) -> int | None:
    """A Python or numpy integer as a Python int (numpy scalars would overflow); None otherwise."""
    if type(value) is int:
        return value
    if isinstance(value, (int, np.integer)):
        return int(value)
    return None


def _make(c0: int, c1: int) -> Ext:
    """Build an Ext from already-reduced coordinates (skips __init__'s reduction)."""
    e = object.__new__(Ext)
    e.c0 = c0
    e.c1 = c1
    return e


def batch_inverse_ext(values: list[Ext]) -> list[Ext]:
    """Inverses of nonzero elements with one field inversion (Montgomery's trick)."""
    prefix = []
    acc = Ext(1)
    for v in values:
        prefix.append(acc)
        acc = acc * v
    inv_acc = acc.inverse()
    out = [Ext(0)] * len(values)
    for i in range(len(values) - 1, -1, -1):
        out[i] = inv_acc * prefix[i]
        inv_acc = inv_acc * values[i]
    return out
