"""The prover's DEEP kernel against the verifier's point formula, and against the quotients written out in Python."""

from __future__ import annotations

import random

import numpy as np
import pytest

from prover.math import goldilocks as gl
from prover.math.goldilocks_ext import Ext
from prover.stark.deep import DeepEvaluator, deep_coefficients, deep_on_lde


def _ext(rng: random.Random) -> Ext:
    return Ext(rng.randrange(gl.P), rng.randrange(gl.P))


@pytest.mark.parametrize("width, comp_columns, n", [(1, 1, 3), (4, 2, 4096 + 17), (23, 7, 1000)])
def test_kernel_matches_the_verifier_formula_at_every_point(width, comp_columns, n):
    """One chunk, several chunks and a ragged last one: every point equals DeepEvaluator.at, and the sum of
    the two quotients computed with plain extension arithmetic."""
    rng = random.Random(width * 1000 + n)
    trace = np.array([[rng.randrange(gl.P) for _ in range(n)] for _ in range(width)], dtype=np.uint64)
    comp = np.array([[rng.randrange(gl.P) for _ in range(n)] for _ in range(2 * comp_columns)], dtype=np.uint64)
    domain = np.array([rng.randrange(gl.P) for _ in range(n)], dtype=np.uint64)
    z, zg, gamma = _ext(rng), _ext(rng), _ext(rng)
    trace_z = [_ext(rng) for _ in range(width)]
    trace_zg = [_ext(rng) for _ in range(width)]
    comp_z = [_ext(rng) for _ in range(comp_columns)]
    values = deep_on_lde(trace, comp, domain, z, zg, trace_z, trace_zg, comp_z, gamma)
    assert values.shape == (2, n) and values.dtype == np.uint64
    evaluator = DeepEvaluator(gamma, trace_z, trace_zg, comp_z)
    coef_z, coef_zg, coef_h = deep_coefficients(gamma, width, comp_columns)
    for i in rng.sample(range(n), min(n, 40)) + [n - 1]:
        x = Ext(int(domain[i]))
        row = [int(v) for v in trace[:, i]]
        comp_row = [Ext(int(comp[2 * j, i]), int(comp[2 * j + 1, i])) for j in range(comp_columns)]
        got = Ext(int(values[0, i]), int(values[1, i]))
        assert got == evaluator.at(row, comp_row, (x - z).inverse(), (x - zg).inverse())
        s1 = sum((c * t for c, t in zip(coef_z, row)), Ext(0)) + sum((c * h for c, h in zip(coef_h, comp_row)), Ext(0))
        s2 = sum((c * t for c, t in zip(coef_zg, row)), Ext(0))
        a = sum((c * v for c, v in zip(coef_z + coef_h, trace_z + comp_z)), Ext(0))
        b = sum((c * v for c, v in zip(coef_zg, trace_zg)), Ext(0))
        assert got == (s1 - a) * (x - z).inverse() + (s2 - b) * (x - zg).inverse()
