"""NTTs against a naive DFT with Python ints, and the coset, LDE and row-batch relations.

Sizes from 2^13 up exercise the radix-4 / radix-2 passes above the cache
block, and from 2^14 the multi-threaded single-transform path; those are
checked at a few points against naive polynomial evaluation.
"""

from __future__ import annotations

import random

import numpy as np
import pytest

from prover.errors import FieldError, InvalidParametersError
from prover.math import goldilocks as gl
from prover.math import ntt

P = gl.P
rng = random.Random(3)
EDGES = [0, 1, P - 1, 2**32, 2**32 - 1, 2**63, P - 2]


def naive_dft(coeffs: list[int], offset: int = 1) -> list[int]:
    n = len(coeffs)
    w = gl.root_of_unity(n.bit_length() - 1)
    return [ntt.eval_poly_int(coeffs, offset * pow(w, i, P) % P) for i in range(n)]


def naive_inverse_dft(evals: list[int]) -> list[int]:
    n = len(evals)
    w_inv = gl.inv_int(gl.root_of_unity(n.bit_length() - 1))
    n_inv = gl.inv_int(n)
    return [n_inv * sum(e * pow(w_inv, i * k, P) for i, e in enumerate(evals)) % P for k in range(n)]


def rand(n: int) -> list[int]:
    values = EDGES + [rng.randrange(P) for _ in range(n)]
    return values[:n] if n >= len(EDGES) else [rng.randrange(P) for _ in range(n)]


def arr(values) -> np.ndarray:
    return np.array(values, dtype=np.uint64)


def ints(array) -> list[int]:
    return [int(v) for v in array]


