"""The quadratic extension: Ext arithmetic, encoding, and the vector kernels."""

from __future__ import annotations

import random

import numpy as np
import pytest

from prover.errors import FieldError, ProofFormatError
from prover.math import goldilocks_ext as ge
from prover.math.goldilocks import P
from prover.math.goldilocks_ext import Ext, batch_inverse_ext

rng = random.Random(11)


def rand_ext() -> Ext:
    return Ext(rng.randrange(P), rng.randrange(P))


def test_x_squared_is_seven():
    x = Ext(0, 1)
    assert x * x == Ext(7)


def test_field_axioms_on_random_values():
    for _ in range(300):
        a, b, c = rand_ext(), rand_ext(), rand_ext()
        assert (a * b) * c == a * (b * c)
        assert a * (b + c) == a * b + a * c
        assert a - b + b == a
        assert a * a.inverse() == Ext(1)
        assert 3 - a == Ext(3) - a
        assert a * 5 == a * Ext(5)


def test_inverse_of_zero_and_pow():
    with pytest.raises(FieldError):
        Ext(0).inverse()
    a = rand_ext()
    assert a**0 == Ext(1)
    assert a**5 == a * a * a * a * a
    assert a ** (P * P - 1) == Ext(1)  # the multiplicative group has order p^2 - 1


def test_bytes_round_trip_and_rejection():
    a = Ext(P - 1, 2**32)
    data = a.to_bytes()
    assert len(data) == 16 and data[:8] == (P - 1).to_bytes(8, "big")
    assert Ext.from_bytes(data) == a
    with pytest.raises(ProofFormatError):
        Ext.from_bytes(P.to_bytes(8, "big") + bytes(8))
    with pytest.raises(ProofFormatError):
        Ext.from_bytes(bytes(8) + (2**64 - 1).to_bytes(8, "big"))
    with pytest.raises(ProofFormatError):
        Ext.from_bytes(bytes(15))


def _vec(values):
    return np.array([[v.c0 for v in values], [v.c1 for v in values]], dtype=np.uint64)


def _unvec(arr):
    return [Ext(int(a), int(b)) for a, b in zip(arr[0], arr[1])]


def test_vector_kernels_match_scalar_reference():
    a = [rand_ext() for _ in range(257)] + [Ext(0), Ext(P - 1, P - 1)]
    b = [rand_ext() for _ in range(len(a))]
    base = [rng.randrange(P) for _ in range(len(a))]
    s = rand_ext()
    assert _unvec(ge.ext_add_vec(_vec(a), _vec(b))) == [x + y for x, y in zip(a, b)]
    assert _unvec(ge.ext_sub_vec(_vec(a), _vec(b))) == [x - y for x, y in zip(a, b)]
    assert _unvec(ge.ext_mul_vec(_vec(a), _vec(b))) == [x * y for x, y in zip(a, b)]
    assert _unvec(ge.ext_mul_base_vec(_vec(a), np.array(base, dtype=np.uint64))) == [x * y for x, y in zip(a, base)]
    assert _unvec(ge.ext_add_base_vec(_vec(a), np.array(base, dtype=np.uint64))) == [x + y for x, y in zip(a, base)]
    assert _unvec(ge.ext_scale_vec(_vec(a), np.uint64(s.c0), np.uint64(s.c1))) == [x * s for x in a]


@pytest.mark.parametrize("n", [1, 3, 1 << 15])
def test_batch_inverses(n):
    values = [rand_ext() for _ in range(n)]
    values[0] = Ext(0)
    out = _unvec(ge.ext_batch_inverse(_vec(values)))
    for v, inv in zip(values, out):
        assert (v.is_zero() and inv.is_zero()) or v * inv == Ext(1)
    nonzero = [rand_ext() for _ in range(50)]
    assert batch_inverse_ext(nonzero) == [v.inverse() for v in nonzero]
