"""Number-theoretic transforms over Goldilocks: NTT, inverse NTT, coset LDE.

Natural order in and out: evaluation i of a size-n transform is at omega_n^i
(times the coset offset for coset transforms).  Radix-2, decimation in time
after a bit-reversal permutation.  Large low-degree extensions run one
transform per coset, in parallel.  Twiddle tables are cached per size.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from prover.math import goldilocks as gl
from prover.math.goldilocks import add, mul, sub

_twiddle_cache: dict[tuple[int, bool], np.ndarray] = {}


def _twiddles(log_n: int, inverse: bool) -> np.ndarray:
    key = (log_n, inverse)
    table = _twiddle_cache.get(key)
    if table is None:
        root = gl.root_of_unity(log_n)
        if inverse:
            root = gl.inv_int(root)
        table = gl.powers(np.uint64(root), max(1, (1 << log_n) // 2))
        _twiddle_cache[key] = table
    return table


@njit(cache=True)
def _bit_reverse_copy(a: np.ndarray) -> np.ndarray:
    n = a.shape[0]
    out = np.empty_like(a)
    bits = 0
    while (1 << bits) < n:
        bits += 1
    for i in range(n):
        r = 0
        x = i
        for _ in range(bits):
            r = (r << 1) | (x & 1)
            x >>= 1
        out[r] = a[i]
    return out


@njit(cache=True)
def _ntt_serial(values: np.ndarray, twiddles: np.ndarray) -> np.ndarray:
    """Radix-2 NTT of a copy of ``values`` (single-threaded: parallelism comes from running
    many transforms at once; a parallel butterfly loop measured no faster on 2 cores)."""
    a = _bit_reverse_copy(values)
    n = a.shape[0]
    m = 2
    while m <= n:
        half = m // 2
        step = n // m
        for start in range(0, n, m):
            for j in range(half):
                w = twiddles[j * step]
                i0 = start + j
                u = a[i0]
                v = mul(a[i0 + half], w)
                a[i0] = add(u, v)
                a[i0 + half] = sub(u, v)
        m *= 2
    return a


@njit(cache=True, parallel=True)
def _lde_kernel(coeffs: np.ndarray, shifts: np.ndarray, twiddles: np.ndarray) -> np.ndarray:
    """out[r, k, j] = poly_r(shifts[k] * omega_T^j): each coset of the LDE is one size-T NTT."""
    rows, t = coeffs.shape
    cosets = shifts.shape[0]
    out = np.empty((rows, cosets, t), dtype=np.uint64)
    for job in prange(rows * cosets):
        r = job // cosets
        k = job % cosets
        scaled = np.empty(t, dtype=np.uint64)
        acc = np.uint64(1)
        for i in range(t):
            scaled[i] = mul(coeffs[r, i], acc)
            acc = mul(acc, shifts[k])
        out[r, k] = _ntt_serial(scaled, twiddles)
    return out


@njit(cache=True, parallel=True)
def _intt_rows_kernel(evals: np.ndarray, twiddles: np.ndarray, n_inv: np.uint64) -> np.ndarray:
    rows, n = evals.shape
    out = np.empty_like(evals)
    for r in prange(rows):
        res = _ntt_serial(evals[r].copy(), twiddles)
        for i in range(n):
            out[r, i] = mul(res[i], n_inv)
    return out


def _log2(n: int) -> int:
    if n < 1 or n & (n - 1):
        raise ValueError(f"transform size must be a power of two, got {n}")
    return n.bit_length() - 1


def ntt(coeffs: np.ndarray) -> np.ndarray:
    """Evaluations at omega_n^i of the polynomial with these coefficients."""
    log_n = _log2(coeffs.shape[0])
    return _ntt_serial(np.ascontiguousarray(coeffs, dtype=np.uint64), _twiddles(log_n, False))


def intt(evals: np.ndarray) -> np.ndarray:
    """Coefficients of the polynomial with these evaluations at omega_n^i."""
    n = evals.shape[0]
    log_n = _log2(n)
    out = _ntt_serial(np.ascontiguousarray(evals, dtype=np.uint64), _twiddles(log_n, True))
    return gl.scale_vec(out, np.uint64(gl.inv_int(n)))


def coset_ntt(coeffs: np.ndarray, offset: int) -> np.ndarray:
    """Evaluations at offset * omega_n^i."""
    n = coeffs.shape[0]
    scaled = gl.mul_vec(np.ascontiguousarray(coeffs, dtype=np.uint64), gl.powers(np.uint64(offset % gl.P), n))
    return ntt(scaled)


def coset_intt(evals: np.ndarray, offset: int) -> np.ndarray:
    """Coefficients from evaluations at offset * omega_n^i."""
    coeffs = intt(evals)
    return gl.mul_vec(coeffs, gl.powers(np.uint64(gl.inv_int(offset)), coeffs.shape[0]))


def lde(evals: np.ndarray, blowup: int, offset: int) -> np.ndarray:
    """Extend evaluations on the size-T subgroup to the coset offset*<omega_(T*blowup)>."""
    coeffs = intt(evals)
    padded = np.zeros(coeffs.shape[0] * blowup, dtype=np.uint64)
    padded[: coeffs.shape[0]] = coeffs
    return coset_ntt(padded, offset)


def ntt_rows(rows: np.ndarray) -> np.ndarray:
    return np.stack([ntt(r) for r in rows]) if len(rows) else rows.copy()


def intt_rows(rows: np.ndarray) -> np.ndarray:
    """Row-wise inverse NTT; rows are transformed in parallel."""
    if len(rows) < 2:
        return np.stack([intt(r) for r in rows]) if len(rows) else rows.copy()
    n = rows.shape[1]
    log_n = _log2(n)
    return _intt_rows_kernel(np.ascontiguousarray(rows, dtype=np.uint64), _twiddles(log_n, True), np.uint64(gl.inv_int(n)))


def coset_ntt_rows(rows: np.ndarray, offset: int) -> np.ndarray:
    return np.stack([coset_ntt(r, offset) for r in rows]) if len(rows) else rows.copy()


def lde_from_coeffs_rows(coeffs: np.ndarray, blowup: int, offset: int) -> np.ndarray:
    """Evaluate each row's polynomial (degree < T) on offset*<omega_(T*blowup)>, natural order.

    The domain splits into ``blowup`` cosets offset*omega_n^k*<omega_T>, one
    size-T NTT each (positions k + blowup*j), run in parallel: cheaper and
    more cache-friendly than one transform of size T*blowup.
    """
    rows, t = coeffs.shape
    log_t = _log2(t)
    n = t * blowup
    omega_n = gl.root_of_unity(log_t + _log2(blowup))
    shifts = np.array([offset * pow(omega_n, k, gl.P) % gl.P for k in range(blowup)], dtype=np.uint64)
    per_coset = _lde_kernel(np.ascontiguousarray(coeffs, dtype=np.uint64), shifts, _twiddles(log_t, False))
    return np.ascontiguousarray(per_coset.transpose(0, 2, 1)).reshape(rows, n)


def lde_rows(rows: np.ndarray, blowup: int, offset: int) -> np.ndarray:
    """Extend each row of evaluations on the size-T subgroup to the LDE coset."""
    return lde_from_coeffs_rows(intt_rows(rows), blowup, offset)


def eval_poly_int(coeffs: list[int], x: int) -> int:
    """Horner evaluation with plain ints."""
    acc = 0
    for c in reversed(coeffs):
        acc = (acc * x + c) % gl.P
    return acc
