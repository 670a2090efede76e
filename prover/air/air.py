"""The AIR interface: what a program must declare to be proven by the STARK.

Modelled on winterfell's ``Air``: trace width and length, transition
constraints with their degrees, boundary assertions derived from public
inputs, and optional periodic columns.  An AIR may also declare auxiliary
columns: the prover builds them after committing the main trace, from random
values the transcript draws then (a two-stage proof, for permutation and
lookup arguments), and commits them in a second tree.  Constraints are written once against
a tiny algebra (``+``, ``-``, ``*`` with field values and Python ints), so the
same code runs over whole evaluation vectors in the prover and over one
extension-field point in the verifier.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Sequence


@dataclass(frozen=True)
class TransitionDegree:
    """Degree of one transition constraint.

    ``base`` is its degree in the trace columns; ``cycles`` lists the cycle
    lengths of the periodic columns it multiplies in (each adds the degree of
    a periodic polynomial, as in winterfell's ``with_cycles``).
    """

    base: int
    cycles: tuple[int, ...] = ()

    def evaluation_degree(self, trace_length: int) -> int:
        """Degree of the constraint polynomial over a trace of ``trace_length`` rows."""
        degree = self.base * (trace_length - 1)
        for cycle in self.cycles:
            degree += (trace_length // cycle) * (cycle - 1)
        return degree


@dataclass(frozen=True)
class Assertion:
    """A boundary constraint: ``trace[column][row] == value``."""

    column: int
    row: int
    value: int


@dataclass(frozen=True)
class SegmentAssertion:
    """A boundary constraint on every segment: ``trace[column][j * L + offset] == values[j]``.

    ``L`` is the segment length ``trace_length // segments``; ``values`` has one
    entry per segment.  The rows form a coset of the segments-th roots of
    unity, so the constraint costs the verifier one interpolation at z.
    """

    column: int
    offset: int
    values: tuple[int, ...]


@dataclass(frozen=True)
class RowSetAssertion:
    """A boundary constraint at scattered rows: ``trace[column][r] == value`` for every ``r`` in ``rows``.

    The quotient is ``(col(x) - value) / Z(x)`` with ``Z`` the product of
    ``x - g^r``: the verifier multiplies one factor per row, so the rows may lie
    anywhere (a batch member's first step, wherever its input puts it).
    """

    column: int
    rows: tuple[int, ...]
    value: int


class Air(ABC):
    """Algebraic intermediate representation of one program."""

    #: Number of trace columns.
    width: int
    #: Number of auxiliary columns, committed after the main trace (0: a one-stage proof).
    aux_width: int = 0
    #: Number of random base-field values drawn after the main trace is committed.
    aux_randomness: int = 0

    @abstractmethod
    def transition_degrees(self) -> list[TransitionDegree]:
        """Degrees of the transition constraints, in evaluation order."""

    @abstractmethod
    def evaluate_transition(self, cur: Sequence[Any], nxt: Sequence[Any], periodic: Sequence[Any]) -> list[Any]:
        """Constraint values for one step; zero on every row except the last iff the step is valid."""

    @abstractmethod
    def assertions(self, inputs: Sequence[int], outputs: Sequence[int], trace_length: int) -> list[Assertion]:
        """Boundary constraints binding the trace to the public inputs and outputs."""

    def periodic_columns(self) -> list[list[int]]:
        """Values of each periodic column over one cycle (cycle length a power of two)."""
        return []

    def segments(self, trace_length: int) -> int:
        """Number of equal segments; transitions are not enforced on each segment's last row."""
        return 1

    def segment_assertions(self, trace_length: int) -> list[SegmentAssertion]:
        """Boundary constraints repeated at one offset in every segment (see SegmentAssertion)."""
        return []

    def row_set_assertions(self, trace_length: int) -> list[RowSetAssertion]:
        """Boundary constraints holding one value on a set of rows (see RowSetAssertion)."""
        return []

    def segment_constraints(self, trace_length: int) -> list[tuple[int, TransitionDegree]]:
        """(offset, degree) of each segment constraint: a step constraint enforced only from row
        ``offset`` to the next in every segment (rows offset + j L), evaluated by
        :meth:`evaluate_segment_constraints`; its zerofier is x^N - g^(offset N), so it costs the
        verifier no more than a transition constraint.  At offset L - 1 the step from the trace's last
        row (which would wrap to row 0) is not enforced."""
        return []

    def evaluate_segment_constraints(self, cur: Sequence[Any], nxt: Sequence[Any], periodic: Sequence[Any]) -> list[Any]:
        """Segment constraint values, in the order of :meth:`segment_constraints`."""
        return []

    def aux_trace(self, trace: Any, randomness: Sequence[int]) -> Any:
        """The auxiliary columns (a uint64 array of ``aux_width`` rows) for ``trace`` and the drawn randomness."""
        raise NotImplementedError(f"{type(self).__name__} declares no auxiliary columns")

    def aux_transition_degrees(self) -> list[TransitionDegree]:
        """Degrees of the auxiliary transition constraints, in evaluation order."""
        return []

    def evaluate_aux_transition(
        self, cur: Sequence[Any], nxt: Sequence[Any], periodic: Sequence[Any], randomness: Sequence[int]
    ) -> list[Any]:
        """Auxiliary constraint values for one step; rows hold the main columns, then the auxiliary ones.

        Unlike the main transitions they hold on every row but the last, segment boundaries included,
        so that a running product or sum carries across segments.
        """
        return []

    def aux_assertions(self, trace_length: int, randomness: Sequence[int]) -> list[Assertion]:
        """Boundary constraints on auxiliary columns (column index counted after the main columns)."""
        return []

    def all_transition_degrees(self) -> list[TransitionDegree]:
        """Main then auxiliary transition degrees: the order the composition uses."""
        return self.transition_degrees() + self.aux_transition_degrees()

    @property
    def num_transition_constraints(self) -> int:
        return len(self.transition_degrees())

    def composition_columns(self, trace_length: int) -> int:
        """Number of degree-<T columns the composition polynomial is split into."""
        bound = trace_length - 1  # boundary quotients have degree < T - 1
        zerofier = trace_length - self.segments(trace_length)
        for degree in self.transition_degrees():
            bound = max(bound, degree.evaluation_degree(trace_length) - zerofier + 1)
        for degree in self.aux_transition_degrees():
            bound = max(bound, degree.evaluation_degree(trace_length) - (trace_length - 1) + 1)
        segments = self.segments(trace_length)
        for offset, degree in self.segment_constraints(trace_length):
            zerofier = segments - (offset == trace_length // segments - 1)  # that one skips the wrap to row 0
            bound = max(bound, degree.evaluation_degree(trace_length) - zerofier + 1)
        return max(1, -(-bound // trace_length))
