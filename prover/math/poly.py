"""Polynomial and linear-combination kernels shared by the STARK prover.

Extension elements appear here as (c0, c1) pairs of base elements with
X^2 = 7, matching :mod:`prover.math.goldilocks_ext`.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
from numba import njit, prange

from prover.math import goldilocks as gl
from prover.math.goldilocks_ext import Ext
from prover.math.ntt import intt, ntt

_SEVEN = np.uint64(7)


@njit(cache=True)
def eval_base_poly_at_ext(coeffs: np.ndarray, z0: np.uint64, z1: np.uint64):
    """Horner evaluation of a base-coefficient polynomial at the extension point (z0, z1)."""
    r0 = np.uint64(0)
    r1 = np.uint64(0)
    for i in range(coeffs.shape[0] - 1, -1, -1):
        t0 = gl.add(gl.mul(r0, z0), gl.mul(_SEVEN, gl.mul(r1, z1)))
        t1 = gl.add(gl.mul(r0, z1), gl.mul(r1, z0))
        r0 = gl.add(t0, coeffs[i])
        r1 = t1
    return r0, r1


@njit(cache=True, parallel=True)
def linear_combination(rows: np.ndarray, coeffs: np.ndarray) -> np.ndarray:
    """sum_k coeffs[k] * rows[k] over base-field vectors: (m, n) x (m,) -> (n,)."""
    m, n = rows.shape
    out = np.zeros(n, dtype=np.uint64)
    for i in prange(n):
        acc = np.uint64(0)
        for k in range(m):
            acc = gl.add(acc, gl.mul(coeffs[k], rows[k, i]))
        out[i] = acc
    return out


def eval_columns_at(coeffs: np.ndarray, point: Ext) -> list[Ext]:
    """Evaluate each row of a (k, n) base-coefficient matrix at an extension point."""
    z0, z1 = np.uint64(point.c0), np.uint64(point.c1)
    return [Ext(*(int(v) for v in eval_base_poly_at_ext(row, z0, z1))) for row in coeffs]


def eval_ext_poly(coeffs: Sequence[Ext], x: Ext | int) -> Ext:
    """Horner evaluation of an extension-coefficient polynomial (plain Python)."""
    acc = Ext(0)
    for c in reversed(coeffs):
        acc = acc * x + c
    return acc


@njit(cache=True)
def _mul_small(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    out = np.zeros(a.shape[0] + b.shape[0] - 1, dtype=np.uint64)
    for i in range(a.shape[0]):
        for j in range(b.shape[0]):
            out[i + j] = gl.add(out[i + j], gl.mul(a[i], b[j]))
    return out


@njit(cache=True)
def _vanishing_small(points: np.ndarray) -> np.ndarray:
    out = np.zeros(points.shape[0] + 1, dtype=np.uint64)
    out[0] = np.uint64(1)
    for k in range(points.shape[0]):
        neg = gl.sub(np.uint64(0), points[k])
        for i in range(k + 1, 0, -1):
            out[i] = gl.add(out[i - 1], gl.mul(neg, out[i]))
        out[0] = gl.mul(neg, out[0])
    return out


#: Below this many points the vanishing polynomial is multiplied out directly, above it by NTTs.
_SMALL_PRODUCT = 64


def poly_mul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Coefficients of a * b (base field, lowest degree first)."""
    size = a.shape[0] + b.shape[0] - 1
    if min(a.shape[0], b.shape[0]) <= _SMALL_PRODUCT:
        return _mul_small(a, b)
    n = 1 << (size - 1).bit_length()
    fa = np.zeros(n, dtype=np.uint64)
    fb = np.zeros(n, dtype=np.uint64)
    fa[: a.shape[0]] = a
    fb[: b.shape[0]] = b
    return intt(gl.mul_vec(ntt(fa), ntt(fb)))[:size]


def vanishing_poly(points: np.ndarray) -> np.ndarray:
    """Coefficients of prod_k (x - points[k]), by a product tree: O(n log^2 n) for n points."""
    points = np.asarray(points, dtype=np.uint64)
    if points.shape[0] <= _SMALL_PRODUCT:
        return _vanishing_small(points)
    half = points.shape[0] // 2
    return poly_mul(vanishing_poly(points[:half]), vanishing_poly(points[half:]))
