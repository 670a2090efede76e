"""The batch statement: the ordered member journals a batch proof binds, and its byte encoding.

Encoding (calldata data-availability mode; every integer big-endian)::

    batch_id   32 bytes   keccak256 of the batch AIR definition (aggregator.air.BATCH_ID)
    groups     u32        number of program groups, 1..3, in canonical form order
    per group:
      program_id  32 bytes
      count       u32      members in the group, >= 1
      members     count x (inputs then outputs, 8 bytes each; counts fixed by the program)

Members are grouped by program (fib, mimc, collatz) and keep their order
within a group; the batch order of the journals is that grouped order.  The
statement is what the STARK transcript absorbs and what the rollup contract
rebuilds the journal tree from.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import cached_property
from typing import Sequence

from aggregator.journal_tree import journal_root
from aggregator.segments import FORM_BY_ID, FORMS, SegmentForm
from prover.errors import ProofFormatError
from prover.math.goldilocks import P
from prover.receipt import Journal

#: Most members one batch statement may hold.
MAX_BATCH_MEMBERS = 1 << 16


@dataclass(frozen=True)
class Group:
    """Members of one program, in batch order."""

    form: SegmentForm
    members: tuple[Journal, ...]


@dataclass(frozen=True)
class BatchStatement:
    """The member journals of a batch, grouped by program in canonical order."""

    batch_id: bytes
    groups: tuple[Group, ...]

    #: A batch statement has no values of its own; its members carry them.
    inputs: tuple[int, ...] = ()
    outputs: tuple[int, ...] = ()

    @classmethod
    def from_journals(cls, batch_id: bytes, journals: Sequence[Journal]) -> "BatchStatement":
        """Group ``journals`` by program (stable) into a statement; ProofFormatError if not batchable."""
        if not 1 <= len(journals) <= MAX_BATCH_MEMBERS:
            raise ProofFormatError(f"a batch holds 1..{MAX_BATCH_MEMBERS} members, got {len(journals)}")
        by_form: dict[bytes, list[Journal]] = {}
        for journal in journals:
            form = FORM_BY_ID.get(journal.program_id)
            if form is None:
                raise ProofFormatError(f"program 0x{journal.program_id.hex()} cannot be batched")
            _check_shape(form, journal)
            by_form.setdefault(journal.program_id, []).append(journal)
        groups = tuple(
            Group(form, tuple(by_form[form.program.program_id])) for form in FORMS if form.program.program_id in by_form
        )
        return cls(batch_id, groups)

    @cached_property
    def journals(self) -> tuple[Journal, ...]:
        """Member journals in batch order."""
        return tuple(j for group in self.groups for j in group.members)

    @property
    def member_count(self) -> int:
        return sum(len(g.members) for g in self.groups)

    @cached_property
    def journal_root(self) -> bytes:
        """Root of the keccak tree over the member journal digests."""
        return journal_root(self.journals)

    def to_bytes(self) -> bytes:
        out = [self.batch_id, struct.pack(">I", len(self.groups))]
        for group in self.groups:
            out.append(group.form.program.program_id + struct.pack(">I", len(group.members)))
            for j in group.members:
                out.append(b"".join(v.to_bytes(8, "big") for v in j.inputs + j.outputs))
        return b"".join(out)

    @classmethod
    def from_bytes(cls, data: bytes) -> "BatchStatement":
        """Decode and check canonical form; ProofFormatError on anything else."""
        if not isinstance(data, (bytes, bytearray)):
            raise ProofFormatError("batch statement must be bytes")
        data = bytes(data)
        pos = 0

        def take(size: int) -> bytes:
            nonlocal pos
            if pos + size > len(data):
                raise ProofFormatError("batch statement truncated")
            pos += size
            return data[pos - size : pos]

        batch_id = take(32)
        (group_count,) = struct.unpack(">I", take(4))
        if not 1 <= group_count <= len(FORMS):
            raise ProofFormatError(f"batch lists {group_count} program groups, expected 1..{len(FORMS)}")
        groups = []
        last_rank = -1
        total = 0
        for _ in range(group_count):
            program_id = take(32)
            form = FORM_BY_ID.get(program_id)
            if form is None:
                raise ProofFormatError(f"program 0x{program_id.hex()} cannot be batched")
            rank = FORMS.index(form)
            if rank <= last_rank:
                raise ProofFormatError("program groups are repeated or out of canonical order")
            last_rank = rank
            (count,) = struct.unpack(">I", take(4))
            total += count
            if count == 0 or total > MAX_BATCH_MEMBERS:
                raise ProofFormatError(f"group sizes must be >= 1 and total <= {MAX_BATCH_MEMBERS}")
            n_in, n_out = form.program.num_inputs, form.program.num_outputs
            members = []
            for _ in range(count):
                values = [int.from_bytes(take(8), "big") for _ in range(n_in + n_out)]
                if any(v >= P for v in values):
                    raise ProofFormatError("batch value is not a canonical field element")
                members.append(Journal(program_id, tuple(values[:n_in]), tuple(values[n_in:])))
            groups.append(Group(form, tuple(members)))
        if pos != len(data):
            raise ProofFormatError("trailing bytes after the batch statement")
        return cls(batch_id, tuple(groups))


def _check_shape(form: SegmentForm, journal: Journal) -> None:
    program = form.program
    if len(journal.inputs) != program.num_inputs or len(journal.outputs) != program.num_outputs:
        raise ProofFormatError(f"{program.name} journal must hold {program.num_inputs} input(s) and {program.num_outputs} output(s)")
