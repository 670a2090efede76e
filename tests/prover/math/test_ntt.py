"""NTTs against a naive DFT with Python ints, and the coset / LDE relations."""

from __future__ import annotations

import random

import numpy as np
import pytest

from prover.math import goldilocks as gl
from prover.math import ntt

P = gl.P
rng = random.Random(3)


def naive_dft(coeffs, offset=1):
    n = len(coeffs)
    w = gl.root_of_unity(n.bit_length() - 1)
    return [sum(c * pow(offset * pow(w, i, P), k, P) for k, c in enumerate(coeffs)) % P for i in range(n)]


def rand(n):
    values = [rng.randrange(P) for _ in range(n)]
    edges = [0, 1, P - 1, 2**32]
    return (edges + values)[:n] if n >= 4 else values


def as_ints(arr):
    return [int(v) for v in arr]


@pytest.mark.parametrize("n", [1, 2, 4, 8, 16, 64])
def test_ntt_matches_naive_dft(n):
    coeffs = rand(n)
    assert as_ints(ntt.ntt(np.array(coeffs, dtype=np.uint64))) == naive_dft(coeffs)


@pytest.mark.parametrize("n", [1, 8, 64])
def test_coset_ntt_matches_naive(n):
    coeffs = rand(n)
    assert as_ints(ntt.coset_ntt(np.array(coeffs, dtype=np.uint64), 7)) == naive_dft(coeffs, 7)


@pytest.mark.parametrize("log_n", [0, 1, 5, 10, 12])
def test_round_trips(log_n):
    values = np.array(rand(1 << log_n), dtype=np.uint64)
    assert as_ints(ntt.intt(ntt.ntt(values))) == as_ints(values)
    assert as_ints(ntt.coset_intt(ntt.coset_ntt(values, 7), 7)) == as_ints(values)


def test_lde_extends_the_same_polynomial():
    t, blowup = 16, 4
    evals = np.array(rand(t), dtype=np.uint64)
    coeffs = as_ints(ntt.intt(evals))
    extended = ntt.lde(evals, blowup, 7)
    w = gl.root_of_unity((t * blowup).bit_length() - 1)
    for i in [0, 1, 13, t * blowup - 1]:
        assert int(extended[i]) == ntt.eval_poly_int(coeffs, 7 * pow(w, i, P) % P)


def test_row_versions_equal_per_row_calls():
    rows = np.array([rand(32) for _ in range(3)], dtype=np.uint64)
    assert np.array_equal(ntt.ntt_rows(rows), np.stack([ntt.ntt(r) for r in rows]))
    assert np.array_equal(ntt.intt_rows(rows), np.stack([ntt.intt(r) for r in rows]))
    assert np.array_equal(ntt.coset_ntt_rows(rows, 7), np.stack([ntt.coset_ntt(r, 7) for r in rows]))
    assert np.array_equal(ntt.lde_rows(rows, 2, 7), np.stack([ntt.lde(r, 2, 7) for r in rows]))


def test_non_power_of_two_is_refused():
    with pytest.raises(ValueError):
        ntt.ntt(np.zeros(3, dtype=np.uint64))
