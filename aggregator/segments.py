"""Segment forms: how one program's execution fills a fixed-length segment of a batch trace.

A batch trace stacks member executions as equal segments of ``L`` rows.  The
batch AIR binds every member with constraints at the same offsets of each
segment (row 0 and row ``L - 1``, whose rows form cosets the verifier
interpolates over), plus, for forms that need it, at one *entry* row per
segment that the member's input places.

* ``fib`` runs the plain recurrence through the whole segment and places its
  execution so that it ends on the segment's last row: the member's first
  step, (a, b) = (0, 1), sits at row ``L - 1 - n`` (an entry row), and the
  rows before it hold the recurrence run backwards.  Two columns and linear
  constraints, like the single-execution AIR.
* ``mimc`` and ``collatz`` run their program for exactly the member's step
  count and then freeze their state: a binary, non-increasing step flag
  selects "step" or "hold" and a counter adds up the steps (collatz's own
  ``done`` flag plays that part), so the last row carries both the output and
  the step count.

The forms prove the same statements as the single-execution AIRs in
:mod:`prover.programs` (``fib(n) = out``, ``mimc(seed, rounds) = out``,
``collatz(n) = steps``).
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any, Sequence

import numpy as np
from numba import njit

from prover.air.air import TransitionDegree
from prover.math import goldilocks as gl
from prover.programs import get_program
from prover.programs.base import MIN_LOG_TRACE_LENGTH, Program, next_power_of_two
from prover.programs.collatz import A as COLLATZ_A
from prover.programs.collatz import BLOCK as COLLATZ_BLOCK
from prover.programs.collatz import CNT as COLLATZ_CNT
from prover.programs.collatz import DONE as COLLATZ_DONE
from prover.programs.mimc import ROUND_CYCLE, round_constants

#: (column, offset, value) where offset 0 is a segment's first row and -1 its last.
Boundary = tuple[int, int, int]
FIRST = 0
LAST = -1


class SegmentForm(ABC):
    """One program's constraints and trace layout inside a batch segment."""

    #: The program whose statements this form proves.
    program: Program
    #: Trace columns of one segment.
    width: int
    #: Smallest segment length (periodic columns must align with segments).
    min_rows: int = 1 << MIN_LOG_TRACE_LENGTH
    #: Inputs of the filler member that pads a group to the batch's segment count.
    padding_inputs: tuple[int, ...]

    @property
    def padding_outputs(self) -> tuple[int, ...]:
        return tuple(self.program.execute(self.padding_inputs))

    @abstractmethod
    def rows(self, inputs: Sequence[int], outputs: Sequence[int]) -> int:
        """Fewest segment rows (a power of two) the statement needs; computed from the journal alone."""

    @abstractmethod
    def transition_degrees(self) -> list[TransitionDegree]:
        """Degrees of the transition constraints."""

    @abstractmethod
    def evaluate_transition(self, cur: Sequence[Any], nxt: Sequence[Any], periodic: Sequence[Any]) -> list[Any]:
        """Constraint values; zero on every row but a segment's last iff the step is valid."""

    @abstractmethod
    def boundary(self, inputs: Sequence[int], outputs: Sequence[int]) -> list[Boundary]:
        """Values a member's segment must take at its first and last rows."""

    @abstractmethod
    def segment(self, inputs: Sequence[int], length: int) -> np.ndarray:
        """The member's segment, uint64 of shape (width, length)."""

    def entry_values(self) -> list[tuple[int, int]]:
        """(column, value) pairs that hold at each member's entry row; none for most forms."""
        return []

    def entry_row(self, inputs: Sequence[int], length: int) -> int:
        """Row of a segment of ``length`` rows where the member's entry values hold."""
        raise NotImplementedError(f"{type(self).__name__} has no entry row")

    def periodic_columns(self) -> list[list[int]]:
        return []


@njit(cache=True)
def _fib_run_segment(n: int, length: int) -> np.ndarray:
    out = np.empty((2, length), dtype=np.uint64)
    start = length - 1 - n
    a = np.uint64(0)
    b = np.uint64(1)
    for i in range(start, length):
        out[0, i] = a
        out[1, i] = b
        a, b = b, gl.add(a, b)
    a = np.uint64(0)
    b = np.uint64(1)
    for i in range(start - 1, -1, -1):
        a, b = gl.sub(b, a), a
        out[0, i] = a
        out[1, i] = b
    return out


@njit(cache=True)
def _fib_segment(n: int, length: int) -> np.ndarray:
    out = np.zeros((4, length), dtype=np.uint64)
    a = np.uint64(0)
    b = np.uint64(1)
    for i in range(length):
        step = i < n
        out[0, i] = a
        out[1, i] = b
        out[2, i] = np.uint64(1) if step else np.uint64(0)
        out[3, i] = np.uint64(min(i, n))
        if step:
            a, b = b, gl.add(a, b)
    return out


