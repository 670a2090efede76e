"""DEEP composition: one low-degree polynomial that stands for all committed columns.

With DEEP coefficients gamma^k (k in the order below), the prover commits to

    Y(x) = (S1(x) - A) / (x - z) + (S2(x) - B) / (x - z*g)

    S1 = sum_c gamma^(2c) T_c + sum_j gamma^(2w+j) H_j      A = S1 at the claimed values at z
    S2 = sum_c gamma^(2c+1) T_c                              B = S2 at the claimed values at z*g

Y has degree < T exactly when the claimed out-of-domain values are the true
evaluations, so FRI on Y checks the claims.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from prover.math import goldilocks as gl
from prover.math.goldilocks_ext import Ext, ext_batch_inverse, ext_mul_vec
from prover.math.poly import linear_combination
from prover.stark.composition import constraint_coefficients


def deep_coefficients(gamma: Ext, width: int, comp_columns: int) -> tuple[list[Ext], list[Ext], list[Ext]]:
    """(coefficients of T_c at z, of T_c at z*g, of H_j at z)."""
    powers = constraint_coefficients(gamma, 2 * width + comp_columns)
    return powers[0 : 2 * width : 2], powers[1 : 2 * width : 2], powers[2 * width :]


def _ext_lincomb(base_rows: np.ndarray, base_coeffs: Sequence[Ext], ext_rows: np.ndarray, ext_coeffs: Sequence[Ext]) -> np.ndarray:
    """sum base_coeffs[c]*base_rows[c] + sum ext_coeffs[j]*(ext_rows[2j] + X*ext_rows[2j+1]) -> (2, n)."""
    rows = [base_rows]
    c0 = [e.c0 for e in base_coeffs]
    c1 = [e.c1 for e in base_coeffs]
    if len(ext_coeffs):
        rows.append(ext_rows)
        for e in ext_coeffs:
            # (g0 + g1 X)(h0 + h1 X) = (g0 h0 + 7 g1 h1) + (g0 h1 + g1 h0) X
            c0 += [e.c0, 7 * e.c1 % gl.P]
            c1 += [e.c1, e.c0]
    stacked = np.concatenate(rows) if len(rows) > 1 else base_rows
    return np.stack(
        [
            linear_combination(stacked, np.array(c0, dtype=np.uint64)),
            linear_combination(stacked, np.array(c1, dtype=np.uint64)),
        ]
    )


def _inverse_shifted(domain: np.ndarray, point: Ext) -> np.ndarray:
    """1 / (x - point) for every x in the base-field domain, as (2, n)."""
    diff = np.stack(
        [
            gl.add_scalar_vec(domain, np.uint64((gl.P - point.c0) % gl.P)),
            np.full(domain.shape[0], (gl.P - point.c1) % gl.P, dtype=np.uint64),
        ]
    )
    return ext_batch_inverse(diff)


def deep_on_lde(
    trace_lde: np.ndarray,
    comp_lde: np.ndarray,
    domain: np.ndarray,
    z: Ext,
    zg: Ext,
    trace_z: Sequence[Ext],
    trace_zg: Sequence[Ext],
    comp_z: Sequence[Ext],
    gamma: Ext,
) -> np.ndarray:
    """Evaluations of the DEEP polynomial Y over the LDE domain, shape (2, n)."""
    width = trace_lde.shape[0]
    coef_z, coef_zg, coef_h = deep_coefficients(gamma, width, len(comp_z))
    s1 = _ext_lincomb(trace_lde, coef_z, comp_lde, coef_h)
    s2 = _ext_lincomb(trace_lde, coef_zg, comp_lde, [])
    a = sum((c * v for c, v in zip(coef_z + coef_h, list(trace_z) + list(comp_z))), Ext(0))
    b = sum((c * v for c, v in zip(coef_zg, trace_zg)), Ext(0))
    s1[0] = gl.add_scalar_vec(s1[0], np.uint64((gl.P - a.c0) % gl.P))
    s1[1] = gl.add_scalar_vec(s1[1], np.uint64((gl.P - a.c1) % gl.P))
    s2[0] = gl.add_scalar_vec(s2[0], np.uint64((gl.P - b.c0) % gl.P))
    s2[1] = gl.add_scalar_vec(s2[1], np.uint64((gl.P - b.c1) % gl.P))
    left = ext_mul_vec(s1, _inverse_shifted(domain, z))
    right = ext_mul_vec(s2, _inverse_shifted(domain, zg))
    return np.stack([gl.add_vec(left[0], right[0]), gl.add_vec(left[1], right[1])])


def deep_at(
    x: int,
    trace_row: Sequence[int],
    comp_row: Sequence[Ext],
    z: Ext,
    zg: Ext,
    trace_z: Sequence[Ext],
    trace_zg: Sequence[Ext],
    comp_z: Sequence[Ext],
    coefficients: tuple[list[Ext], list[Ext], list[Ext]],
) -> Ext:
    """Y(x) from the opened trace row and composition values at one point (verifier side)."""
    coef_z, coef_zg, coef_h = coefficients
    s1 = Ext(0)
    s2 = Ext(0)
    for cz, czg, t, tz, tzg in zip(coef_z, coef_zg, trace_row, trace_z, trace_zg):
        s1 = s1 + cz * (t - tz)
        s2 = s2 + czg * (t - tzg)
    for ch, h, hz in zip(coef_h, comp_row, comp_z):
        s1 = s1 + ch * (h - hz)
    return s1 * (x - z).inverse() + s2 * (x - zg).inverse()
