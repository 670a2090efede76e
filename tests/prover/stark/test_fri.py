"""FRI: the prover's whole-layer folds agree with the verifier's per-coset fold."""

from __future__ import annotations

import random

import numpy as np
import pytest

from prover.errors import TraceError
from prover.math import goldilocks as gl
from prover.math.goldilocks_ext import Ext
from prover.math.ntt import coset_ntt
from prover.stark.fri import coset_leaves, final_polynomial, fold_coset, fold_layer

rng = random.Random(4)


def random_low_degree_layer(n: int, degree: int, offset: int) -> np.ndarray:
    rows = []
    for _ in range(2):
        coeffs = np.zeros(n, dtype=np.uint64)
        coeffs[:degree] = [rng.randrange(gl.P) for _ in range(degree)]
        rows.append(coset_ntt(coeffs, offset))
    return np.stack(rows)


@pytest.mark.parametrize("log_folding", [1, 2, 3, 4])
def test_layer_fold_equals_coset_fold(log_folding):
    n, f, offset = 256, 1 << log_folding, 7
    evals = random_low_degree_layer(n, 64, offset)
    beta = Ext(rng.randrange(gl.P), rng.randrange(gl.P))
    folded, new_offset = fold_layer(evals, offset, log_folding, beta)
    assert new_offset == pow(offset, f, gl.P)
    omega = gl.root_of_unity(8)
    for j in [0, 1, n // f - 1, 17 % (n // f)]:
        values = [Ext(int(evals[0, j + k * n // f]), int(evals[1, j + k * n // f])) for k in range(f)]
        x = offset * pow(omega, j, gl.P) % gl.P
        assert fold_coset(values, gl.inv_int(x), log_folding, beta) == Ext(int(folded[0, j]), int(folded[1, j]))


def test_folding_divides_the_degree():
    n, offset = 512, 7
    evals = random_low_degree_layer(n, 64, offset)
    beta = Ext(5, 6)
    folded, new_offset = fold_layer(evals, offset, 3, beta)
    assert len(final_polynomial(folded, new_offset, 8)) == 8
    with pytest.raises(TraceError):
        final_polynomial(folded, new_offset, 4)


def test_coset_leaves_layout():
    n, f = 16, 4
    cols = np.arange(2 * n, dtype=np.uint64).reshape(2, n)
    leaves = coset_leaves(cols, f)
    assert leaves.shape == (n // f, f * 2 * 8)
    words = [int.from_bytes(leaves[1].tobytes()[i : i + 8], "big") for i in range(0, f * 16, 8)]
    # leaf 1 holds positions 1, 5, 9, 13; per position c0 then c1
    assert words == [1, n + 1, 5, n + 5, 9, n + 9, 13, n + 13]
