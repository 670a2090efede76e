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
