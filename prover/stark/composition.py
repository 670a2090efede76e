"""Constraint composition: the random linear combination of constraint quotients.

H(x) = sum_k alpha^k * Q_k(x), where the Q_k are first the transition
constraints divided by the transition zerofier (x^T - 1)/(x^N - g^(-N)) (N
segments: no transition is enforced on the last row of a segment; N = 1 gives
the usual (x^T - 1)/(x - g^(T-1))), then the auxiliary transitions divided by
(x^T - 1)/(x - g^(T-1)) (they hold across segment boundaries), then the assertions
(T_col(x) - v)/(x - g^row), then the segment assertions
(T_col(x) - I(x))/(x^N - h^N) with I interpolating the per-segment values over
the coset h<g^L> (h = g^offset), then the row-set assertions (T_col(x) - v)/Z(x) with Z the
product of x - g^r over the set's rows, then the segment constraints C(x)/(x^N - h^N)
(times (x - g^(T-1)) at offset L - 1, whose last step would wrap to row 0).  The prover evaluates H over the
low-degree-extension domain; the verifier evaluates it at the out-of-domain
point z from the claimed trace values and checks it against the committed
composition columns.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Sequence

import numpy as np

from prover.air.air import Air, Assertion, RowSetAssertion, SegmentAssertion
from prover.air.vectors import FieldVector
from prover.math import goldilocks as gl
from prover.math.goldilocks_ext import Ext, batch_inverse_ext
from prover.math.ntt import coset_ntt, intt, lde_from_coeffs_rows
from prover.math.poly import eval_ext_poly, linear_combination, vanishing_poly


@lru_cache(maxsize=64)
def _periodic_coeffs(values: tuple[int, ...]) -> tuple[int, ...]:
    return tuple(int(c) for c in intt(np.array(values, dtype=np.uint64)))


def periodic_cycles(air: Air, trace_length: int) -> list[tuple[int, ...]]:
    """Each periodic column's values over one cycle, truncated to the trace length."""
    return [tuple(col[: min(len(col), trace_length)]) for col in air.periodic_columns()]


