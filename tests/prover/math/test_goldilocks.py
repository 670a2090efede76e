"""Goldilocks kernels against plain Python-int references, edge values included."""

from __future__ import annotations

import random

import numpy as np
import pytest

from prover.errors import FieldError
from prover.math import goldilocks as gl

P = gl.P
EDGES = [0, 1, 2, P - 1, P - 2, 2**32, 2**32 - 1, 2**32 + 1, 2**63, 2**64 - 2**32, (P - 1) // 2]
rng = random.Random(7)
VALUES = EDGES + [rng.randrange(P) for _ in range(3000)]


def _arr(values):
    return np.array(values, dtype=np.uint64)


@pytest.fixture(scope="module")
def pairs():
    a = VALUES + [x for x in EDGES for _ in EDGES]
    b = VALUES[::-1] + [y for _ in EDGES for y in EDGES]
    return a, b


def test_add_sub_mul_vectors(pairs):
    a, b = pairs
    assert [int(v) for v in gl.add_vec(_arr(a), _arr(b))] == [(x + y) % P for x, y in zip(a, b)]
    assert [int(v) for v in gl.sub_vec(_arr(a), _arr(b))] == [(x - y) % P for x, y in zip(a, b)]
    assert [int(v) for v in gl.mul_vec(_arr(a), _arr(b))] == [x * y % P for x, y in zip(a, b)]


def test_scalar_kernels():
    for x in EDGES:
        for y in EDGES:
            assert int(gl.mul(np.uint64(x), np.uint64(y))) == x * y % P
            assert int(gl.add(np.uint64(x), np.uint64(y))) == (x + y) % P
            assert int(gl.sub(np.uint64(x), np.uint64(y))) == (x - y) % P
        assert int(gl.neg(np.uint64(x))) == -x % P
        assert int(gl.pow_(np.uint64(x), np.uint64(P - 2))) == pow(x, P - 2, P)
        if x:
            assert int(gl.inv(np.uint64(x))) * x % P == 1
    assert int(gl.inv(np.uint64(0))) == 0


def test_scale_add_scalar_neg_pow():
    a = VALUES[:500]
    s = 2**63 + 5
    assert [int(v) for v in gl.scale_vec(_arr(a), np.uint64(s))] == [x * s % P for x in a]
    assert [int(v) for v in gl.add_scalar_vec(_arr(a), np.uint64(P - 1))] == [(x - 1) % P for x in a]
    assert [int(v) for v in gl.neg_vec(_arr(a))] == [-x % P for x in a]
    assert [int(v) for v in gl.pow_vec(_arr(a), np.uint64(12345))] == [pow(x, 12345, P) for x in a]


@pytest.mark.parametrize("n", [1, 5, 1000, 1 << 15])
def test_batch_inverse(n):
    values = [rng.randrange(P) for _ in range(n)]
    values[0] = 0
    out = gl.batch_inverse(_arr(values))
    for x, y in zip(values, out):
        assert (x == 0 and int(y) == 0) or x * int(y) % P == 1


@pytest.mark.parametrize("n", [1, 2, 17, 1 << 15])
def test_powers(n):
    base = rng.randrange(P)
    out = gl.powers(np.uint64(base), n)
    for i in {0, min(1, n - 1), n // 2, n - 1}:
        assert int(out[i]) == pow(base, i, P)


def test_roots_of_unity():
    for log_n in (0, 1, 5, 20, 32):
        w = gl.root_of_unity(log_n)
        assert pow(w, 1 << log_n, P) == 1
        if log_n:
            assert pow(w, 1 << (log_n - 1), P) != 1
    with pytest.raises(FieldError):
        gl.root_of_unity(33)


def test_inverse_and_canonical_checks():
    assert gl.inv_int(3) * 3 % P == 1
    with pytest.raises(FieldError):
        gl.inv_int(0)
    assert list(gl.to_canonical_array([0, P - 1])) == [0, P - 1]
    with pytest.raises(FieldError):
        gl.to_canonical_array([P])
    with pytest.raises(FieldError):
        gl.to_canonical_array([-1])
