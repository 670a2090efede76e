"""Goldilocks kernels against plain Python-int references, edge values included."""

from __future__ import annotations

import random

import numpy as np
import pytest

from prover.errors import FieldError
from prover.math import goldilocks as gl

P = gl.P
EDGES = [0, 1, 2, P - 1, P - 2, 2**32, 2**32 - 1, 2**32 + 1, 2**63, 2**63 - 1, 2**64 - 2**32, (P - 1) // 2, P // 2 + 1]
rng = random.Random(7)
VALUES = EDGES + [rng.randrange(P) for _ in range(3000)]


def arr(values) -> np.ndarray:
    return np.array(values, dtype=np.uint64)


def ints(array) -> list[int]:
    return [int(v) for v in array]


@pytest.fixture(scope="module")
def pairs():
    """Every edge paired with every edge, plus random pairs."""
    a = [x for x in EDGES for _ in EDGES] + VALUES
    b = [y for _ in EDGES for y in EDGES] + VALUES[::-1]
    return a, b


def test_constants():
    assert gl.P == 2**64 - 2**32 + 1
    assert int(gl.P64) == gl.P and gl.P64.dtype == np.uint64
    assert gl.GENERATOR == 7 and gl.TWO_ADICITY == 32
    # 7 generates the multiplicative group: it is not a square, cube, ... for any prime factor of p - 1.
    for q in (2, 3, 5, 17, 257, 65537):
        assert (P - 1) % q == 0
        assert pow(7, (P - 1) // q, P) != 1


def test_scalar_kernels_on_edges():
    for x in EDGES:
        ux = np.uint64(x)
        for y in EDGES:
            uy = np.uint64(y)
            assert int(gl.add(ux, uy)) == (x + y) % P
            assert int(gl.sub(ux, uy)) == (x - y) % P
            assert int(gl.mul(ux, uy)) == x * y % P
        assert int(gl.neg(ux)) == -x % P
        if x:
            assert int(gl.inv(ux)) * x % P == 1


def test_scalar_kernels_on_random_values():
    for _ in range(300):
        x, y = rng.randrange(P), rng.randrange(P)
        assert int(gl.mul(np.uint64(x), np.uint64(y))) == x * y % P
        assert int(gl.add(np.uint64(x), np.uint64(y))) == (x + y) % P
        assert int(gl.sub(np.uint64(x), np.uint64(y))) == (x - y) % P


@pytest.mark.parametrize("e", [0, 1, 2, 3, 12345, 2**32, P - 2, P - 1, P, 2**64 - 1])
def test_pow(e):
    for x in EDGES + [rng.randrange(P) for _ in range(5)]:
        assert int(gl.pow_(np.uint64(x), np.uint64(e))) == pow(x, e, P)


def test_inv_of_zero_is_zero():
    assert int(gl.inv(np.uint64(0))) == 0


def test_elementwise_vector_kernels(pairs):
    a, b = pairs
    assert ints(gl.add_vec(arr(a), arr(b))) == [(x + y) % P for x, y in zip(a, b)]
    assert ints(gl.sub_vec(arr(a), arr(b))) == [(x - y) % P for x, y in zip(a, b)]
    assert ints(gl.mul_vec(arr(a), arr(b))) == [x * y % P for x, y in zip(a, b)]
    assert ints(gl.neg_vec(arr(a))) == [-x % P for x in a]


@pytest.mark.parametrize("s", [0, 1, P - 1, 2**32, 2**63, 2**63 + 5])
def test_scalar_vector_kernels(s):
    a = VALUES[:600]
    assert ints(gl.scale_vec(arr(a), np.uint64(s))) == [x * s % P for x in a]
    assert ints(gl.add_scalar_vec(arr(a), np.uint64(s))) == [(x + s) % P for x in a]


@pytest.mark.parametrize("e", [0, 1, 7, 2**32 + 1, P - 2])
def test_pow_vec(e):
    a = VALUES[:300]
    assert ints(gl.pow_vec(arr(a), np.uint64(e))) == [pow(x, e, P) for x in a]


def test_vector_kernels_return_new_arrays():
    a = arr(VALUES[:64])
    before = a.copy()
    out = gl.mul_vec(a, a)
    assert out is not a and np.array_equal(a, before)
    assert gl.add_vec(arr([]), arr([])).shape == (0,)


@pytest.mark.parametrize("n", [0, 1, 5, 1000, (1 << 15) + 3])
def test_batch_inverse(n):
    values = EDGES[: min(n, len(EDGES))] + [rng.randrange(P) for _ in range(n - min(n, len(EDGES)))]
    if n > 3:
        values[3] = 0
        values[-1] = 0
    out = ints(gl.batch_inverse(arr(values)))
    assert len(out) == n
    for x, y in zip(values, out):
        assert (x == 0 and y == 0) or x * y % P == 1


@pytest.mark.parametrize("n", [0, 1, 2, 17, (1 << 15) + 5])
@pytest.mark.parametrize("base", [0, 1, P - 1, 2**32, 0x1234567890ABCDEF])
def test_powers(n, base):
    out = gl.powers(np.uint64(base), n)
    assert out.shape == (n,) and out.dtype == np.uint64
    if n <= 17:
        assert ints(out) == [pow(base, i, P) for i in range(n)]
    else:
        for i in [0, 1, 2, n // 16 - 1, n // 16, n // 16 + 1, n // 2, n - 2, n - 1]:
            assert int(out[i]) == pow(base, i, P)


def test_roots_of_unity():
    for log_n in range(33):
        w = gl.root_of_unity(log_n)
        assert w == pow(7, (P - 1) >> log_n, P)
        assert pow(w, 1 << log_n, P) == 1
        if log_n:
            assert pow(w, 1 << (log_n - 1), P) == P - 1
    for bad in (33, -1):
        with pytest.raises(FieldError):
            gl.root_of_unity(bad)


def test_inv_int():
    for x in EDGES[1:] + [rng.randrange(1, P) for _ in range(50)]:
        assert gl.inv_int(x) * x % P == 1
    for zero in (0, P):
        with pytest.raises(FieldError):
            gl.inv_int(zero)


def test_to_canonical_array():
    out = gl.to_canonical_array([0, 1, P - 1, 2**63])
    assert out.dtype == np.uint64 and ints(out) == [0, 1, P - 1, 2**63]
    assert gl.to_canonical_array([]).shape == (0,)
    for bad in ([P], [-1], [2**64], [1, P + 5], [1.5]):
        with pytest.raises(FieldError):
            gl.to_canonical_array(bad)