@njit(cache=True)
def _mimc_segment(seed: np.uint64, rounds: int, length: int, constants: np.ndarray) -> np.ndarray:
    out = np.zeros((3, length), dtype=np.uint64)
    x = seed
    cycle = constants.shape[0]
    for i in range(length):
        step = i < rounds
        out[0, i] = x
        out[1, i] = np.uint64(1) if step else np.uint64(0)
        out[2, i] = np.uint64(min(i, rounds))
        if step:
            t = gl.add(x, constants[i % cycle])
            x = gl.mul(gl.mul(t, t), t)
    return out


class _FibForm(SegmentForm, ABC):
    """What the fib forms share: the program, its padding member fib(0) and n + 1 rows."""

    program = get_program("fib")
    padding_inputs = (0,)

    def rows(self, inputs, outputs):
        return max(self.min_rows, next_power_of_two(inputs[0] + 1))


class FibSegment(_FibForm):
    """Columns a, b stepping as Fibonacci on every row; (0, 1) at the entry row L - 1 - n, a = out on the last."""

    width = 2

    def transition_degrees(self):
        return [TransitionDegree(1), TransitionDegree(1)]

    def evaluate_transition(self, cur, nxt, periodic):
        a, b = cur
        return [nxt[0] - b, nxt[1] - (a + b)]

    def boundary(self, inputs, outputs):
        return [(0, LAST, outputs[0])]

    def entry_values(self):
        return [(0, 0), (1, 1)]

    def entry_row(self, inputs, length):
        return length - 1 - inputs[0]

    def segment(self, inputs, length):
        return _fib_run_segment(inputs[0], length)


class SteppedFibSegment(_FibForm):
    """Columns a, b, s, c: (a, b) steps as Fibonacci while s = 1 and holds after; c counts steps.

    The root-only batch AIR (:mod:`aggregator.root_air`) uses this form: its hash lane reads every
    member's values on fixed rows of the segment.
    """

    width = 4

    def transition_degrees(self):
        return [TransitionDegree(2)] * 4 + [TransitionDegree(1)]

    def evaluate_transition(self, cur, nxt, periodic):
        a, b, s, c = cur
        return [
            s * (1 - s),
            nxt[2] * (1 - s),
            nxt[0] - a - s * (b - a),
            nxt[1] - b - s * a,
            nxt[3] - c - s,
        ]

    def boundary(self, inputs, outputs):
        return [(0, FIRST, 0), (1, FIRST, 1), (3, FIRST, 0), (0, LAST, outputs[0]), (3, LAST, inputs[0])]

    def segment(self, inputs, length):
        return _fib_segment(inputs[0], length)


class MimcSegment(SegmentForm):
    """Columns x, s, c: x <- (x + k_i)^3 while s = 1 and holds after; c counts rounds."""

    program = get_program("mimc")
    width = 3
    min_rows = ROUND_CYCLE
    padding_inputs = (0, 0)

    def rows(self, inputs, outputs):
        return max(self.min_rows, next_power_of_two(inputs[1] + 1))

    def transition_degrees(self):
        return [TransitionDegree(2), TransitionDegree(2), TransitionDegree(4), TransitionDegree(1)]

    def periodic_columns(self):
        return [list(round_constants())]

    def evaluate_transition(self, cur, nxt, periodic):
        x, s, c = cur
        t = x + periodic[0]
        return [s * (1 - s), nxt[1] * (1 - s), nxt[0] - x - s * (t * t * t - x), nxt[2] - c - s]

    def boundary(self, inputs, outputs):
        return [(0, FIRST, inputs[0]), (2, FIRST, 0), (0, LAST, outputs[0]), (2, LAST, inputs[1])]

    def segment(self, inputs, length):
        constants = np.array(round_constants(), dtype=np.uint64)
        return _mimc_segment(np.uint64(inputs[0]), inputs[1], length, constants)


class CollatzSegment(SegmentForm):
    """The collatz AIR unchanged: its done flag already holds the final state to the last row."""

    program = get_program("collatz")
    width = program.width
    min_rows = max(1 << MIN_LOG_TRACE_LENGTH, COLLATZ_BLOCK)
    padding_inputs = (1,)

    def rows(self, inputs, outputs):
        return max(self.min_rows, next_power_of_two(COLLATZ_BLOCK * (outputs[0] + 1)))

    def transition_degrees(self):
        return self.program.transition_degrees()

    def periodic_columns(self):
        return self.program.periodic_columns()

    def evaluate_transition(self, cur, nxt, periodic):
        return self.program.evaluate_transition(cur, nxt, periodic)

    def boundary(self, inputs, outputs):
        return [(COLLATZ_A, FIRST, inputs[0]), (COLLATZ_CNT, FIRST, 0), (COLLATZ_CNT, LAST, outputs[0]), (COLLATZ_DONE, LAST, 1)]

    def segment(self, inputs, length):
        return self.program.generate_trace(inputs, length)


#: Forms of every batchable program, in the canonical group order of a batch.
FORMS: tuple[SegmentForm, ...] = (FibSegment(), MimcSegment(), CollatzSegment())
FORM_BY_ID: dict[bytes, SegmentForm] = {form.program.program_id: form for form in FORMS}
