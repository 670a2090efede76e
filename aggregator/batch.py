"""Batch receipts: one proof for many executions, and the functions that make and check them.

This is *batching*: the member executions are laid side by side in one trace
and proven by one STARK whose AIR constrains every member's journal values.
No proof is verified inside another proof (that would be recursion; see
docs/aggregator.md).
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import cached_property
from enum import Enum
from typing import Sequence, TypeVar

from aggregator.air import BATCH_ID, BatchAir
from aggregator.journal_tree import InclusionError, inclusion_proof, journal_tree_node
from aggregator.root_air import FIB_ID, RootBatchAir, generate_trace, member_tree, root_journal, slot_inputs, with_lane_blowup
from aggregator.segments import FORM_BY_ID
from aggregator.statement import BatchStatement
from prover.backends.trace import TRACE_SEAL_VERSION, trace_commitment
from prover.crypto import rescue_tree
from prover.crypto.keccak import keccak256
from prover.crypto.rescue import digest_to_bytes
from prover.errors import InsecureReceiptError, InvalidInputError, InvalidParametersError, ProofFormatError, VerificationError
from prover.programs import get_program, program_by_id
from prover.programs.base import Program
from prover.receipt import MAX_SEAL_SIZE, Backend, Journal
from prover.stark.params import ProofOptions, preset
from prover.stark.prover import prove_trace
from prover.stark.verifier import verify_stark

BATCH_RECEIPT_MAGIC = b"SVMB"
BATCH_RECEIPT_VERSION = 1

T = TypeVar("T")

#: (program name, Program or program id, inputs) of one member to prove.
Member = tuple["str | bytes | Program", Sequence[int]]


class DAMode(str, Enum):
    """Where the member journals live: posted in calldata, or only committed to (validium-style)."""

    CALLDATA = "calldata"
    ROOT = "root"

    @classmethod
    def parse(cls, value: "str | DAMode") -> "DAMode":
        try:
            return cls(value)
        except ValueError:
            raise InvalidParametersError(f"unknown data-availability mode {value!r}; use 'calldata' or 'root'") from None


@dataclass(frozen=True)
class BatchReceipt:
    """A batch statement (the ordered member journals) with the seal that proves all of them."""

    backend: Backend
    statement: BatchStatement
    seal: bytes
    da: DAMode = DAMode.CALLDATA

    @property
    def journals(self) -> tuple[Journal, ...]:
        """Member journals in batch order (grouped by program)."""
        return self.statement.journals

    @property
    def journal_root(self) -> bytes:
        """The commitment the rollup records: the keccak tree root (calldata) or the Rescue-Prime root (root-only), 32 bytes."""
        if self.da == DAMode.ROOT:
            return digest_to_bytes(self.rescue_root)
        return self.statement.journal_root

    @property
    def positions(self) -> tuple[int, ...]:
        """Tree position of each member of :attr:`journals` (what L1 inclusion proofs name)."""
        return self.statement.positions

    @property
    def tree_slots(self) -> int:
        """Tree slots up to the last member: the member count, plus the padding between L2 blocks."""
        return self.statement.layout.end

    @cached_property
    def _rescue_tree(self) -> tuple[list[tuple[int, ...]], tuple[int, ...]]:
        """(padded leaves, root) of the Rescue tree of the member journals, hashed once per receipt."""
        return member_tree(self.journals, self.positions)

    @property
    def rescue_root(self) -> tuple[int, ...]:
        """Root-only batches: the Rescue-Prime root of the member journals (4 field elements)."""
        return self._rescue_tree[1]

    @property
    def root_statement(self) -> Journal:
        """Root-only batches: the public statement the seal proves, (tree slots) in, the Rescue root out."""
        return root_journal(self.tree_slots, self.rescue_root)

    def inclusion_path(self, position: int) -> list[bytes]:
        """Merkle path of the member at tree ``position`` in the tree the rollup records (keccak or Rescue;
        leaf level first); it passes through the member's L2 block root."""
        if position not in self.positions:
            raise InclusionError(f"tree position {position} holds no member of this batch of {self.request_count}")
        if self.da == DAMode.ROOT:
            return [digest_to_bytes(d) for d in rescue_tree.inclusion_proof(self._rescue_tree[0], position)]
        return inclusion_proof(self.journals, position, self.positions)

    def block_root(self, block: int) -> bytes:
        """Root of L2 block ``block`` (tree order) of the tree the rollup records: the node above its members."""
        layout = self.statement.layout
        if not 0 <= block < len(layout.sizes):
            raise InclusionError(f"block {block} is outside the batch's {len(layout.sizes)} blocks")
        level, index = layout.block_level(block), layout.starts[block] >> layout.block_level(block)
        if self.da == DAMode.ROOT:
            return digest_to_bytes(rescue_tree.levels(self._rescue_tree[0])[level][index])
        return journal_tree_node(self.journals, self.positions, level, index)

    @property
    def request_count(self) -> int:
        return self.statement.member_count

    @property
    def is_secure(self) -> bool:
        return self.backend == Backend.STARK

    def to_bytes(self) -> bytes:
        """'SVMB' || version u8 || backend u8 || da u8 || u32 len || statement || u32 len || seal."""
        statement = self.statement.to_bytes()
        da = 0 if self.da == DAMode.CALLDATA else 1
        return (
            BATCH_RECEIPT_MAGIC
            + bytes([BATCH_RECEIPT_VERSION, int(self.backend), da])
            + struct.pack(">I", len(statement))
            + statement
            + struct.pack(">I", len(self.seal))
            + self.seal
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> "BatchReceipt":
        if not isinstance(data, (bytes, bytearray)) or len(data) < 15 or bytes(data[:4]) != BATCH_RECEIPT_MAGIC:
            raise ProofFormatError("not a supervm batch receipt (bad magic or too short)")
        data = bytes(data)
        if data[4] != BATCH_RECEIPT_VERSION:
            raise ProofFormatError(f"unsupported batch receipt version {data[4]}")
        try:
            backend = Backend(data[5])
        except ValueError:
            raise ProofFormatError(f"unknown backend byte {data[5]}") from None
        if data[6] > 1:
            raise ProofFormatError(f"unknown data-availability byte {data[6]}")
        da = DAMode.CALLDATA if data[6] == 0 else DAMode.ROOT
        (length,) = struct.unpack(">I", data[7:11])
        if 11 + length + 4 > len(data):
            raise ProofFormatError("batch receipt truncated in the statement")
        statement = BatchStatement.from_bytes(data[11 : 11 + length])
        pos = 11 + length
        (seal_len,) = struct.unpack(">I", data[pos : pos + 4])
        if seal_len > MAX_SEAL_SIZE or pos + 4 + seal_len != len(data):
            raise ProofFormatError("batch receipt length does not match its seal length")
        return cls(backend, statement, data[pos + 4 :], da)


def _program(ref: "str | bytes | Program") -> Program:
    if isinstance(ref, Program):
        return ref
    if isinstance(ref, (bytes, bytearray)):
        return program_by_id(bytes(ref))
    return get_program(ref)


def execute_members(members: Sequence[Member]) -> list[Journal]:
    """Validate and run every member; InvalidInputError or UnknownProgramError on the first bad one."""
    journals = []
    for ref, inputs in members:
        program = _program(ref)
        values = program.validate_inputs(tuple(inputs))
        journals.append(Journal(program.program_id, values, tuple(program.execute(values))))
    return journals


def batch_trace_seal(statement: BatchStatement) -> bytes:
    """Trace-backend seal of a batch: keccak over the members' trace commitments (no soundness)."""
    commitments = b"".join(trace_commitment(FORM_BY_ID[j.program_id].program.generate_trace(j.inputs)) for j in statement.journals)
    return bytes([TRACE_SEAL_VERSION, 0]) + keccak256(commitments)


def prove_batch(
    members: Sequence[Member] | Sequence[Journal],
    backend: Backend | str = Backend.STARK,
    options: ProofOptions | str | None = None,
    da: DAMode | str = DAMode.CALLDATA,
    blocks: Sequence[int] | None = None,
) -> BatchReceipt:
    """Prove every member in one batch proof.

    ``members`` are (program, inputs) pairs, executed here, or journals of
    executions already run (their outputs are checked by the proof itself),
    in L2 order; ``blocks`` splits them into L2 blocks (member counts in L2
    order; one block if None), each a subtree of the journal tree.
    """
    backend = Backend.parse(backend)
    da = DAMode.parse(da)
    if da == DAMode.ROOT and backend != Backend.STARK:
        raise InvalidParametersError("root-only batches need the STARK backend: the root is computed inside the proof")
    journals = [m if isinstance(m, Journal) else None for m in members]
    if any(j is None for j in journals):
        journals = execute_members(members)  # type: ignore[arg-type]
    statement = BatchStatement.from_blocks(BATCH_ID, split_blocks(journals, blocks))  # type: ignore[arg-type]
    if isinstance(options, str) or options is None:
        options = preset(options or "default")
    if da == DAMode.ROOT:
        return _prove_root_only(statement, options)
    if backend == Backend.TRACE:
        _check_outputs(statement)
        return BatchReceipt(backend, statement, batch_trace_seal(statement), da)
    air = BatchAir(statement)
    proof = prove_trace(air, statement, air.generate_trace(), options)
    return BatchReceipt(backend, statement, proof.to_bytes(), da)


def split_blocks(members: Sequence[T], blocks: Sequence[int] | None) -> list[Sequence[T]]:
    """``members`` cut into consecutive L2 blocks of the given sizes (one block if None)."""
    if blocks is None:
        return [members]
    if any(not isinstance(b, int) or b < 1 for b in blocks) or sum(blocks) != len(members):
        raise InvalidParametersError(f"block sizes {list(blocks)[:8]} do not split {len(members)} members")
    out, at = [], 0
    for size in blocks:
        out.append(members[at : at + size])
        at += size
    return out


def _prove_root_only(statement: BatchStatement, options: ProofOptions) -> BatchReceipt:
    """One RootBatchAir proof over the members at their tree positions (fib only): the seal proves (tree slots,
    Rescue root).  The blowup is raised to 8 where it is lower: the Rescue lane's degree-7 constraints need it."""
    journals = statement.journals
    if any(j.program_id != FIB_ID for j in journals):
        raise InvalidParametersError("root-only batches take fib members only")
    _check_outputs(statement)  # the trace is generated from the inputs: a journal with another output is refused here
    trace, _, root = generate_trace(slot_inputs(journals, statement.positions))
    slots = statement.layout.end
    proof = prove_trace(RootBatchAir(slots, root), root_journal(slots, root), trace, with_lane_blowup(options))
    return BatchReceipt(Backend.STARK, statement, proof.to_bytes(), DAMode.ROOT)


def _check_outputs(statement: BatchStatement) -> None:
    for j in statement.journals:
        program = FORM_BY_ID[j.program_id].program
        if tuple(program.execute(program.validate_inputs(j.inputs))) != j.outputs:
            raise VerificationError(f"{j.describe(program.name)} does not match re-execution")


def verify_batch(receipt: BatchReceipt, *, allow_insecure: bool = False, min_security_bits: int = 0) -> int:
    """Verify a batch receipt; returns its conjectured security bits (0 for Trace).

    Raises ProofFormatError / VerificationError (InsecureReceiptError for a
    Trace batch unless ``allow_insecure``).
    """
    statement = receipt.statement
    if statement.batch_id != BATCH_ID:
        raise VerificationError("batch statement is for another batch AIR")
    if receipt.da == DAMode.ROOT:
        if receipt.backend != Backend.STARK:
            raise VerificationError("root-only batches are STARK batches")
        try:
            statement_journal = receipt.root_statement
            air = RootBatchAir(receipt.tree_slots, receipt.rescue_root)
        except InvalidInputError as exc:
            raise VerificationError(str(exc)) from None
        return verify_stark(air, statement_journal, receipt.seal, min_security_bits).security_bits
    if receipt.backend == Backend.TRACE:
        if not allow_insecure:
            raise InsecureReceiptError("Trace batches have no soundness and are refused in production settings")
        _check_outputs(statement)
        if receipt.seal != batch_trace_seal(statement):
            raise VerificationError("trace commitment does not match the re-executed members")
        return 0
    try:
        air = BatchAir(statement)
    except InvalidParametersError as exc:
        raise VerificationError(str(exc)) from None
    return verify_stark(air, statement, receipt.seal, min_security_bits).security_bits  # type: ignore[arg-type]