def spot_points(n: int) -> list[int]:
    return sorted({0, 1, n // 2, n - 1, rng.randrange(n), rng.randrange(n)})


@pytest.mark.parametrize("n", [1, 2, 4, 8, 16, 64])
def test_ntt_and_intt_match_naive_dft(n):
    coeffs = rand(n)
    evals = ntt.ntt(arr(coeffs))
    assert evals.dtype == np.uint64 and ints(evals) == naive_dft(coeffs)
    assert ints(ntt.intt(arr(coeffs))) == naive_inverse_dft(coeffs)


def test_ntt_of_special_inputs():
    n = 16
    assert ints(ntt.ntt(arr([0] * n))) == [0] * n
    assert ints(ntt.ntt(arr([5] + [0] * (n - 1)))) == [5] * n
    assert ints(ntt.intt(arr([P - 1] * n))) == [P - 1] + [0] * (n - 1)
    w = gl.root_of_unity(4)
    assert ints(ntt.ntt(arr([0, 1] + [0] * (n - 2)))) == [pow(w, i, P) for i in range(n)]


@pytest.mark.parametrize("n", [1, 2, 8, 64])
@pytest.mark.parametrize("offset", [7, P - 1, 2**32])
def test_coset_ntt_matches_naive(n, offset):
    coeffs = rand(n)
    assert ints(ntt.coset_ntt(arr(coeffs), offset)) == naive_dft(coeffs, offset)


@pytest.mark.parametrize("log_n", [0, 1, 2, 3, 5, 10, 11, 12])
def test_round_trips(log_n):
    values = arr(rand(1 << log_n))
    assert np.array_equal(ntt.intt(ntt.ntt(values)), values)
    assert np.array_equal(ntt.ntt(ntt.intt(values)), values)
    assert np.array_equal(ntt.coset_intt(ntt.coset_ntt(values, 7), 7), values)


@pytest.mark.parametrize("log_n", [13, 14, 15, 16])
def test_large_transforms_at_sample_points(log_n):
    n = 1 << log_n
    coeffs = rand(n)
    values = arr(coeffs)
    w = gl.root_of_unity(log_n)
    evals = ntt.ntt(values)
    coset = ntt.coset_ntt(values, 7)
    for i in spot_points(n):
        x = pow(w, i, P)
        assert int(evals[i]) == ntt.eval_poly_int(coeffs, x)
        assert int(coset[i]) == ntt.eval_poly_int(coeffs, 7 * x % P)
    assert np.array_equal(ntt.intt(evals), values)
    assert np.array_equal(ntt.coset_intt(coset, 7), values)


def test_inputs_are_not_modified():
    values = arr(rand(1 << 14))
    before = values.copy()
    ntt.ntt(values)
    ntt.intt(values)
    ntt.coset_ntt(values, 7)
    ntt.lde(values, 2, 7)
    assert np.array_equal(values, before)


def test_accepts_lists_and_non_contiguous_arrays():
    coeffs = rand(8)
    assert ints(ntt.ntt(coeffs)) == naive_dft(coeffs)
    wide = arr(rand(16))
    assert np.array_equal(ntt.ntt(wide[::2]), ntt.ntt(wide[::2].copy()))


@pytest.mark.parametrize("t, blowup", [(1, 4), (2, 2), (16, 1), (16, 4), (64, 8), (1 << 13, 2)])
def test_lde_extends_the_same_polynomial(t, blowup):
    evals = arr(rand(t))
    coeffs = naive_inverse_dft(ints(evals)) if t <= 64 else ints(ntt.intt(evals))
    extended = ntt.lde(evals, blowup, 7)
    n = t * blowup
    assert extended.shape == (n,)
    w = gl.root_of_unity(n.bit_length() - 1)
    for i in spot_points(n):
        assert int(extended[i]) == ntt.eval_poly_int(coeffs, 7 * pow(w, i, P) % P)
    if t <= 64:
        assert ints(extended) == naive_dft(coeffs + [0] * (n - t), 7)


def test_lde_with_unit_offset_contains_the_original_evaluations():
    evals = arr(rand(32))
    extended = ntt.lde(evals, 4, 1)
    assert np.array_equal(extended[::4], evals)


@pytest.mark.parametrize("k, n", [(1, 32), (3, 32), (2, 1 << 14), (3, 1 << 14)])
def test_row_versions_equal_per_row_calls(k, n):
    rows = arr([rand(n) for _ in range(k)])
    assert np.array_equal(ntt.ntt_rows(rows), np.stack([ntt.ntt(r) for r in rows]))
    assert np.array_equal(ntt.intt_rows(rows), np.stack([ntt.intt(r) for r in rows]))
    assert np.array_equal(ntt.coset_ntt_rows(rows, 7), np.stack([ntt.coset_ntt(r, 7) for r in rows]))
    assert np.array_equal(ntt.coset_intt_rows(rows, 7), np.stack([ntt.coset_intt(r, 7) for r in rows]))


@pytest.mark.parametrize("k, t, blowup", [(1, 16, 4), (3, 32, 2), (2, 1 << 12, 8), (3, 1 << 12, 4)])
def test_lde_rows_equal_per_row_calls(k, t, blowup):
    rows = arr([rand(t) for _ in range(k)])
    out = ntt.lde_rows(rows, blowup, 7)
    assert out.shape == (k, t * blowup)
    assert np.array_equal(out, np.stack([ntt.lde(r, blowup, 7) for r in rows]))
    coeffs = ntt.intt_rows(rows)
    assert np.array_equal(ntt.lde_from_coeffs_rows(coeffs, blowup, 7), out)
    w = gl.root_of_unity((t * blowup).bit_length() - 1)
    for i in spot_points(t * blowup):
        assert int(out[-1, i]) == ntt.eval_poly_int(ints(coeffs[-1]), 7 * pow(w, i, P) % P)


def test_empty_row_batches():
    empty = np.zeros((0, 8), dtype=np.uint64)
    assert ntt.ntt_rows(empty).shape == (0, 8)
    assert ntt.lde_rows(empty, 4, 7).shape == (0, 32)


def test_bad_sizes_are_refused():
    with pytest.raises(InvalidParametersError):
        ntt.ntt(np.zeros(3, dtype=np.uint64))
    with pytest.raises(InvalidParametersError):
        ntt.intt(np.zeros(0, dtype=np.uint64))
    with pytest.raises(InvalidParametersError):
        ntt.lde(np.zeros(4, dtype=np.uint64), 3, 7)
    with pytest.raises(InvalidParametersError):
        ntt.ntt_rows(np.zeros((2, 6), dtype=np.uint64))
    with pytest.raises(InvalidParametersError):
        ntt.ntt_rows(np.zeros(4, dtype=np.uint64))
    with pytest.raises(InvalidParametersError):
        ntt.ntt(np.zeros((2, 4), dtype=np.uint64))
    with pytest.raises(FieldError):
        ntt.coset_intt(np.zeros(4, dtype=np.uint64), 0)


def test_eval_poly_int():
    assert ntt.eval_poly_int([], 5) == 0
    assert ntt.eval_poly_int([3], 5) == 3
    assert ntt.eval_poly_int([1, 2, 3], 10) == 321
    assert ntt.eval_poly_int([P - 1, 1], P - 1) == P - 2
