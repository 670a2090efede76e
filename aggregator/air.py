"""The batch AIR: many member executions, of several programs, in one trace.

Each program present in the batch gets its own group of columns (its segment
form, :mod:`aggregator.segments`).  All groups share the segment count ``N``
(the largest group size, rounded up to a power of two) and the segment length
``L`` (the longest member's rows, rounded up), so the trace has ``N * L`` rows
and row ``j * L + i`` of a group holds step ``i`` of its ``j``-th member.
Groups with fewer than ``N`` members are filled with a fixed padding member
whose values the verifier knows.

Transitions are not enforced across segment boundaries (the zerofier leaves
out the last row of every segment), and each member's journal values are
segment assertions at offsets 0 and ``L - 1`` (the verifier interpolates them
at the out-of-domain point) or, for forms with an entry row, a row-set
assertion on the rows the members' inputs place (the verifier multiplies one
factor per member).  So every journal value is constrained by the AIR, and a
swapped, dropped, duplicated or reordered member breaks the proof.
"""

from __future__ import annotations

import json
from functools import cached_property
from typing import Any, Sequence

import numpy as np

from aggregator.segments import FORMS, LAST
from aggregator.statement import BatchStatement
from prover.air.air import Air, Assertion, RowSetAssertion, SegmentAssertion, TransitionDegree
from prover.crypto.keccak import keccak256
from prover.errors import InvalidParametersError
from prover.programs.base import MAX_LOG_TRACE_LENGTH, next_power_of_two

BATCH_AIR_NAME = "supervm-batch"
BATCH_AIR_VERSION = 2


def batch_air_definition() -> bytes:
    """Canonical bytes describing the batch AIR (its forms and constraints); hashed into BATCH_ID."""
    body = {
        "name": BATCH_AIR_NAME,
        "version": BATCH_AIR_VERSION,
        "forms": [
            {
                "program_id": form.program.program_id.hex(),
                "width": form.width,
                "min_rows": form.min_rows,
                "transition_degrees": [[d.base, list(d.cycles)] for d in form.transition_degrees()],
                "periodic_columns": form.periodic_columns(),
                "padding_inputs": list(form.padding_inputs),
                "entry_values": [list(v) for v in form.entry_values()],
            }
            for form in FORMS
        ],
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


#: The batch AIR's id: the first 32 bytes of every batch statement, registered in the rollup.
BATCH_ID = keccak256(batch_air_definition())


class BatchAir(Air):
    """The AIR of one batch statement."""

    def __init__(self, statement: BatchStatement):
        self.statement = statement
        self.groups = statement.groups
        offsets = []
        at = 0
        for group in self.groups:
            offsets.append(at)
            at += group.form.width
        self.column_offsets = tuple(offsets)
        self.width = at
        self.segment_count = next_power_of_two(max(len(g.members) for g in self.groups))
        rows = [g.form.min_rows for g in self.groups]
        rows += [g.form.rows(j.inputs, j.outputs) for g in self.groups for j in g.members]
        self.segment_rows = max(rows)
        if self.min_trace_length > 1 << MAX_LOG_TRACE_LENGTH:
            raise InvalidParametersError(
                f"batch needs {self.segment_count} segments of {self.segment_rows} rows, more than "
                f"2^{MAX_LOG_TRACE_LENGTH} rows: split it into smaller batches"
            )

    @property
    def min_trace_length(self) -> int:
        return self.segment_count * self.segment_rows

    def trace_length(self, inputs: Sequence[int] = (), outputs: Sequence[int] = ()) -> int:
        """Fewest trace rows: N segments of the longest member's rows."""
        return self.min_trace_length

    def segments(self, trace_length: int) -> int:
        return self.segment_count

    @cached_property
    def _degrees(self) -> list[TransitionDegree]:
        return [d for g in self.groups for d in g.form.transition_degrees()]

    def transition_degrees(self) -> list[TransitionDegree]:
        return self._degrees

    def periodic_columns(self) -> list[list[int]]:
        return [col for g in self.groups for col in g.form.periodic_columns()]

    def evaluate_transition(self, cur: Sequence[Any], nxt: Sequence[Any], periodic: Sequence[Any]) -> list[Any]:
        out: list[Any] = []
        p = 0
        for group, offset in zip(self.groups, self.column_offsets):
            form = group.form
            cols = slice(offset, offset + form.width)
            count = len(form.periodic_columns())
            out += form.evaluate_transition(cur[cols], nxt[cols], periodic[p : p + count])
            p += count
        return out

    def assertions(self, inputs: Sequence[int], outputs: Sequence[int], trace_length: int) -> list[Assertion]:
        return []

    def segment_assertions(self, trace_length: int) -> list[SegmentAssertion]:
        """Per group and boundary column: the values of every member, then of the padding members."""
        segment = trace_length // self.segment_count
        out = []
        for group, offset in zip(self.groups, self.column_offsets):
            form = group.form
            padding = form.boundary(form.padding_inputs, form.padding_outputs)
            members = [form.boundary(j.inputs, j.outputs) for j in group.members]
            members += [padding] * (self.segment_count - len(group.members))
            for k, (column, at, _) in enumerate(padding):
                row = segment - 1 if at == LAST else at
                out.append(SegmentAssertion(offset + column, row, tuple(m[k][2] for m in members)))
        return out

    def row_set_assertions(self, trace_length: int) -> list[RowSetAssertion]:
        """Per group with an entry row: each entry value on the entry rows of every member, then padding."""
        segment = trace_length // self.segment_count
        out = []
        for group, offset in zip(self.groups, self.column_offsets):
            form = group.form
            entries = form.entry_values()
            if not entries:
                continue
            inputs = [j.inputs for j in group.members]
            inputs += [form.padding_inputs] * (self.segment_count - len(group.members))
            rows = tuple(j * segment + form.entry_row(x, segment) for j, x in enumerate(inputs))
            out += [RowSetAssertion(offset + column, rows, value) for column, value in entries]
        return out

    def generate_trace(self, trace_length: int | None = None) -> np.ndarray:
        """The batch trace: every member's segment, padding segments after each group's members."""
        length = trace_length or self.min_trace_length
        segment = length // self.segment_count
        trace = np.empty((self.width, length), dtype=np.uint64)
        for group, offset in zip(self.groups, self.column_offsets):
            form = group.form
            cols = slice(offset, offset + form.width)
            for j, journal in enumerate(group.members):
                trace[cols, j * segment : (j + 1) * segment] = form.segment(journal.inputs, segment)
            if len(group.members) < self.segment_count:
                pad = form.segment(form.padding_inputs, segment)
                for j in range(len(group.members), self.segment_count):
                    trace[cols, j * segment : (j + 1) * segment] = pad
        return trace
