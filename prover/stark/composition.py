"""Constraint composition: the random linear combination of constraint quotients.

H(x) = sum_k alpha^k * Q_k(x), where the Q_k are first the transition
constraints divided by the transition zerofier (x^T - 1)/(x^N - g^(-N)) (N
segments: no transition is enforced on the last row of a segment; N = 1 gives
the usual (x^T - 1)/(x - g^(T-1))), then the auxiliary transitions divided by
(x^T - 1)/(x - g^(T-1)) (they hold across segment boundaries), then the assertions
(T_col(x) - v)/(x - g^row), then the segment assertions
(T_col(x) - I(x))/(x^N - h^N) with I interpolating the per-segment values over
the coset h<g^L> (h = g^offset), then the segment constraints C(x)/(x^N - h^N)
(times (x - g^(T-1)) at offset L - 1, whose last step would wrap to row 0).  The prover evaluates H over the
low-degree-extension domain; the verifier evaluates it at the out-of-domain
point z from the claimed trace values and checks it against the committed
composition columns.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Sequence

import numpy as np

from prover.air.air import Air, Assertion, SegmentAssertion
from prover.air.vectors import FieldVector
from prover.math import goldilocks as gl
from prover.math.goldilocks_ext import Ext, batch_inverse_ext
from prover.math.ntt import coset_ntt, intt
from prover.math.poly import eval_ext_poly, linear_combination


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

    ``trace_lde`` holds the main columns, then the auxiliary ones (if the AIR has any).
    """
    n = trace_lde.shape[1]
    g = gl.root_of_unity((trace_length - 1).bit_length())
    cur = [FieldVector(col) for col in trace_lde]
    nxt = [FieldVector(np.roll(col, -blowup)) for col in trace_lde]
    periodic = [FieldVector(col) for col in periodic_on_lde(air, trace_length, blowup, offset)]
    values = [c.full(n) for c in air.evaluate_transition(cur, nxt, periodic)]
    aux_values = [c.full(n) for c in air.evaluate_aux_transition(cur, nxt, periodic, randomness)] if air.aux_width else []

    # 1 / Z_t(x) = (x^N - g^(-N)) / (x^T - 1); x^T repeats with period `blowup` on the coset.
    segments = air.segments(trace_length)
    x_pow_t = gl.mul_vec(
        np.full(blowup, pow(offset, trace_length, gl.P), dtype=np.uint64),
        gl.powers(np.uint64(gl.root_of_unity(blowup.bit_length() - 1)), blowup),
    )
    inv_vanish = np.tile(gl.batch_inverse(gl.add_scalar_vec(x_pow_t, np.uint64(gl.P - 1))), n // blowup)
    x_pow_n = _coset_powers(n, segments, offset)
    exempt = pow(g, trace_length - segments, gl.P)
    inv_transition = gl.mul_vec(gl.add_scalar_vec(x_pow_n, np.uint64(gl.P - exempt)), inv_vanish)
    quotients = _Combiner(alpha, n)
    while values:
        quotients.append(gl.mul_vec(values.pop(0), inv_transition))
    if aux_values:  # every row but the last: (x - g^(T-1)) / (x^T - 1)
        inv_full = gl.mul_vec(gl.add_scalar_vec(domain, np.uint64(gl.P - pow(g, trace_length - 1, gl.P))), inv_vanish)
        while aux_values:
            quotients.append(gl.mul_vec(aux_values.pop(0), inv_full))

    inverse_by_row: dict[int, np.ndarray] = {}
    for a in assertions:
        if a.row not in inverse_by_row:
            point = pow(g, a.row, gl.P)
            inverse_by_row[a.row] = gl.batch_inverse(gl.add_scalar_vec(domain, np.uint64((gl.P - point) % gl.P)))
        numerator = gl.add_scalar_vec(trace_lde[a.column], np.uint64((gl.P - a.value) % gl.P))
        quotients.append(gl.mul_vec(numerator, inverse_by_row[a.row]))
    for quotient in _segment_quotients_on_lde(air, trace_lde, trace_length, blowup, offset, x_pow_n):
        quotients.append(quotient)
    constraints = air.segment_constraints(trace_length)
    if constraints:
        step_values = air.evaluate_segment_constraints(cur, nxt, periodic)
        last = trace_length // segments - 1
        for (row, _), value in zip(constraints, step_values):
            shift = np.uint64((gl.P - pow(g, row * segments, gl.P)) % gl.P)
            quotient = gl.mul_vec(value.full(n), gl.batch_inverse(gl.add_scalar_vec(x_pow_n, shift)))
            if row == last:  # the step from the trace's last row would wrap to row 0: not enforced
                quotient = gl.mul_vec(quotient, gl.add_scalar_vec(domain, np.uint64(gl.P - pow(g, trace_length - 1, gl.P))))
            quotients.append(quotient)

    return quotients.result()


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


def _coset_powers(n: int, exponent: int, offset: int) -> np.ndarray:
    """x^exponent over the LDE coset offset*<w_n> (exponent a power of two dividing n)."""
    period = n // exponent
    root = gl.root_of_unity(period.bit_length() - 1)
    values = gl.mul_vec(np.full(period, pow(offset, exponent, gl.P), dtype=np.uint64), gl.powers(np.uint64(root), period))
    return np.tile(values, exponent)


def segment_interpolant_coeffs(values: Sequence[int], h: int) -> np.ndarray:
    """Coefficients (in x) of the polynomial of degree < N taking values[j] at h * w_N^j."""
    coeffs = intt(np.array(values, dtype=np.uint64))
    return gl.mul_vec(coeffs, gl.powers(np.uint64(gl.inv_int(h)), len(values)))


def _segment_quotients_on_lde(
    air: Air, trace_lde: np.ndarray, trace_length: int, blowup: int, offset: int, x_pow_n: np.ndarray
) -> list[np.ndarray]:
    segment_assertions = air.segment_assertions(trace_length)
    if not segment_assertions:
        return []
    n = trace_lde.shape[1]
    segments = air.segments(trace_length)
    g = gl.root_of_unity((trace_length - 1).bit_length())
    inverse_by_offset: dict[int, np.ndarray] = {}
    out = []
    for a in segment_assertions:
        _check_segment_assertion(a, segments, trace_length)
        h = pow(g, a.offset, gl.P)
        if a.offset not in inverse_by_offset:
            shift = np.uint64((gl.P - pow(h, segments, gl.P)) % gl.P)
            inverse_by_offset[a.offset] = gl.batch_inverse(gl.add_scalar_vec(x_pow_n, shift))
        if len(set(a.values)) == 1:
            numerator = gl.add_scalar_vec(trace_lde[a.column], np.uint64((gl.P - a.values[0]) % gl.P))
        else:
            padded = np.zeros(n, dtype=np.uint64)
            padded[:segments] = segment_interpolant_coeffs(a.values, h)
            numerator = gl.sub_vec(trace_lde[a.column], coset_ntt(padded, offset))
        out.append(gl.mul_vec(numerator, inverse_by_offset[a.offset]))
    return out


def _check_segment_assertion(a: SegmentAssertion, segments: int, trace_length: int) -> None:
    if len(a.values) != segments or not 0 <= a.offset < trace_length // segments:
        raise ValueError(f"segment assertion on column {a.column} does not match {segments} segments")


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
