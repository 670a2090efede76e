"""Polynomial helper kernels against plain-int references."""

from __future__ import annotations

import random

import numpy as np

from prover.math import goldilocks as gl
from prover.math.goldilocks_ext import Ext
from prover.math.poly import eval_base_poly_at_ext, eval_columns_at, eval_ext_poly, linear_combination, poly_mul, vanishing_poly

P = gl.P
rng = random.Random(21)


def test_eval_base_poly_at_ext_matches_horner():
    coeffs = [0, 1, P - 1, 2**32] + [rng.randrange(P) for _ in range(60)]
    z = Ext(rng.randrange(P), rng.randrange(P))
    expected = Ext(0)
    for c in reversed(coeffs):
        expected = expected * z + c
    got = eval_base_poly_at_ext(np.array(coeffs, dtype=np.uint64), np.uint64(z.c0), np.uint64(z.c1))
    assert Ext(int(got[0]), int(got[1])) == expected
    assert eval_columns_at(np.array([coeffs], dtype=np.uint64), z) == [expected]
    assert eval_ext_poly([Ext(c) for c in coeffs], z) == expected


def test_linear_combination():
    rows = [[rng.randrange(P) for _ in range(100)] for _ in range(5)]
    rows[0][:4] = [0, 1, P - 1, 2**32]
    coeffs = [P - 1, 0, 1, 2**32, rng.randrange(P)]
    got = linear_combination(np.array(rows, dtype=np.uint64), np.array(coeffs, dtype=np.uint64))
    expected = [sum(c * r[i] for c, r in zip(coeffs, rows)) % P for i in range(100)]
    assert [int(v) for v in got] == expected


def _horner(coeffs, x: int) -> int:
    acc = 0
    for c in reversed(coeffs):
        acc = (acc * x + int(c)) % P
    return acc


def test_vanishing_poly_is_monic_and_vanishes_exactly_on_its_points():
    for count in (1, 5, 64, 65, 300):
        points = [rng.randrange(P) for _ in range(count)]
        coeffs = vanishing_poly(np.array(points, dtype=np.uint64))
        assert len(coeffs) == count + 1 and int(coeffs[-1]) == 1
        assert all(_horner(coeffs, x) == 0 for x in points[:20] + points[-20:])
        other = rng.randrange(P)
        expected = 1
        for x in points:
            expected = expected * (other - x) % P
        assert _horner(coeffs, other) == expected


def test_poly_mul_matches_schoolbook():
    for sizes in ((3, 4), (100, 70), (129, 256)):
        a = [rng.randrange(P) for _ in range(sizes[0])]
        b = [rng.randrange(P) for _ in range(sizes[1])]
        expected = [0] * (len(a) + len(b) - 1)
        for i, x in enumerate(a):
            for j, y in enumerate(b):
                expected[i + j] = (expected[i + j] + x * y) % P
        got = poly_mul(np.array(a, dtype=np.uint64), np.array(b, dtype=np.uint64))
        assert [int(v) for v in got] == expected
