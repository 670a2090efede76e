"""FRI: proves that the DEEP polynomial has degree < T.

Layer 0 is the DEEP polynomial over the LDE coset; it is not committed, its
values are recomputed by the verifier from the trace and composition
openings.  Each round folds by the folding factor f (as log2(f) binary folds
with beta, beta^2, beta^4, ...), commits the next layer in a Merkle tree whose
leaf j holds the f values at positions j + k*(n/f) (one coset of the f-th
roots of unity), and draws the next beta.  The last fold yields a polynomial
of at most 2^log_max_remainder coefficients that is sent in the clear.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from numba import njit, prange

from prover.errors import TraceError
from prover.math import goldilocks as gl
from prover.math.goldilocks_ext import Ext
from prover.math.ntt import coset_intt

INV2 = (gl.P + 1) // 2


@njit(cache=True, parallel=True)
def fold_binary(evals: np.ndarray, inv_x: np.ndarray, b0: np.uint64, b1: np.uint64) -> np.ndarray:
    """One binary fold: out[i] = (a+b)/2 + beta*(a-b)/(2*x_i), a = evals[i], b = evals[i+n/2]."""
    half = evals.shape[1] // 2
    out = np.empty((2, half), dtype=np.uint64)
    inv2 = np.uint64(INV2)
    seven = np.uint64(7)
    for i in prange(half):
        a0 = evals[0, i]
        a1 = evals[1, i]
        c0 = evals[0, i + half]
        c1 = evals[1, i + half]
        s0 = gl.mul(gl.add(a0, c0), inv2)
        s1 = gl.mul(gl.add(a1, c1), inv2)
        k = gl.mul(inv_x[i], inv2)
        d0 = gl.mul(gl.sub(a0, c0), k)
        d1 = gl.mul(gl.sub(a1, c1), k)
        e0 = gl.add(gl.mul(b0, d0), gl.mul(seven, gl.mul(b1, d1)))
        e1 = gl.add(gl.mul(b0, d1), gl.mul(b1, d0))
        out[0, i] = gl.add(s0, e0)
        out[1, i] = gl.add(s1, e1)
    return out


def fold_layer(evals: np.ndarray, offset: int, log_folding: int, beta: Ext) -> tuple[np.ndarray, int]:
    """Fold a layer over coset offset*<omega_n> by 2^log_folding; returns (values, new offset)."""
    for _ in range(log_folding):
        n = evals.shape[1]
        omega_inv = gl.inv_int(gl.root_of_unity((n - 1).bit_length()))
        inv_x = gl.scale_vec(gl.powers(np.uint64(omega_inv), n // 2), np.uint64(gl.inv_int(offset)))
        evals = fold_binary(evals, inv_x, np.uint64(beta.c0), np.uint64(beta.c1))
        offset = offset * offset % gl.P
        beta = beta * beta
    return evals, offset


_LOW32 = np.uint64(0x00000000FFFFFFFF)
_LOW16 = np.uint64(0x0000FFFF0000FFFF)
_LOW8 = np.uint64(0x00FF00FF00FF00FF)
_S32 = np.uint64(32)
_S16 = np.uint64(16)
_S8 = np.uint64(8)


@njit(cache=True, parallel=True)
def _coset_leaf_words(columns: np.ndarray, folding: int, out: np.ndarray) -> None:
    """out[j, k*m + c] = byte-swapped columns[c, j + k*n/f]: each leaf row, as big-endian 8-byte words."""
    m, n = columns.shape
    step = n // folding
    for j in prange(step):
        for k in range(folding):
            for c in range(m):
                v = columns[c, k * step + j]
                v = ((v & _LOW32) << _S32) | (v >> _S32)
                v = ((v & _LOW16) << _S16) | ((v >> _S16) & _LOW16)
                v = ((v & _LOW8) << _S8) | ((v >> _S8) & _LOW8)
                out[j, k * m + c] = v


def coset_leaves(columns: np.ndarray, folding: int) -> np.ndarray:
    """Leaf bytes of an (m, n) matrix: leaf j = for k < f, the m values at position j + k*n/f (8-byte BE).

    An extension vector (2, n) gives c0 || c1 per position; a composition
    matrix with rows (H_0.c0, H_0.c1, H_1.c0, ...) gives H_0, H_1, ... per position.
    """
    m, n = columns.shape
    words = np.empty((n // folding, folding * m), dtype=np.uint64)
    _coset_leaf_words(np.ascontiguousarray(columns, dtype=np.uint64), folding, words)
    return words.view(np.uint8).reshape(n // folding, folding * m * 8)


@lru_cache(maxsize=None)
def _zeta_inverse(log_folding: int) -> int:
    return gl.inv_int(gl.root_of_unity(log_folding))


def fold_coset(values: list[Ext], inv_x: int, log_folding: int, beta: Ext) -> Ext:
    """Fold the f values of one coset {x * zeta^k} into the next layer's value at x^f (verifier side).

    Takes 1/x, which the verifier derives without an inversion.  Plain-int
    arithmetic: this is the verifier's inner loop.
    """
    p = gl.P
    v0 = [v.c0 for v in values]
    v1 = [v.c1 for v in values]
    b0, b1 = beta.c0, beta.c1
    zeta_inv = _zeta_inverse(log_folding)
    m = len(values)
    for _ in range(log_folding):
        half = m // 2
        y = inv_x * INV2 % p
        n0 = []
        n1 = []
        for k in range(half):
            a0, a1, c0, c1 = v0[k], v1[k], v0[k + half], v1[k + half]
            d0 = (a0 - c0) * y % p
            d1 = (a1 - c1) * y % p
            n0.append(((a0 + c0) * INV2 + b0 * d0 + 7 * b1 * d1) % p)
            n1.append(((a1 + c1) * INV2 + b0 * d1 + b1 * d0) % p)
            y = y * zeta_inv % p
        v0, v1, m = n0, n1, half
        b0, b1 = (b0 * b0 + 7 * b1 * b1) % p, 2 * b0 * b1 % p
        inv_x = inv_x * inv_x % p
        zeta_inv = zeta_inv * zeta_inv % p
    return Ext(v0[0], v1[0])


def final_polynomial(evals: np.ndarray, offset: int, size: int, strict: bool = True) -> list[Ext]:
    """Interpolate the last folded layer and return its first ``size`` coefficients.

    Raises TraceError (when ``strict``) if the layer is not of degree < size,
    which only happens when the DEEP polynomial was not low-degree.
    """
    c0 = coset_intt(evals[0], offset)
    c1 = coset_intt(evals[1], offset)
    if strict and (np.any(c0[size:]) or np.any(c1[size:])):
        raise TraceError("FRI remainder is not low-degree: the trace does not satisfy its AIR")
    return [Ext(int(a), int(b)) for a, b in zip(c0[:size], c1[:size])]
