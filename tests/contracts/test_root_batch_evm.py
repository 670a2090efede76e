"""Root-only batches on L1: contracts/air/root_batch.vy agrees with RootBatchAir, and the rollup settles them.

The EVM and Python verifiers accept the same honest proofs and reject the
same cheating and mutated ones; ``Rollup.submit_root_batch`` (through ``submit_batch`` of a root-only
receipt) records only
(count, Rescue root), refuses a root or count the proof was not made for,
and ``journal_in_root_batch`` proves every member's journal on L1 while a
forged journal, position or path fails.
"""

from __future__ import annotations

import random

import pytest

from dataclasses import replace

from aggregator import BatchReceipt, prove_batch, verify_batch
from aggregator.root_air import RootBatchAir, generate_trace, root_journal
from contracts.chain import EmbeddedL1
from contracts.errors import L1Error, TransactionRevertedError
from contracts.rollup import deploy_rollup
from prover.errors import SuperVMError
from prover.math.goldilocks import P
from prover.stark.params import ProofOptions
from prover.stark.prover import prove_trace
from prover.stark.verifier import verify_stark

OPTIONS = ProofOptions(log_blowup=3, log_folding=2, num_queries=8, grinding_bits=0, log_max_remainder=2)
MEMBERS = [5, 10, 3]


@pytest.fixture(scope="module")
def rollup():
    return deploy_rollup(EmbeddedL1(), dev_mode=True, min_security_bits=0)


@pytest.fixture(scope="module")
def receipt() -> BatchReceipt:
    return prove_batch([("fib", [n]) for n in MEMBERS], "stark", OPTIONS, "root")


def _python(count: int, root, seal: bytes) -> bool:
    try:
        verify_stark(RootBatchAir(count, root), root_journal(count, root), seal)
    except SuperVMError:
        return False
    return True


def _evm(rollup, count: int, root, seal: bytes) -> bool:
    try:
        rollup.verify_call(root_journal(count, root).to_bytes(), seal)
    except L1Error:
        return False
    return True


@pytest.mark.parametrize("inputs", [[7], [5, 10, 3], [40, 2, 7, 9, 11]])
def test_honest_batches_are_accepted_by_both(rollup, inputs):
    trace, _, root = generate_trace(inputs)
    seal = prove_trace(RootBatchAir(len(inputs), root), root_journal(len(inputs), root), trace, OPTIONS).to_bytes()
    assert _python(len(inputs), root, seal) and _evm(rollup, len(inputs), root, seal)


def test_a_wrong_statement_is_rejected_by_both(rollup, receipt):
    root, count = list(receipt.rescue_root), receipt.request_count
    other = [(root[0] + 1) % P] + root[1:]
    for count, claimed in ((count, other), (count + 1, root), (count - 1, root)):
        assert not _python(count, claimed, receipt.seal)
        assert not _evm(rollup, count, claimed, receipt.seal)


def test_a_cheating_prover_is_rejected_by_both(rollup):
    """A trace whose tree is over other members, proven anyway under the honest root."""
    _, _, root = generate_trace(MEMBERS)
    trace, _, _ = generate_trace([5, 10, 4])
    cheat = prove_trace(RootBatchAir(len(MEMBERS), root), root_journal(len(MEMBERS), root), trace, OPTIONS, refuse_invalid=False)
    assert not _python(len(MEMBERS), root, cheat.to_bytes())
    assert not _evm(rollup, len(MEMBERS), root, cheat.to_bytes())


def test_mutated_seals_agree(rollup, receipt):
    rng = random.Random(7)
    for _ in range(40):
        seal = bytearray(receipt.seal)
        kind = rng.randrange(3)
        if kind == 0:
            i = rng.randrange(len(seal))
            seal[i] ^= 1 << rng.randrange(8)
        elif kind == 1:
            del seal[rng.randrange(len(seal)) :]
        else:
            i = rng.randrange(len(seal) - 8)
            seal[i : i + 8] = rng.randbytes(8)
        count, root = receipt.request_count, receipt.rescue_root
        python, evm = _python(count, root, bytes(seal)), _evm(rollup, count, root, bytes(seal))
        assert python == evm, f"verifiers disagree on mutation {kind}"
        assert not evm


