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
from numba import njit, prange

from prover.math import goldilocks as gl
from prover.math.goldilocks import batch_inverse_into, add, mul, sub
from prover.math.goldilocks_ext import Ext, ext_mul
from prover.stark.composition import constraint_coefficients

_W = np.uint64(7)


def deep_coefficients(gamma: Ext, width: int, comp_columns: int) -> tuple[list[Ext], list[Ext], list[Ext]]:
    """(coefficients of T_c at z, of T_c at z*g, of H_j at z)."""
    powers = constraint_coefficients(gamma, 2 * width + comp_columns)
    return powers[0 : 2 * width : 2], powers[1 : 2 * width : 2], powers[2 * width :]


#: Points per task of the DEEP kernel: its norms are inverted together (one field inversion per chunk).
_CHUNK = 1 << 12


@njit(cache=True)
def _deep_chunk(trace, comp, domain, cz, czg, ch, neg_ab, zz, out, lo, hi):
    """DEEP values at domain points lo..hi; the arguments are those of :func:`_deep_kernel`."""
    m = hi - lo
    z0, z1, zg0, zg1 = zz[0], zz[1], zz[2], zz[3]
    k1 = mul(_W, mul(z1, z1))
    k2 = mul(_W, mul(zg1, zg1))
    norms = np.empty(2 * m, dtype=np.uint64)
    for i in range(m):
        u = sub(domain[lo + i], z0)
        v = sub(domain[lo + i], zg0)
        norms[i] = sub(mul(u, u), k1)
        norms[m + i] = sub(mul(v, v), k2)
    inverses = np.empty(2 * m, dtype=np.uint64)
    batch_inverse_into(norms, inverses)
    width = trace.shape[0]
    for i in range(m):
        at = lo + i
        s10, s11, s20, s21 = neg_ab[0], neg_ab[1], neg_ab[2], neg_ab[3]
        for c in range(width):
            t = trace[c, at]
            s10 = add(s10, mul(cz[0, c], t))
            s11 = add(s11, mul(cz[1, c], t))
            s20 = add(s20, mul(czg[0, c], t))
            s21 = add(s21, mul(czg[1, c], t))
        for j in range(ch.shape[1]):
            p0, p1 = ext_mul(ch[0, j], ch[1, j], comp[2 * j, at], comp[2 * j + 1, at])
            s10 = add(s10, p0)
            s11 = add(s11, p1)
        # 1 / (x - z) = ((x - z0) + z1 X) / ((x - z0)^2 - 7 z1^2), and the same at z*g
        x = domain[at]
        l0, l1 = ext_mul(s10, s11, mul(sub(x, z0), inverses[i]), mul(z1, inverses[i]))
        r0, r1 = ext_mul(s20, s21, mul(sub(x, zg0), inverses[m + i]), mul(zg1, inverses[m + i]))
        out[0, at] = add(l0, r0)
        out[1, at] = add(l1, r1)


@njit(cache=True, parallel=True)
def _deep_kernel(trace, comp, domain, cz, czg, ch, neg_ab, zz):
    """(S1(x) - A) / (x - z) + (S2(x) - B) / (x - z g) at every domain point, in one pass over the columns.

    ``cz``/``czg`` (2, width) and ``ch`` (2, comp columns) are the DEEP coefficients' c0/c1 rows,
    ``neg_ab`` holds -A and -B, ``zz`` holds z and z*g.
    """
    n = domain.shape[0]
    out = np.empty((2, n), dtype=np.uint64)
    chunks = (n + _CHUNK - 1) // _CHUNK
    for k in prange(chunks):
        lo = k * _CHUNK
        _deep_chunk(trace, comp, domain, cz, czg, ch, neg_ab, zz, out, lo, min(n, lo + _CHUNK))
    return out


def _ext_rows(values: Sequence[Ext]) -> np.ndarray:
    """(2, k) uint64: the c0 row and the c1 row of ``values``."""
    return np.array([[e.c0 for e in values], [e.c1 for e in values]], dtype=np.uint64).reshape(2, len(values))


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
    a = sum((c * v for c, v in zip(coef_z + coef_h, list(trace_z) + list(comp_z))), Ext(0))
    b = sum((c * v for c, v in zip(coef_zg, trace_zg)), Ext(0))
    neg_ab = np.array([(gl.P - a.c0) % gl.P, (gl.P - a.c1) % gl.P, (gl.P - b.c0) % gl.P, (gl.P - b.c1) % gl.P],
                      dtype=np.uint64)
    zz = np.array([z.c0, z.c1, zg.c0, zg.c1], dtype=np.uint64)
    return _deep_kernel(np.ascontiguousarray(trace_lde), np.ascontiguousarray(comp_lde), np.ascontiguousarray(domain),
                        _ext_rows(coef_z), _ext_rows(coef_zg), _ext_rows(coef_h), neg_ab, zz)


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
