"""The quadratic extension: Ext arithmetic and encoding, and the numba kernels against it."""

from __future__ import annotations

import random

import numpy as np
import pytest

from prover.errors import FieldError, ProofFormatError
from prover.math import goldilocks_ext as ge
from prover.math.goldilocks import P
from prover.math.goldilocks_ext import Ext, batch_inverse_ext

rng = random.Random(11)
EDGE_COORDS = [0, 1, 2, P - 1, P - 2, 2**32, 2**32 - 1, 2**63]
EDGES = [Ext(a, b) for a in EDGE_COORDS for b in EDGE_COORDS]


def rand_ext() -> Ext:
    return Ext(rng.randrange(P), rng.randrange(P))


def ref_mul(a: Ext, b: Ext) -> tuple[int, int]:
    """Schoolbook product with X^2 = 7, independent of Ext.__mul__."""
    return (a.c0 * b.c0 + 7 * a.c1 * b.c1) % P, (a.c0 * b.c1 + a.c1 * b.c0) % P


def vec(values: list[Ext]) -> np.ndarray:
    return np.array([[v.c0 for v in values], [v.c1 for v in values]], dtype=np.uint64).reshape(2, len(values))


def unvec(array: np.ndarray) -> list[Ext]:
    assert array.shape[0] == 2 and array.dtype == np.uint64
    return [Ext(int(a), int(b)) for a, b in zip(array[0], array[1])]


def test_x_squared_is_seven():
    x = Ext(0, 1)
    assert x * x == Ext(7)
    assert x * x == 7
    assert x**2 == Ext.from_int(7)


def test_constructor_reduces_and_coerces():
    assert Ext(P + 3, -1) == Ext(3, P - 1)
    e = Ext(np.uint64(P - 1), np.uint64(5))
    assert type(e.c0) is int and type(e.c1) is int
    assert Ext.from_int(-2) == Ext(P - 2, 0)


def test_multiplication_matches_reference():
    for a in EDGES[::3] + [rand_ext() for _ in range(100)]:
        for b in EDGES[::5] + [rand_ext() for _ in range(3)]:
            c = a * b
            assert (c.c0, c.c1) == ref_mul(a, b)


def test_field_axioms_on_random_values():
    one, zero = Ext(1), Ext(0)
    for _ in range(300):
        a, b, c = rand_ext(), rand_ext(), rand_ext()
        assert (a * b) * c == a * (b * c)
        assert (a + b) + c == a + (b + c)
        assert a * b == b * a and a + b == b + a
        assert a * (b + c) == a * b + a * c
        assert a - b + b == a
        assert a + (-a) == zero
        assert a * one == a and a + zero == a
        assert a * a.inverse() == one


def test_mixed_int_operands():
    a = rand_ext()
    k = rng.randrange(P)
    assert a + k == a + Ext(k) == k + a
    assert a - k == a - Ext(k)
    assert k - a == Ext(k) - a
    assert a * k == a * Ext(k) == k * a
    assert 3 - a == Ext(3) - a
    assert a * -1 == -a
    big = np.uint64(P - 1)
    assert a * big == a * (P - 1) == big * a
    assert a + big == a + (P - 1)
    assert (a * np.int64(-2)) == a * (P - 2)


def test_non_numeric_operands_are_refused():
    a = rand_ext()
    with pytest.raises(TypeError):
        a + "x"
    with pytest.raises(TypeError):
        a * 1.5
    assert (a == "x") is False


def test_inverse_of_zero_and_pow():
    with pytest.raises(FieldError):
        Ext(0).inverse()
    with pytest.raises(FieldError):
        Ext(P, P).inverse()
    a = rand_ext()
    assert a**0 == Ext(1)
    assert a**1 == a
    assert a**5 == a * a * a * a * a
    assert a ** (P * P - 1) == Ext(1)  # the multiplicative group has order p^2 - 1
    assert a**-3 == (a**3).inverse()


def test_inverse_of_edges():
    for a in EDGES:
        if not a.is_zero():
            assert a * a.inverse() == 1