def test_the_rollup_settles_a_root_only_batch_and_proves_membership(rollup, receipt):
    assert verify_batch(receipt) == rollup.verify_call(receipt.root_statement.to_bytes(), receipt.seal)
    index = rollup.batch_count()
    result = rollup.submit_batch(index, receipt)
    record = rollup.batch(index)
    assert record == {**record, "journal_root": receipt.journal_root, "request_count": receipt.request_count}
    assert rollup.root_only(index) and not rollup.root_only(index + 1)
    assert result.gas.gas_used > 0 and result.gas.calldata_bytes < len(receipt.seal) + 400  # no member data on L1
    journals = [j.to_bytes() for j in receipt.journals]
    for position, journal in enumerate(journals):
        path = receipt.inclusion_path(position)
        assert rollup.journal_in_root_batch(index, journal, position, path)
        assert not rollup.journal_in_root_batch(index, journals[(position + 1) % len(journals)], position, path)
        assert not rollup.journal_in_root_batch(index, journal, position ^ 1, path)
        assert not rollup.journal_in_batch(index, journal, position, [bytes(32)] * len(path))  # not a keccak tree
    path = receipt.inclusion_path(0)
    forged = [(int.from_bytes(path[0], "big") + 1).to_bytes(32, "big")] + path[1:]
    assert not rollup.journal_in_root_batch(index, journals[0], 0, forged)
    with pytest.raises(TransactionRevertedError, match="not the next one"):
        rollup.submit_batch(index, receipt)


def test_the_rollup_refuses_a_root_or_count_the_proof_was_not_made_for(rollup, receipt):
    """The seal of one batch submitted with another root (members swapped) or another count."""
    fn = rollup.rollup.functions.submit_root_batch
    index, count, root = rollup.batch_count(), receipt.request_count, receipt.journal_root
    swapped = replace(receipt, statement=type(receipt.statement).from_journals(receipt.statement.batch_id, receipt.journals[::-1]))
    assert swapped.journal_root != root
    for bad in (fn(index, count, swapped.journal_root, receipt.seal), fn(index, count + 1, root, receipt.seal)):
        with pytest.raises(TransactionRevertedError):
            rollup.chain.transact(bad, sender=rollup.sequencer)
    with pytest.raises(TransactionRevertedError, match="only the sequencer"):
        rollup.submit_batch(index, receipt, sender=rollup.chain.accounts[3])


def test_malformed_root_only_submissions_and_queries_are_refused(rollup, receipt):
    fn = rollup.rollup.functions.submit_root_batch
    index, count, root = rollup.batch_count(), receipt.request_count, receipt.journal_root
    non_canonical = (P).to_bytes(8, "big") + root[8:]  # first element = p
    for bad, reason in (
        (fn(index, count, non_canonical, receipt.seal), "not a canonical digest"),
        (fn(index, 0, root, receipt.seal), "1 .. 65536 members"),
        (fn(index, 65537, root, receipt.seal), "1 .. 65536 members"),
        (fn(index, count, root, b""), "proof truncated"),
    ):
        with pytest.raises(TransactionRevertedError, match=reason):
            rollup.chain.transact(bad, sender=rollup.sequencer)
    journal = receipt.journals[0].to_bytes()
    path = receipt.inclusion_path(0)
    assert not rollup.journal_in_root_batch(rollup.batch_count() + 5, journal, 0, path)  # no such batch
    calldata = prove_batch([("fib", [n]) for n in MEMBERS], "trace")  # a keccak-tree batch (dev mode)
    rollup.submit_batch(rollup.batch_count(), calldata)
    assert not rollup.root_only(rollup.batch_count() - 1)
    assert not rollup.journal_in_root_batch(rollup.batch_count() - 1, journal, 0, path)


def test_a_root_only_batch_of_l2_blocks_settles_and_proves_every_member(rollup):
    receipt = prove_batch([("fib", [n]) for n in (4, 9, 6, 12, 3)], "stark", OPTIONS, "root", blocks=[2, 3])
    assert receipt.positions == (0, 1, 2, 4, 5)  # the block of 3 first (widest), then the block of 2
    assert receipt.tree_slots == 6 and receipt.root_statement.inputs == (6,)  # one padding slot after the block of 3
    index = rollup.batch_count()
    rollup.submit_batch(index, receipt)
    assert rollup.batch(index)["request_count"] == 6  # the tree slots the proof was made for
    for journal, position in zip(receipt.journals, receipt.positions):
        assert rollup.journal_in_root_batch(index, journal.to_bytes(), position, receipt.inclusion_path(position))
    with pytest.raises(SuperVMError):
        receipt.inclusion_path(3)  # the padding slot
