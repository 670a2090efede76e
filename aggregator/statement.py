"""The batch statement: the ordered member journals a batch proof binds, and its byte encoding.

Encoding (calldata data-availability mode; every integer big-endian)::

    batch_id   32 bytes   keccak256 of the batch AIR definition (aggregator.air.BATCH_ID)
    groups     u32        number of program groups, 1..3, in canonical form order
    per group:
      program_id  32 bytes
      count       u32      members in the group, >= 1
      members     count x (inputs then outputs, 8 bytes each; counts fixed by the program)
    blocks     u32        number of L2 blocks, 1..MAX_BLOCKS, in tree order (aggregator.blocks)
    per block:
      counts      groups x u32   the block's members in each group, in group order

Each group lists its members block by block, in tree order.  The batch order
of the journals walks the blocks: block 0's fib members, then its mimc and
collatz members, then block 1's, and so on; member i of that order is leaf
``layout.positions[i]`` of the journal tree (:mod:`aggregator.blocks`).  The
statement is what the STARK transcript absorbs and what the rollup contract
rebuilds the journal tree from.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import cached_property
from typing import Sequence

from aggregator.blocks import MAX_BLOCKS, BlockLayout
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
    #: Members of each group in each L2 block, blocks in tree order; empty means one block.
    blocks: tuple[tuple[int, ...], ...] = ()

    #: A batch statement has no values of its own; its members carry them.
    inputs: tuple[int, ...] = ()
    outputs: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        sizes = tuple(len(g.members) for g in self.groups)
        if not self.blocks:
            object.__setattr__(self, "blocks", (sizes,))  # frozen: the one-block table is filled in once
        if any(len(row) != len(sizes) for row in self.blocks):
            raise ProofFormatError("every block lists one count per program group")
        if tuple(sum(column) for column in zip(*self.blocks)) != sizes:
            raise ProofFormatError("the block counts do not add up to the group sizes")
        BlockLayout(tuple(sum(row) for row in self.blocks))  # checks sizes and tree order

    @classmethod
    def from_journals(cls, batch_id: bytes, journals: Sequence[Journal]) -> "BatchStatement":
        """A statement of one block: ``journals`` grouped by program (stable); ProofFormatError if not batchable."""
        return cls.from_blocks(batch_id, [journals])

    @classmethod
    def from_blocks(cls, batch_id: bytes, blocks: Sequence[Sequence[Journal]]) -> "BatchStatement":
        """A statement of L2 blocks given in L2 order (each block's journals in acceptance order)."""
        total = sum(len(b) for b in blocks)
        if not 1 <= total <= MAX_BATCH_MEMBERS:
            raise ProofFormatError(f"a batch holds 1..{MAX_BATCH_MEMBERS} members, got {total}")
        if not 1 <= len(blocks) <= MAX_BLOCKS or any(not b for b in blocks):
            raise ProofFormatError(f"a batch holds 1..{MAX_BLOCKS} blocks of at least one member each")
        for journal in (j for b in blocks for j in b):
            form = FORM_BY_ID.get(journal.program_id)
            if form is None:
                raise ProofFormatError(f"program 0x{journal.program_id.hex()} cannot be batched")
            _check_shape(form, journal)
        present = [f for f in FORMS if any(j.program_id == f.program.program_id for b in blocks for j in b)]
        members: dict[bytes, list[Journal]] = {f.program.program_id: [] for f in present}
        table = []
        for k in BlockLayout.tree_order([len(b) for b in blocks]):
            row = []
            for form in present:
                mine = [j for j in blocks[k] if j.program_id == form.program.program_id]
                members[form.program.program_id].extend(mine)
                row.append(len(mine))
            table.append(tuple(row))
        groups = tuple(Group(f, tuple(members[f.program.program_id])) for f in present)
        return cls(batch_id, groups, tuple(table))

    @cached_property
    def layout(self) -> BlockLayout:
        """Block sizes in tree order: where each member sits in the journal tree."""
        return BlockLayout(tuple(sum(row) for row in self.blocks))

    @cached_property
    def journals(self) -> tuple[Journal, ...]:
        """Member journals in batch order: block by block, each block's groups in order."""
        cursors = [0] * len(self.groups)
        out: list[Journal] = []
        for row in self.blocks:
            for g, count in enumerate(row):
                out.extend(self.groups[g].members[cursors[g] : cursors[g] + count])
                cursors[g] += count
        return tuple(out)

    @property
    def positions(self) -> tuple[int, ...]:
        """Journal tree position of each member, in batch order."""
        return self.layout.positions

    @property
    def member_count(self) -> int:
        return sum(len(g.members) for g in self.groups)

    @cached_property
    def journal_root(self) -> bytes:
        """Root of the keccak tree over the member journal digests, placed block by block."""
        return journal_root(self.journals, self.positions)

    def to_bytes(self) -> bytes:
        out = [self.batch_id, struct.pack(">I", len(self.groups))]
        for group in self.groups:
            out.append(group.form.program.program_id + struct.pack(">I", len(group.members)))
            for j in group.members:
                out.append(b"".join(v.to_bytes(8, "big") for v in j.inputs + j.outputs))
        out.append(struct.pack(">I", len(self.blocks)))
        out.extend(struct.pack(f">{len(row)}I", *row) for row in self.blocks)
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
        (block_count,) = struct.unpack(">I", take(4))
        if not 1 <= block_count <= MAX_BLOCKS:
            raise ProofFormatError(f"batch lists {block_count} blocks, expected 1..{MAX_BLOCKS}")
        table = tuple(struct.unpack(f">{group_count}I", take(4 * group_count)) for _ in range(block_count))
        if pos != len(data):
            raise ProofFormatError("trailing bytes after the batch statement")
        return cls(batch_id, tuple(groups), table)


def _check_shape(form: SegmentForm, journal: Journal) -> None:
    program = form.program
    if len(journal.inputs) != program.num_inputs or len(journal.outputs) != program.num_outputs:
        raise ProofFormatError(f"{program.name} journal must hold {program.num_inputs} input(s) and {program.num_outputs} output(s)")
