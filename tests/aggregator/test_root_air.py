"""Root-only batches: the AIR computes the Rescue-Prime root of the member journals (Python prover and verifier).

Honest batches verify and their root is the Rescue tree of the member
journals, with inclusion paths; a claimed root that is not the tree's, a
member whose hashed journal differs from its execution, and a forged leaf are
all rejected; an AIR that drops the bus's final assertion accepts any root,
which shows that assertion is what binds the root.
"""

from __future__ import annotations

import pytest

from aggregator.root_air import LANE, LEAF_B, RootBatchAir, generate_trace, root_journal, segment_length
from prover.air.rescue_lane import RescueLane
from prover.crypto import rescue_tree
from prover.crypto.rescue import journal_leaf
from prover.errors import InvalidParametersError, ProofFormatError, TraceError, VerificationError
from prover.math.goldilocks import P
from prover.programs import get_program
from prover.stark.params import ProofOptions
from prover.stark.prover import prove_trace
from prover.stark.verifier import verify_stark

OPTIONS = ProofOptions(log_blowup=3, log_folding=2, num_queries=8, grinding_bits=0, log_max_remainder=2)
MEMBERS = [5, 10, 3]
FIB = get_program("fib")


def _prove(inputs, **kw):
    trace, leaves, root = generate_trace(inputs)
    journal = root_journal(len(inputs), root)
    return prove_trace(RootBatchAir(len(inputs), root), journal, trace, OPTIONS, **kw), journal, leaves, root


def _refused_and_rejected(trace, root) -> None:
    """The honest prover refuses ``trace`` under ``root``; a cheating prover's proof fails verification."""
    journal = root_journal(len(MEMBERS), root)
    with pytest.raises(TraceError):
        prove_trace(RootBatchAir(len(MEMBERS), root), journal, trace, OPTIONS)
    cheat = prove_trace(RootBatchAir(len(MEMBERS), root), journal, trace, OPTIONS, refuse_invalid=False)
    with pytest.raises(VerificationError):
        verify_stark(RootBatchAir(len(MEMBERS), root), journal, cheat.to_bytes())


@pytest.fixture(scope="module")
def honest():
    return _prove(MEMBERS)


def test_the_root_is_the_rescue_tree_of_the_member_journals(honest):
    proof, journal, leaves, root = honest
    expected = [journal_leaf(FIB.program_id, (n,), FIB.execute((n,))) for n in MEMBERS + [0]]
    assert leaves == expected
    assert root == rescue_tree.root(expected)
    verify_stark(RootBatchAir.for_journal(journal), journal, proof.to_bytes())
    for position in range(len(MEMBERS)):
        path = rescue_tree.inclusion_proof(leaves, position)
        assert rescue_tree.verify_inclusion(root, leaves[position], position, path)


def test_a_batch_of_one():
    proof, journal, leaves, root = _prove([7])
    assert root == leaves[0]
    verify_stark(RootBatchAir.for_journal(journal), journal, proof.to_bytes())


def test_a_claimed_root_that_is_not_the_trees_is_refused_and_rejected(honest):
    trace, _, root = generate_trace(MEMBERS)
    forged = (root[0] ^ 1,) + root[1:]
    _refused_and_rejected(trace, forged)


def test_a_root_over_other_members_is_rejected(honest):
    proof, _, _, _ = honest
    _, _, other_root = generate_trace([6, 10, 3])  # fib(6) in place of fib(5)
    journal = root_journal(len(MEMBERS), other_root)
    with pytest.raises((ProofFormatError, VerificationError)):
        verify_stark(RootBatchAir(len(MEMBERS), other_root), journal, proof.to_bytes())