def test_equality_hash_and_repr():
    a = Ext(5, 9)
    assert a == Ext(5, 9) and a != Ext(5, 8) and a != Ext(9, 5)
    assert hash(a) == hash(Ext(5 + P, 9))
    assert len({a, Ext(5, 9), Ext(5, 8)}) == 2
    assert Ext(5) == 5 and Ext(5, 1) != 5
    assert Ext(0).is_zero() and not Ext(0, 1).is_zero()
    assert repr(a) == "Ext(5, 9)"


def test_bytes_round_trip_and_rejection():
    a = Ext(P - 1, 2**32)
    data = a.to_bytes()
    assert len(data) == 16
    assert data[:8] == (P - 1).to_bytes(8, "big") and data[8:] == (2**32).to_bytes(8, "big")
    assert Ext.from_bytes(data) == a
    for e in EDGES + [rand_ext() for _ in range(50)]:
        assert Ext.from_bytes(e.to_bytes()) == e
    assert Ext.from_bytes(bytearray(data)) == a
    for bad in (
        P.to_bytes(8, "big") + bytes(8),
        bytes(8) + P.to_bytes(8, "big"),
        bytes(8) + (2**64 - 1).to_bytes(8, "big"),
        bytes(15),
        bytes(17),
        b"",
    ):
        with pytest.raises(ProofFormatError):
            Ext.from_bytes(bad)


def test_scalar_kernels():
    for a in EDGES[::2] + [rand_ext() for _ in range(30)]:
        b = rand_ext()
        c0, c1 = ge.ext_mul(np.uint64(a.c0), np.uint64(a.c1), np.uint64(b.c0), np.uint64(b.c1))
        assert (int(c0), int(c1)) == ref_mul(a, b)
        i0, i1 = ge.ext_inv(np.uint64(a.c0), np.uint64(a.c1))
        if a.is_zero():
            assert (int(i0), int(i1)) == (0, 0)
        else:
            assert a * Ext(int(i0), int(i1)) == 1


def test_vector_kernels_match_scalar_reference():
    a = EDGES + [rand_ext() for _ in range(257)]
    b = EDGES[::-1] + [rand_ext() for _ in range(257)]
    base = [e.c0 for e in EDGES] + [rng.randrange(P) for _ in range(257)]
    base_arr = np.array(base, dtype=np.uint64)
    assert unvec(ge.ext_add_vec(vec(a), vec(b))) == [Ext(x.c0 + y.c0, x.c1 + y.c1) for x, y in zip(a, b)]
    assert unvec(ge.ext_sub_vec(vec(a), vec(b))) == [Ext(x.c0 - y.c0, x.c1 - y.c1) for x, y in zip(a, b)]
    assert unvec(ge.ext_mul_vec(vec(a), vec(b))) == [Ext(*ref_mul(x, y)) for x, y in zip(a, b)]
    assert unvec(ge.ext_mul_base_vec(vec(a), base_arr)) == [Ext(x.c0 * y, x.c1 * y) for x, y in zip(a, base)]
    assert unvec(ge.ext_add_base_vec(vec(a), base_arr)) == [Ext(x.c0 + y, x.c1) for x, y in zip(a, base)]
    for s in (Ext(0), Ext(1), Ext(0, 1), Ext(P - 1, P - 1), rand_ext()):
        out = ge.ext_scale_vec(vec(a), np.uint64(s.c0), np.uint64(s.c1))
        assert unvec(out) == [Ext(*ref_mul(x, s)) for x in a]


def test_vector_kernels_leave_inputs_alone():
    a = vec([rand_ext() for _ in range(16)])
    before = a.copy()
    out = ge.ext_mul_vec(a, a)
    assert out is not a and out.shape == (2, 16) and np.array_equal(a, before)


@pytest.mark.parametrize("n", [0, 1, 3, 100, (1 << 15) + 1])
def test_batch_inverses(n):
    values = [rand_ext() for _ in range(n)]
    if n:
        values[0] = Ext(0)
    if n > 2:
        values[2] = Ext(P - 1, 0)
        values[-1] = Ext(0, 0)
    out = unvec(ge.ext_batch_inverse(vec(values)))
    assert len(out) == n
    for v, inv in zip(values, out):
        assert (v.is_zero() and inv.is_zero()) or v * inv == Ext(1)


def test_python_batch_inverse():
    nonzero = [rand_ext() for _ in range(50)]
    assert batch_inverse_ext(nonzero) == [v.inverse() for v in nonzero]
