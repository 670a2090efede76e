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


class DeepEvaluator:
    """Y(x) at single points from opened values (verifier side), in plain ints.

    The constant parts A and B of the DEEP numerators are folded in once per
    proof, so each point costs a few multiply-adds and two extension products.
    """

    def __init__(
        self,
        gamma: Ext,
        trace_z: Sequence[Ext],
        trace_zg: Sequence[Ext],
        comp_z: Sequence[Ext],
    ) -> None:
        coef_z, coef_zg, coef_h = deep_coefficients(gamma, len(trace_z), len(comp_z))
        a = sum((c * v for c, v in zip(coef_z + coef_h, list(trace_z) + list(comp_z))), Ext(0))
        b = sum((c * v for c, v in zip(coef_zg, trace_zg)), Ext(0))
        self.neg_a = (-a.c0 % gl.P, -a.c1 % gl.P)
        self.neg_b = (-b.c0 % gl.P, -b.c1 % gl.P)
        self.coef_z = [(c.c0, c.c1) for c in coef_z]
        self.coef_zg = [(c.c0, c.c1) for c in coef_zg]
        self.coef_h = [(c.c0, 7 * c.c1, c.c1) for c in coef_h]

    def at(self, trace_row: Sequence[int], comp_row: Sequence[Ext], inv_x_minus_z: Ext, inv_x_minus_zg: Ext) -> Ext:
        """Y(x) given the opened row at x, 1/(x - z) and 1/(x - z*g)."""
        p = gl.P
        s10, s11 = self.neg_a
        s20, s21 = self.neg_b
        for (c0, c1), (d0, d1), t in zip(self.coef_z, self.coef_zg, trace_row):
            s10 += c0 * t
            s11 += c1 * t
            s20 += d0 * t
            s21 += d1 * t
        for (g0, g1w, g1), h in zip(self.coef_h, comp_row):
            s10 += g0 * h.c0 + g1w * h.c1
            s11 += g0 * h.c1 + g1 * h.c0
        s10 %= p
        s11 %= p
        s20 %= p
        s21 %= p
        i0, i1 = inv_x_minus_z.c0, inv_x_minus_z.c1
        j0, j1 = inv_x_minus_zg.c0, inv_x_minus_zg.c1
        return Ext(s10 * i0 + 7 * s11 * i1 + s20 * j0 + 7 * s21 * j1, s10 * i1 + s11 * i0 + s20 * j1 + s21 * j0)
