"""Root-only batch receipts: only (member count, Rescue-Prime root) is public; the prover keeps the journals.

Proven and verified in Python by :mod:`aggregator.root_air` (fib members
only). There is no EVM verifier for these proofs yet, so a rollup cannot
settle them: ``prove_batch(..., da="root")`` still refuses, and the node's
``--da root`` with it (docs/aggregator.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from aggregator.batch import Member, execute_members
from aggregator.root_air import FIB_ID, RootBatchAir, generate_trace, root_journal
from prover.crypto import rescue_tree
from prover.crypto.rescue import Digest
from prover.errors import InvalidInputError, InvalidParametersError
from prover.receipt import Journal
from prover.stark.params import ProofOptions, preset
from prover.stark.prover import prove_trace
from prover.stark.verifier import verify_stark


@dataclass(frozen=True)
class RootBatchReceipt:
    """The public statement (count, root) and its seal; ``journals`` and ``leaves`` stay with the prover."""

    count: int
    root: Digest
    seal: bytes
    journals: tuple[Journal, ...] = ()
    leaves: tuple[Digest, ...] = ()

    @property
    def statement(self) -> Journal:
        return root_journal(self.count, self.root)

    def inclusion_path(self, position: int) -> list[Digest]:
        """Rescue Merkle path of member ``position`` (leaf order = batch order)."""
        if not 0 <= position < self.count:
            raise InvalidInputError(f"position {position} is outside the batch of {self.count}")
        return rescue_tree.inclusion_proof(list(self.leaves), position)


def prove_root_batch(members: Sequence[Member], options: ProofOptions | str | None = None) -> RootBatchReceipt:
    """Prove fib members in one root-only batch (InvalidParametersError for other programs)."""
    journals = execute_members(members)
    if any(j.program_id != FIB_ID for j in journals):
        raise InvalidParametersError("root-only batches take fib members only for now")
    if isinstance(options, str) or options is None:
        options = preset(options or "default")
    trace, leaves, root = generate_trace([j.inputs[0] for j in journals])
    air = RootBatchAir(len(journals), root)
    proof = prove_trace(air, root_journal(len(journals), root), trace, options)
    return RootBatchReceipt(len(journals), root, proof.to_bytes(), tuple(journals), tuple(leaves))


def verify_root_batch(receipt: RootBatchReceipt, min_security_bits: int = 0) -> int:
    """Conjectured security bits of a valid root-only batch; ProofFormatError / VerificationError otherwise."""
    statement = receipt.statement
    return verify_stark(RootBatchAir.for_journal(statement), statement, receipt.seal, min_security_bits).security_bits
