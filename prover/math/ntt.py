"""Number-theoretic transforms over Goldilocks: NTT, inverse NTT, coset NTT and LDE.

Natural order in and out: evaluation i of a size-n transform is at omega_n^i
(times the coset offset for coset transforms), omega_n = root_of_unity(log2 n).

The transform is radix-2 decimation in time after a bit-reversal
permutation.  To stay in cache it first runs every stage whose butterflies
span at most a block (``2^_BLOCK_LOG`` elements, a core's L1) block by block,
then the wider stages two at a time (radix-4 passes), which halves the sweeps
over memory.  Blocks and passes are split across cores for one large
transform; batches of rows run one serial transform per row in parallel
instead.  Coset shifts and the 1/n of inverse transforms are geometric
scalings fused into the permutation or applied in place, so each transform
allocates only its output (fresh large allocations page-fault, which costs
more than a pass over the data).  A low-degree extension by ``blowup`` is
done as ``blowup`` size-T transforms, one per coset of the size-T subgroup,
rather than one transform of size T * blowup.

Inputs must hold canonical elements (< p); outputs are canonical.

Twiddles are cached per size as one table ``tw`` of length n with
``tw[h + j] = omega_(2h)^j`` for every half-span h, so each stage reads its
twiddles contiguously.
"""

from __future__ import annotations

import numba
import numpy as np
from numba import njit, prange

from prover.errors import InvalidParametersError
from prover.math import goldilocks as gl
from prover.math.goldilocks import add, mul, sub

_BLOCK_LOG = 12
_PARALLEL_MIN_LOG = 14
_PASS_CHUNKS = 16

_ONE = np.uint64(1)
_M1 = np.uint64(0x55555555)
_M2 = np.uint64(0x33333333)
_M4 = np.uint64(0x0F0F0F0F)
_M8 = np.uint64(0x00FF00FF)
_M16 = np.uint64(0x0000FFFF)
_S1 = np.uint64(1)
_S2 = np.uint64(2)
_S4 = np.uint64(4)
_S8 = np.uint64(8)
_S16 = np.uint64(16)
_S32 = np.uint64(32)

_twiddle_cache: dict[tuple[int, bool], np.ndarray] = {}


def _log2(n: int) -> int:
    if n < 1 or n & (n - 1):
        raise InvalidParametersError(f"transform size must be a power of two, got {n}")
    if n.bit_length() - 1 > gl.TWO_ADICITY:
        raise InvalidParametersError(f"transform size 2^{n.bit_length() - 1} exceeds 2^{gl.TWO_ADICITY}")
    return n.bit_length() - 1