def _rebuild_merges(trace, leaves, length):
    """Redo the merge blocks (segment k, block 0) over ``leaves``, as generate_trace lays them out."""
    level, slot = leaves, 0
    while len(level) > 1:
        parents = []
        for i in range(len(level) // 2):
            block = RescueLane.block(list(level[2 * i]) + list(level[2 * i + 1]) + [0] * 4)
            trace[LANE : LANE + 12, slot * length : slot * length + 8] = block
            parents.append(tuple(int(x) for x in block[:4, -1]))
            slot += 1
        level = parents
    return level[0]


def test_a_leaf_hashed_from_a_false_output_is_rejected():
    """Member 0 runs fib(5) = 5 but its leaf hashes the journal fib(5) = 6, and the whole tree is
    rebuilt over that leaf: only the link from the member's columns to block B catches it."""
    trace, leaves, _ = generate_trace(MEMBERS)
    length = segment_length(MEMBERS + [0])
    b_in = length - LEAF_B
    trace[LANE + 3, b_in] = (int(trace[LANE + 3, b_in]) + 1) % P
    block = RescueLane.block([int(x) for x in trace[LANE : LANE + 12, b_in]])
    trace[LANE : LANE + 12, b_in : b_in + 8] = block
    false_leaf = tuple(int(x) for x in block[:4, -1])
    assert false_leaf == journal_leaf(FIB.program_id, (5,), (6,))
    _refused_and_rejected(trace, _rebuild_merges(trace, [false_leaf] + leaves[1:], length))


class NoFinalCheck(RootBatchAir):
    """The bus without its final assertion: nothing ties the public root to the trace."""

    def aux_assertions(self, trace_length, randomness):
        return [a for a in super().aux_assertions(trace_length, randomness) if a.row == 0]


def test_without_the_final_bus_assertion_any_root_is_accepted(honest):
    """The public root enters the proof only through that assertion: drop it and a forged root verifies."""
    proof_trace, _, root = generate_trace(MEMBERS)
    forged = (root[0] ^ 1,) + root[1:]
    journal = root_journal(len(MEMBERS), forged)
    proof = prove_trace(NoFinalCheck(len(MEMBERS), forged), journal, proof_trace, OPTIONS)
    verify_stark(NoFinalCheck(len(MEMBERS), forged), journal, proof.to_bytes())
    with pytest.raises(VerificationError):
        verify_stark(RootBatchAir(len(MEMBERS), forged), journal, proof.to_bytes())


def test_root_batch_receipts_through_the_aggregator_api():
    from aggregator import BatchReceipt, DAMode, prove_batch, verify_batch
    from prover.crypto.rescue import digest_from_bytes

    receipt = prove_batch([("fib", [n]) for n in MEMBERS], "stark", OPTIONS, "root")
    assert receipt.da == DAMode.ROOT and BatchReceipt.from_bytes(receipt.to_bytes()) == receipt
    assert verify_batch(receipt) == OPTIONS.security_bits(receipt.seal[1])
    root = digest_from_bytes(receipt.journal_root)
    for position, journal in enumerate(receipt.journals):
        leaf = journal_leaf(journal.program_id, journal.inputs, journal.outputs)
        path = [digest_from_bytes(d) for d in receipt.inclusion_path(position)]
        assert rescue_tree.verify_inclusion(root, leaf, position, path)
    with pytest.raises(InvalidParametersError, match="fib members only"):
        prove_batch([("mimc", [3, 70])], "stark", OPTIONS, "root")
    with pytest.raises(InvalidParametersError, match="STARK backend"):
        prove_batch([("fib", [3])], "trace", OPTIONS, "root")
    from dataclasses import replace

    from aggregator import BATCH_ID, BatchStatement, execute_members
    from prover.receipt import Backend

    others = BatchStatement.from_journals(BATCH_ID, execute_members([("fib", [n + 1]) for n in MEMBERS]))
    mimc = BatchStatement.from_journals(BATCH_ID, execute_members([("mimc", [3, 70])]))
    for bad in (replace(receipt, statement=others), replace(receipt, statement=mimc), replace(receipt, backend=Backend.TRACE)):
        with pytest.raises((VerificationError, ProofFormatError)):  # other members, a program the AIR cannot hash, Trace
            verify_batch(bad)