def periodic_at(air: Air, trace_length: int, z: Ext) -> list[Ext]:
    """Periodic column polynomials evaluated at z (verifier side)."""
    out = []
    for values in periodic_cycles(air, trace_length):
        coeffs = [Ext(c) for c in _periodic_coeffs(values)]
        out.append(eval_ext_poly(coeffs, z ** (trace_length // len(values))))
    return out


def periodic_on_lde(air: Air, trace_length: int, blowup: int, offset: int) -> list[np.ndarray]:
    """Periodic column polynomials over the LDE coset (prover side): one period each (cycle x blowup
    points; the values repeat over the coset), for FieldVector to index modulo its length."""
    out = []
    for values in periodic_cycles(air, trace_length):
        cycle = len(values)
        coeffs = np.zeros(cycle * blowup, dtype=np.uint64)
        coeffs[:cycle] = np.array(_periodic_coeffs(values), dtype=np.uint64)
        out.append(coset_ntt(coeffs, pow(offset, trace_length // cycle, gl.P)))
    return out


def constraint_coefficients(alpha: Ext, count: int) -> list[Ext]:
    """alpha^0 .. alpha^(count-1)."""
    powers = [Ext(1)]
    for _ in range(count - 1):
        powers.append(powers[-1] * alpha)
    return powers


#: LDE points evaluated at a time: bounds the memory of the constraint evaluations (one array per
#: constraint and per intermediate) and keeps them in cache, whatever the trace length.
CHUNK_POINTS = 1 << 17


def composition_on_lde(
    air: Air,
    trace_lde: np.ndarray,
    domain: np.ndarray,
    trace_length: int,
    blowup: int,
    offset: int,
    alpha: Ext,
    assertions: Sequence[Assertion],
    randomness: Sequence[int] = (),
) -> np.ndarray:
    """Evaluations of H over the LDE domain as an extension vector of shape (2, n).

    ``trace_lde`` holds the main columns, then the auxiliary ones (if the AIR has any).  The domain is
    evaluated in chunks of :data:`CHUNK_POINTS` aligned to every period that repeats over it.
    """
    n = trace_lde.shape[1]
    g = gl.root_of_unity((trace_length - 1).bit_length())
    segments = air.segments(trace_length)
    periodic_cols = periodic_on_lde(air, trace_length, blowup, offset)
    chunk = min(n, max([CHUNK_POINTS, blowup] + [len(p) for p in periodic_cols]))

    # 1 / Z_t(x) = (x^N - g^(-N)) / (x^T - 1); x^T repeats with period `blowup` on the coset, x^N with n / N.
    x_pow_t = gl.mul_vec(
        np.full(blowup, pow(offset, trace_length, gl.P), dtype=np.uint64),
        gl.powers(np.uint64(gl.root_of_unity(blowup.bit_length() - 1)), blowup),
    )
    inv_vanish = np.tile(gl.batch_inverse(gl.add_scalar_vec(x_pow_t, np.uint64(gl.P - 1))), chunk // blowup)
    x_pow_n_period = _coset_powers_period(n, segments, offset)
    exempt = np.uint64(gl.P - pow(g, trace_length - segments, gl.P))
    minus_last = np.uint64(gl.P - pow(g, trace_length - 1, gl.P))
    segment_assertions = air.segment_assertions(trace_length)
    interpolants = _segment_interpolants_on_lde(segment_assertions, segments, trace_length, n, offset, g)
    row_sets = air.row_set_assertions(trace_length)
    row_set_inverses = _row_set_inverses_on_lde(row_sets, trace_length, n, offset)
    constraints = air.segment_constraints(trace_length)
    last = trace_length // segments - 1

    inverse_by_offset: dict[int, np.ndarray] = {}  # one period of 1 / (x^N - h^N) per offset
    out = np.empty((2, n), dtype=np.uint64)
    for lo in range(0, n, chunk):
        hi = lo + chunk
        cur = [FieldVector(col[lo:hi]) for col in trace_lde]
        if hi + blowup <= n:
            nxt = [FieldVector(col[lo + blowup : hi + blowup]) for col in trace_lde]
        else:  # the last chunk's next rows wrap to the domain's start
            nxt = [FieldVector(np.concatenate((col[lo + blowup :], col[: hi + blowup - n]))) for col in trace_lde]
        periodic = [FieldVector(col) for col in periodic_cols]  # lo is a multiple of every period
        x = domain[lo:hi]
        x_pow_n = _window(x_pow_n_period, lo, chunk)
        quotients = _Combiner(alpha, chunk)
        inv_transition = gl.mul_vec(gl.add_scalar_vec(x_pow_n, exempt), inv_vanish)
        for value in air.evaluate_transition(cur, nxt, periodic):
            quotients.append(gl.mul_vec(value.full(chunk), inv_transition))
        if air.aux_width:  # every row but the last: (x - g^(T-1)) / (x^T - 1)
            inv_full = gl.mul_vec(gl.add_scalar_vec(x, minus_last), inv_vanish)
            for value in air.evaluate_aux_transition(cur, nxt, periodic, randomness):
                quotients.append(gl.mul_vec(value.full(chunk), inv_full))
        inverse_by_row: dict[int, np.ndarray] = {}
        for a in assertions:
            if a.row not in inverse_by_row:
                point = pow(g, a.row, gl.P)
                inverse_by_row[a.row] = gl.batch_inverse(gl.add_scalar_vec(x, np.uint64((gl.P - point) % gl.P)))
            numerator = gl.add_scalar_vec(trace_lde[a.column, lo:hi], np.uint64((gl.P - a.value) % gl.P))
            quotients.append(gl.mul_vec(numerator, inverse_by_row[a.row]))

        def inverse_at(row: int) -> np.ndarray:
            """1 / (x^N - g^(row N)) over the chunk: the zerofier of rows row + j L."""
            if row not in inverse_by_offset:
                shift = np.uint64((gl.P - pow(g, row * segments, gl.P)) % gl.P)
                inverse_by_offset[row] = gl.batch_inverse(gl.add_scalar_vec(x_pow_n_period, shift))
            return _window(inverse_by_offset[row], lo, chunk)

        for i, a in enumerate(segment_assertions):
            if i in interpolants:
                numerator = gl.sub_vec(trace_lde[a.column, lo:hi], interpolants[i][lo:hi])
            else:
                numerator = gl.add_scalar_vec(trace_lde[a.column, lo:hi], np.uint64((gl.P - a.values[0]) % gl.P))
            quotients.append(gl.mul_vec(numerator, inverse_at(a.offset)))
        for r in row_sets:
            numerator = gl.add_scalar_vec(trace_lde[r.column, lo:hi], np.uint64((gl.P - r.value % gl.P) % gl.P))
            quotients.append(gl.mul_vec(numerator, row_set_inverses[r.rows][lo:hi]))
        if constraints:
            step_values = air.evaluate_segment_constraints(cur, nxt, periodic)
            for (row, _), value in zip(constraints, step_values):
                quotient = gl.mul_vec(value.full(chunk), inverse_at(row))
                if row == last:  # the step from the trace's last row would wrap to row 0: not enforced
                    quotient = gl.mul_vec(quotient, gl.add_scalar_vec(x, minus_last))
                quotients.append(quotient)
        out[:, lo:hi] = quotients.result()
    return out


def _window(period: np.ndarray, lo: int, size: int) -> np.ndarray:
    """Points lo .. lo + size of a sequence that repeats ``period`` (lengths powers of two)."""
    m = period.shape[0]
    if m >= size:
        return period[lo % m : lo % m + size]
    return np.tile(period, size // m)


class _Combiner:
    """sum_k alpha^k q_k as an extension vector (2, n), folded a few quotients at a time so that the
    quotients of a wide AIR are never all held and stacked at once."""

    CHUNK = 8

    def __init__(self, alpha: Ext, n: int) -> None:
        self.alpha = alpha
        self.power = Ext(1)
        self.pending: list[np.ndarray] = []
        self.coeffs: list[Ext] = []
        self.c0 = np.zeros(n, dtype=np.uint64)
        self.c1 = np.zeros(n, dtype=np.uint64)

    def append(self, quotient: np.ndarray) -> None:
        self.pending.append(quotient)
        self.coeffs.append(self.power)
        self.power = self.power * self.alpha
        if len(self.pending) == self.CHUNK:
            self._flush()

    def _flush(self) -> None:
        if self.pending:
            rows = np.stack(self.pending)
            self.c0 = gl.add_vec(self.c0, linear_combination(rows, np.array([c.c0 for c in self.coeffs], dtype=np.uint64)))
            self.c1 = gl.add_vec(self.c1, linear_combination(rows, np.array([c.c1 for c in self.coeffs], dtype=np.uint64)))
            self.pending, self.coeffs = [], []

    def result(self) -> np.ndarray:
        self._flush()
        return np.stack([self.c0, self.c1])


def _coset_powers_period(n: int, exponent: int, offset: int) -> np.ndarray:
    """One period (n / exponent points) of x^exponent over the LDE coset offset*<w_n> (exponent a power of two dividing n)."""
    period = n // exponent
    root = gl.root_of_unity(period.bit_length() - 1)
    return gl.mul_vec(np.full(period, pow(offset, exponent, gl.P), dtype=np.uint64), gl.powers(np.uint64(root), period))


def segment_interpolant_coeffs(values: Sequence[int], h: int) -> np.ndarray:
    """Coefficients (in x) of the polynomial of degree < N taking values[j] at h * w_N^j."""
    coeffs = intt(np.array(values, dtype=np.uint64))
    return gl.mul_vec(coeffs, gl.powers(np.uint64(gl.inv_int(h)), len(values)))


def _segment_interpolants_on_lde(
    segment_assertions: Sequence[SegmentAssertion], segments: int, trace_length: int, n: int, offset: int, g: int
) -> dict[int, np.ndarray]:
    """The interpolant I over the LDE domain of each segment assertion whose values differ (by index)."""
    out = {}
    for i, a in enumerate(segment_assertions):
        _check_segment_assertion(a, segments, trace_length)
        if len(set(a.values)) > 1:
            coeffs = segment_interpolant_coeffs(a.values, pow(g, a.offset, gl.P))
            out[i] = lde_from_coeffs_rows(coeffs[None, :], n // segments, offset)[0]
    return out


def _check_segment_assertion(a: SegmentAssertion, segments: int, trace_length: int) -> None:
    if len(a.values) != segments or not 0 <= a.offset < trace_length // segments:
        raise ValueError(f"segment assertion on column {a.column} does not match {segments} segments")


def row_set_points(rows: Sequence[int], trace_length: int) -> np.ndarray:
    """g^r for every row r of a row set (g the trace domain's generator)."""
    g = gl.root_of_unity((trace_length - 1).bit_length())
    if len(set(rows)) != len(rows) or not all(0 <= r < trace_length for r in rows):
        raise ValueError(f"row-set assertion rows must be distinct rows of a {trace_length}-row trace")
    return np.array([pow(g, r, gl.P) for r in rows], dtype=np.uint64)


def _row_set_inverses_on_lde(
    row_sets: Sequence[RowSetAssertion], trace_length: int, n: int, offset: int
) -> dict[tuple[int, ...], np.ndarray]:
    """1 / Z(x) over the whole LDE domain for each distinct row set, Z its vanishing polynomial."""
    out: dict[tuple[int, ...], np.ndarray] = {}
    for r in row_sets:
        if r.rows not in out:
            coeffs = vanishing_poly(row_set_points(r.rows, trace_length))
            size = 1 << (coeffs.shape[0] - 1).bit_length()
            padded = np.zeros((1, size), dtype=np.uint64)
            padded[0, : coeffs.shape[0]] = coeffs
            out[r.rows] = gl.batch_inverse(lde_from_coeffs_rows(padded, n // size, offset)[0])
    return out


def row_set_vanishing_at(rows: Sequence[int], trace_length: int, z: Ext) -> Ext:
    """prod_r (z - g^r) over a row set (verifier side)."""
    acc = Ext(1)
    for point in row_set_points(rows, trace_length):
        acc = acc * (z - int(point))
    return acc


def segment_interpolant_at(values: Sequence[int], h: int, z: Ext) -> Ext:
    """The polynomial through values[j] at h * w_N^j, evaluated at z (barycentric form)."""
    count = len(values)
    if len(set(values)) == 1:
        return Ext(values[0])
    w = z * gl.inv_int(h)
    omega = gl.root_of_unity(count.bit_length() - 1)
    points = [pow(omega, j, gl.P) for j in range(count)]
    inverses = batch_inverse_ext([w - x for x in points])
    total = Ext(0)
    for value, x, inverse in zip(values, points, inverses):
        if value:
            total = total + inverse * (value * x % gl.P)
    return total * ((w**count - 1) * gl.inv_int(count))


def composition_at(
    air: Air,
    trace_length: int,
    z: Ext,
    trace_z: Sequence[Ext],
    trace_zg: Sequence[Ext],
    alpha: Ext,
    assertions: Sequence[Assertion],
    randomness: Sequence[int] = (),
) -> Ext:
    """H(z) computed from claimed trace values at z and z*g (verifier side), main then auxiliary columns."""
    g = gl.root_of_unity((trace_length - 1).bit_length())
    periodic = periodic_at(air, trace_length, z)
    values = [_ext(v) for v in air.evaluate_transition(list(trace_z), list(trace_zg), periodic)]
    aux_values = [_ext(v) for v in air.evaluate_aux_transition(list(trace_z), list(trace_zg), periodic, randomness)] if air.aux_width else []
    segments = air.segments(trace_length)
    vanish = z**trace_length - 1
    z_pow_n = z**segments
    transition_factor = (z_pow_n - pow(g, trace_length - segments, gl.P)) * vanish.inverse()
    quotients = [v * transition_factor for v in values]
    if aux_values:
        full_factor = (z - pow(g, trace_length - 1, gl.P)) * vanish.inverse()
        quotients += [v * full_factor for v in aux_values]
    for a in assertions:
        quotients.append((trace_z[a.column] - a.value) * (z - pow(g, a.row, gl.P)).inverse())
    for a in air.segment_assertions(trace_length):
        _check_segment_assertion(a, segments, trace_length)
        h = pow(g, a.offset, gl.P)
        interpolant = segment_interpolant_at(a.values, h, z)
        quotients.append((trace_z[a.column] - interpolant) * (z_pow_n - pow(h, segments, gl.P)).inverse())
    vanishing: dict[tuple[int, ...], Ext] = {}
    for r in air.row_set_assertions(trace_length):
        if r.rows not in vanishing:
            vanishing[r.rows] = row_set_vanishing_at(r.rows, trace_length, z).inverse()
        quotients.append((trace_z[r.column] - r.value) * vanishing[r.rows])
    constraints = air.segment_constraints(trace_length)
    if constraints:
        step_values = air.evaluate_segment_constraints(list(trace_z), list(trace_zg), periodic)
        last = trace_length // segments - 1
        for (row, _), value in zip(constraints, step_values):
            quotient = _ext(value) * (z_pow_n - pow(g, row * segments, gl.P)).inverse()
            if row == last:
                quotient = quotient * (z - pow(g, trace_length - 1, gl.P))
            quotients.append(quotient)
    total = Ext(0)
    for coeff, q in zip(constraint_coefficients(alpha, len(quotients)), quotients):
        total = total + coeff * q
    return total


def _ext(value: object) -> Ext:
    return value if isinstance(value, Ext) else Ext(value)


def split_columns_at(columns_z: Sequence[Ext], z: Ext, trace_length: int) -> Ext:
    """Recombine H(z) = sum_j z^(j*T) * H_j(z) from the composition columns."""
    z_t = z**trace_length
    acc = Ext(0)
    for value in reversed(columns_z):
        acc = acc * z_t + value
    return acc