def _twiddles(log_n: int, inverse: bool) -> np.ndarray:
    """Stage-major twiddle table of size n (cached): tw[h + j] = omega_(2h)^j, j < h."""
    key = (log_n, inverse)
    table = _twiddle_cache.get(key)
    if table is None:
        n = 1 << log_n
        table = np.zeros(max(n, 1), dtype=np.uint64)
        if n >= 2:
            root = gl.root_of_unity(log_n)
            if inverse:
                root = gl.inv_int(root)
            base = gl.powers(np.uint64(root), n // 2)
            h = 1
            while h < n:
                table[h : 2 * h] = base[:: n // (2 * h)]
                h *= 2
        _twiddle_cache[key] = table
    return table


def _as_u64(values: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(values, dtype=np.uint64)


@njit(cache=True, inline="always")
def _bit_reverse(i, log_n):
    """Reverse the low log_n bits of i (log_n <= 32)."""
    x = np.uint64(i)
    x = ((x >> _S1) & _M1) | ((x & _M1) << _S1)
    x = ((x >> _S2) & _M2) | ((x & _M2) << _S2)
    x = ((x >> _S4) & _M4) | ((x & _M4) << _S4)
    x = ((x >> _S8) & _M8) | ((x & _M8) << _S8)
    x = ((x >> _S16) & _M16) | ((x & _M16) << _S16)
    return np.int64(x >> (_S32 - np.uint64(log_n)))


@njit(cache=True)
def _log2_int(n):
    log_n = 0
    while (1 << log_n) < n:
        log_n += 1
    return log_n


@njit(cache=True, parallel=True)
def _gather_parallel(values, out, log_n):
    """out[i] = values[rev(i)], split across cores."""
    n = out.shape[0]
    size = (n + _PASS_CHUNKS - 1) // _PASS_CHUNKS
    for c in prange(_PASS_CHUNKS):
        for i in range(c * size, min(n, (c + 1) * size)):
            out[i] = values[_bit_reverse(i, log_n)]


@njit(cache=True)
def _first_radix4(a, lo, hi, w4):
    """Stages with half-spans 1 and 2 on a[lo:hi] (twiddles 1, 1 and omega_4)."""
    v = a[lo:hi]
    for q in range((hi - lo) // 4):
        i0 = 4 * q
        x0 = v[i0]
        x1 = v[i0 + 1]
        x2 = v[i0 + 2]
        x3 = v[i0 + 3]
        y0 = add(x0, x1)
        y1 = sub(x0, x1)
        y2 = add(x2, x3)
        y3 = mul(sub(x2, x3), w4)
        v[i0] = add(y0, y2)
        v[i0 + 2] = sub(y0, y2)
        v[i0 + 1] = add(y1, y3)
        v[i0 + 3] = sub(y1, y3)


@njit(cache=True)
def _block_stages(a, lo, size, tw):
    """Every radix-2 stage with span <= size inside a[lo : lo + size]."""
    h = 1
    if size >= 4:
        _first_radix4(a, lo, lo + size, tw[3])
        h = 4
    while h < size:
        if 4 * h <= size:
            _radix4_range(a, h, lo // 4, (lo + size) // 4, tw)
            h *= 4
        else:
            _radix2_range(a, h, lo // 2, (lo + size) // 2, tw)
            h *= 2


@njit(cache=True)
def _radix4_run(a0, a1, a2, a3, w1, w2, w3):
    """Fused radix-4 butterflies over equal-length views (indices from 0 keep numba's
    negative-index checks out of the loop)."""
    for j in range(a0.shape[0]):
        t1 = w1[j]
        x0 = a0[j]
        x1 = mul(a1[j], t1)
        x2 = a2[j]
        x3 = mul(a3[j], t1)
        y0 = add(x0, x1)
        y1 = sub(x0, x1)
        y2 = mul(add(x2, x3), w2[j])
        y3 = mul(sub(x2, x3), w3[j])
        a0[j] = add(y0, y2)
        a2[j] = sub(y0, y2)
        a1[j] = add(y1, y3)
        a3[j] = sub(y1, y3)


@njit(cache=True)
def _radix4_range(a, h, q_lo, q_hi, tw):
    """Stages with half-spans h and 2h fused, for butterfly quads q in [q_lo, q_hi).

    Quad q = (block, j) touches a[i0 + {0, h, 2h, 3h}], i0 = 4h * block + j,
    with twiddles omega_(2h)^j on the first stage and omega_(4h)^j,
    omega_(4h)^(j+h) on the second.
    """
    q = q_lo
    while q < q_hi:
        j = q % h
        i0 = (q - j) * 4 + j
        cnt = min(h - j, q_hi - q)
        _radix4_run(
            a[i0 : i0 + cnt],
            a[i0 + h : i0 + h + cnt],
            a[i0 + 2 * h : i0 + 2 * h + cnt],
            a[i0 + 3 * h : i0 + 3 * h + cnt],
            tw[h + j : h + j + cnt],
            tw[2 * h + j : 2 * h + j + cnt],
            tw[3 * h + j : 3 * h + j + cnt],
        )
        q += cnt


@njit(cache=True)
def _radix2_run(a0, a1, w):
    """Radix-2 butterflies over equal-length views."""
    for j in range(a0.shape[0]):
        u = a0[j]
        v = mul(a1[j], w[j])
        a0[j] = add(u, v)
        a1[j] = sub(u, v)


@njit(cache=True)
def _radix2_range(a, h, b_lo, b_hi, tw):
    """One stage with half-span h, for butterflies b in [b_lo, b_hi)."""
    b = b_lo
    while b < b_hi:
        j = b % h
        i0 = (b - j) * 2 + j
        cnt = min(h - j, b_hi - b)
        _radix2_run(a[i0 : i0 + cnt], a[i0 + h : i0 + h + cnt], tw[h + j : h + j + cnt])
        b += cnt


@njit(cache=True)
def _dit_serial(a, tw):
    """In-place DIT transform of bit-reversed a (single-threaded)."""
    n = a.shape[0]
    block = min(n, 1 << _BLOCK_LOG)
    for lo in range(0, n, block):
        _block_stages(a, lo, block, tw)
    h = block
    while h < n:
        if 4 * h <= n:
            _radix4_range(a, h, 0, n // 4, tw)
            h *= 4
        else:
            _radix2_range(a, h, 0, n // 2, tw)
            h *= 2


@njit(cache=True, parallel=True)
def _dit_parallel(a, tw):
    """In-place DIT transform of bit-reversed a, blocks and passes split across cores."""
    n = a.shape[0]
    block = min(n, 1 << _BLOCK_LOG)
    blocks = n // block
    for b in prange(blocks):
        _block_stages(a, b * block, block, tw)
    h = block
    while h < n:
        if 4 * h <= n:
            size = (n // 4 + _PASS_CHUNKS - 1) // _PASS_CHUNKS
            for c in prange(_PASS_CHUNKS):
                _radix4_range(a, h, min(n // 4, c * size), min(n // 4, (c + 1) * size), tw)
            h *= 4
        else:
            size = (n // 2 + _PASS_CHUNKS - 1) // _PASS_CHUNKS
            for c in prange(_PASS_CHUNKS):
                _radix2_range(a, h, min(n // 2, c * size), min(n // 2, (c + 1) * size), tw)
            h *= 2


@njit(cache=True)
def _scaled_scatter(src, dst, start, ratio, log_n):
    """dst[rev(i)] = src[i] * start * ratio^i: the bit-reversed, scaled input of a DIT."""
    if start == _ONE and ratio == _ONE:
        for i in range(src.shape[0]):
            dst[_bit_reverse(i, log_n)] = src[i]
        return
    acc = start
    for i in range(src.shape[0]):
        dst[_bit_reverse(i, log_n)] = mul(src[i], acc)
        acc = mul(acc, ratio)


@njit(cache=True)
def _geometric_serial(src, dst, start, ratio):
    """dst[i] = src[i] * start * ratio^i (src may be dst)."""
    acc = start
    for i in range(src.shape[0]):
        dst[i] = mul(src[i], acc)
        acc = mul(acc, ratio)


@njit(cache=True, parallel=True)
def _geometric_parallel(src, dst, start, ratio):
    """dst[i] = src[i] * start * ratio^i (src may be dst), in chunks across cores."""
    n = src.shape[0]
    size = (n + _PASS_CHUNKS - 1) // _PASS_CHUNKS
    for c in prange(_PASS_CHUNKS):
        lo = min(n, c * size)
        hi = min(n, lo + size)
        _geometric_serial(src[lo:hi], dst[lo:hi], mul(start, gl.pow_(ratio, np.uint64(lo))), ratio)


@njit(cache=True, parallel=True)
def _bit_reverse_in_place(a, log_n):
    """Permute a into bit-reversed order by swapping each pair once."""
    for i in prange(a.shape[0]):
        j = _bit_reverse(i, log_n)
        if i < j:
            t = a[i]
            a[i] = a[j]
            a[j] = t


@njit(cache=True)
def _transform_serial_into(values, out, tw, start, ratio, post_start, post_ratio):
    """out[i] = post_start * post_ratio^i * NTT(values[k] * start * ratio^k)[i] (single-threaded)."""
    _scaled_scatter(values, out, start, ratio, _log2_int(values.shape[0]))
    _dit_serial(out, tw)
    if post_start != _ONE or post_ratio != _ONE:
        _geometric_serial(out, out, post_start, post_ratio)


@njit(cache=True)
def _transform_parallel_into(values, out, tw, start, ratio, post_start, post_ratio):
    """Same as :func:`_transform_serial_into` with every pass split across cores."""
    log_n = _log2_int(values.shape[0])
    if start == _ONE and ratio == _ONE:
        _gather_parallel(values, out, log_n)
    else:
        _geometric_parallel(values, out, start, ratio)
        _bit_reverse_in_place(out, log_n)
    _dit_parallel(out, tw)
    if post_start != _ONE or post_ratio != _ONE:
        _geometric_parallel(out, out, post_start, post_ratio)


@njit(cache=True, parallel=True)
def _rows_kernel(rows, out, tw, start, ratio, post_start, post_ratio):
    """:func:`_transform_serial_into` on every row, rows in parallel."""
    for r in prange(rows.shape[0]):
        _transform_serial_into(rows[r], out[r], tw, start, ratio, post_start, post_ratio)


@njit(cache=True, parallel=True)
def _lde_interleaved(coeffs, shifts, tw):
    """out[r, k + blowup*j] = poly_r(shifts[k] * omega_T^j): one size-T NTT per (row, coset).

    Each job writes its coset straight into the interleaved output (measured
    faster than a contiguous per-coset buffer plus an interleaving pass).
    """
    rows, t = coeffs.shape
    blowup = shifts.shape[0]
    log_t = _log2_int(t)
    out = np.empty((rows, t * blowup), dtype=np.uint64)
    for job in prange(rows * blowup):
        r = job // blowup
        k = job % blowup
        tmp = np.empty(t, dtype=np.uint64)
        _scaled_scatter(coeffs[r], tmp, _ONE, shifts[k], log_t)
        _dit_serial(tmp, tw)
        dst = out[r, k:]
        for j in range(t):
            dst[blowup * j] = tmp[j]
    return out


def _scalings(n: int, inverse: bool, offset: int) -> tuple[np.uint64, np.uint64, np.uint64, np.uint64]:
    """(start, ratio, post_start, post_ratio) turning the plain transform into a (coset) (i)NTT."""
    one = np.uint64(1)
    if inverse:
        return one, one, np.uint64(gl.inv_int(n)), np.uint64(gl.inv_int(offset))
    return one, np.uint64(offset % gl.P), one, one


def _transform(values: np.ndarray, inverse: bool, offset: int) -> np.ndarray:
    """(Coset) NTT or inverse NTT of a 1-D array into one new array, parallel when large."""
    values = _as_u64(values)
    if values.ndim != 1:
        raise InvalidParametersError(f"expected a 1-D array, got shape {values.shape}")
    n = values.shape[0]
    log_n = _log2(n)
    scalings = _scalings(n, inverse, offset)
    out = np.empty(n, dtype=np.uint64)
    kernel = _transform_parallel_into if log_n >= _PARALLEL_MIN_LOG else _transform_serial_into
    kernel(values, out, _twiddles(log_n, inverse), *scalings)
    return out


def ntt(coeffs: np.ndarray) -> np.ndarray:
    """Evaluations at omega_n^i, i < n, of the polynomial with these n coefficients."""
    return _transform(coeffs, False, 1)


def intt(evals: np.ndarray) -> np.ndarray:
    """Coefficients of the polynomial of degree < n with these evaluations at omega_n^i."""
    return _transform(evals, True, 1)


def coset_ntt(coeffs: np.ndarray, offset: int) -> np.ndarray:
    """Evaluations at offset * omega_n^i of the polynomial with these coefficients."""
    return _transform(coeffs, False, offset)


def coset_intt(evals: np.ndarray, offset: int) -> np.ndarray:
    """Coefficients of the polynomial with these evaluations at offset * omega_n^i."""
    return _transform(evals, True, offset)


def _check_rows(rows: np.ndarray) -> np.ndarray:
    rows = _as_u64(rows)
    if rows.ndim != 2:
        raise InvalidParametersError(f"expected a 2-D array of rows, got shape {rows.shape}")
    _log2(rows.shape[1])
    return rows


def _rows_in_parallel(k: int, n: int) -> bool:
    """Whether one serial transform per row keeps every core busy (else: one parallel transform per row)."""
    threads = numba.get_num_threads()
    return n < 1 << _PARALLEL_MIN_LOG or k % threads == 0 or k >= 4 * threads


def _rows_transform(rows: np.ndarray, inverse: bool, offset: int) -> np.ndarray:
    """Row-wise (coset) NTT or inverse NTT with every scaling fused into the kernels."""
    rows = _check_rows(rows)
    k, n = rows.shape
    out = np.empty((k, n), dtype=np.uint64)
    if k == 0:
        return out
    tw = _twiddles(_log2(n), inverse)
    scalings = _scalings(n, inverse, offset)
    if _rows_in_parallel(k, n):
        _rows_kernel(rows, out, tw, *scalings)
    else:
        for r in range(k):
            _transform_parallel_into(rows[r], out[r], tw, *scalings)
    return out


def ntt_rows(rows: np.ndarray) -> np.ndarray:
    """Row-wise :func:`ntt` of a (k, n) array."""
    return _rows_transform(rows, False, 1)


def intt_rows(rows: np.ndarray) -> np.ndarray:
    """Row-wise :func:`intt` of a (k, n) array."""
    return _rows_transform(rows, True, 1)


def coset_ntt_rows(rows: np.ndarray, offset: int) -> np.ndarray:
    """Row-wise :func:`coset_ntt` of a (k, n) array."""
    return _rows_transform(rows, False, offset)


def coset_intt_rows(rows: np.ndarray, offset: int) -> np.ndarray:
    """Row-wise :func:`coset_intt` of a (k, n) array."""
    return _rows_transform(rows, True, offset)


def lde_from_coeffs_rows(coeffs: np.ndarray, blowup: int, offset: int) -> np.ndarray:
    """Evaluate each row's polynomial (degree < T) on offset * <omega_(T*blowup)>, natural order.

    The domain splits into ``blowup`` cosets offset * omega_N^k * <omega_T>
    (N = T * blowup), holding positions k + blowup * j; each is one size-T
    NTT, and all (row, coset) pairs run in parallel.
    """
    coeffs = _check_rows(coeffs)
    rows, t = coeffs.shape
    log_t = _log2(t)
    log_blowup = _log2(blowup)
    if rows == 0:
        return np.zeros((0, t * blowup), dtype=np.uint64)
    omega_n = gl.root_of_unity(log_t + log_blowup)
    shifts = gl.mul_vec(np.full(blowup, offset % gl.P, dtype=np.uint64), gl.powers(np.uint64(omega_n), blowup))
    tw = _twiddles(log_t, False)
    return _lde_interleaved(coeffs, shifts, tw)


def lde_rows(evals: np.ndarray, blowup: int, offset: int) -> np.ndarray:
    """Row-wise :func:`lde`: (k, T) subgroup evaluations -> (k, T * blowup) coset evaluations."""
    return lde_from_coeffs_rows(intt_rows(evals), blowup, offset)


def lde(evals: np.ndarray, blowup: int, offset: int) -> np.ndarray:
    """Extend evaluations on the size-T subgroup (degree < T) to offset * <omega_(T*blowup)>."""
    evals = _as_u64(evals)
    if evals.ndim != 1:
        raise InvalidParametersError(f"expected a 1-D array, got shape {evals.shape}")
    return lde_from_coeffs_rows(intt(evals)[None, :], blowup, offset)[0]


def eval_poly_int(coeffs: list[int], x: int) -> int:
    """Horner evaluation of a base-field polynomial with plain ints."""
    acc = 0
    for c in reversed(coeffs):
        acc = (acc * x + c) % gl.P
    return acc
