"""The rollup contract on both L1 targets: registry, access control, replay, dev mode, inclusion, gas."""

from __future__ import annotations

import pytest

from contracts.errors import TransactionRevertedError
from contracts.rollup import SINGLE_JOURNAL_BYTES, deploy_rollup
from contracts.verifier import verify_request
from prover.backends import prove
from prover.crypto.keccak import keccak256
from prover.receipt import Receipt
from prover.stark.params import preset

TEST = preset("test")


@pytest.fixture(scope="module")
def receipts():
    return {
        "stark": prove("fib", (20,), "stark", TEST),
        "stark2": prove("mimc", (3, 10), "stark", TEST),
        "trace": prove("fib", (20,), "trace"),
    }


@pytest.fixture(scope="module")
def dev_rollup(l1):
    return deploy_rollup(l1, sequencer=l1.accounts[1], dev_mode=True, min_security_bits=0)


@pytest.fixture(scope="module")
def prod_rollup(l1):
    return deploy_rollup(l1, sequencer=l1.accounts[1], dev_mode=False, min_security_bits=0)


def test_stark_batch_is_verified_recorded_and_logged(dev_rollup, receipts):
    receipt = receipts["stark"]
    index = dev_rollup.batch_count()
    result = dev_rollup.submit_batch(index, receipt)
    batch = dev_rollup.batch(index)
    assert batch["journal_root"] == keccak256(receipt.journal.to_bytes())
    assert batch["request_count"] == 1 and batch["backend"] == 1
    assert batch["l1_block"] == result.block_number
    assert batch["security_bits"] == TEST.security_bits(receipt.seal[1])
    events = dev_rollup.rollup.events.BatchVerified().process_receipt(result.receipt)
    assert [(e.args.index, bytes(e.args.journal_root)) for e in events] == [(index, batch["journal_root"])]
    assert result.gas.fits_cap and result.gas.gas_used == result.receipt["gasUsed"]


def test_statements_go_to_the_verifier_deployment_of_their_length(dev_rollup, receipts, l1):
    """Two deployments of one verifier: up to 1,064 statement bytes the single-journal one, past it the general one;
    the rollup contract and the Python bindings route alike, and both deployments accept a valid proof."""
    assert l1.call(dev_rollup.rollup.functions.SINGLE_VERIFIER()) == dev_rollup.single_verifier.address
    assert l1.call(dev_rollup.rollup.functions.VERIFIER()) == dev_rollup.verifier.address
    assert dev_rollup.verifier_for(bytes(SINGLE_JOURNAL_BYTES)) is dev_rollup.single_verifier
    assert dev_rollup.verifier_for(bytes(SINGLE_JOURNAL_BYTES + 1)) is dev_rollup.verifier
    receipt = receipts["stark"]
    journal, air = receipt.journal.to_bytes(), dev_rollup.airs[receipt.journal.program_id].address
    for verifier in (dev_rollup.single_verifier, dev_rollup.verifier):
        assert int.from_bytes(l1.call(verify_request(verifier, air, journal, receipt.seal))[:32], "big") > 0


def test_only_the_sequencer_submits_and_an_index_is_used_once(dev_rollup, receipts, l1):
    receipt = receipts["stark2"]
    index = dev_rollup.batch_count()
    with pytest.raises(TransactionRevertedError, match="only the sequencer"):
        dev_rollup.submit_batch(index, receipt, sender=l1.accounts[2])
    with pytest.raises(TransactionRevertedError, match="not the next one"):
        dev_rollup.submit_batch(index + 1, receipt)
    dev_rollup.submit_batch(index, receipt)
    with pytest.raises(TransactionRevertedError, match="not the next one"):
        dev_rollup.submit_batch(index, receipt)
    assert dev_rollup.batch_count() == index + 1


def test_tampered_proof_and_journal_are_rejected(dev_rollup, receipts):
    receipt = receipts["stark"]
    index = dev_rollup.batch_count()
    seal = bytearray(receipt.seal)
    seal[len(seal) // 2] ^= 1
    with pytest.raises(TransactionRevertedError):
        dev_rollup.submit_batch(index, Receipt(receipt.journal, receipt.backend, bytes(seal)))
    other = prove("fib", (21,), "stark", TEST)
    with pytest.raises(TransactionRevertedError):
        dev_rollup.submit_batch(index, Receipt(other.journal, receipt.backend, receipt.seal))
    assert dev_rollup.batch_count() == index


def test_trace_receipts_only_in_dev_mode(dev_rollup, prod_rollup, receipts):
    trace = receipts["trace"]
    index = dev_rollup.batch_count()
    dev_rollup.submit_batch(index, trace)
    assert dev_rollup.batch(index)["backend"] == 0
    with pytest.raises(TransactionRevertedError, match="not in dev mode"):
        prod_rollup.submit_batch(prod_rollup.batch_count(), trace)


def test_production_rollup_enforces_its_security_level(l1, receipts):
    strict = deploy_rollup(l1, dev_mode=False, min_security_bits=100)
    with pytest.raises(TransactionRevertedError, match="security level"):
        strict.submit_batch(0, receipts["stark"])


def test_unknown_program_and_registry_access(dev_rollup, receipts, l1):
    receipt = receipts["trace"]
    journal = bytes(32) + receipt.journal.to_bytes()[32:]
    fn = dev_rollup.rollup.functions.submit_batch(dev_rollup.batch_count(), 0, journal, receipt.seal)
    with pytest.raises(TransactionRevertedError, match="unknown program"):
        l1.transact(fn, sender=l1.accounts[1])
    with pytest.raises(TransactionRevertedError, match="only the owner"):
        l1.transact(dev_rollup.rollup.functions.register_program(bytes(32), l1.accounts[3]), sender=l1.accounts[2])


def test_journal_inclusion(dev_rollup, receipts):
    receipt = receipts["trace"]
    index = dev_rollup.batch_count()
    dev_rollup.submit_batch(index, receipt)
    journal = receipt.journal.to_bytes()
    assert dev_rollup.journal_in_batch(index, journal, 0, [])
    assert not dev_rollup.journal_in_batch(index, journal + b"\x00", 0, [])
    assert not dev_rollup.journal_in_batch(index, journal, 1, [])
    assert not dev_rollup.journal_in_batch(index, journal, 0, [bytes(32)])
    assert not dev_rollup.journal_in_batch(index + 5, journal, 0, [])


def test_the_verifier_refuses_seal_offsets_outside_the_calldata(dev_rollup, receipts, l1):
    """verify(air, journal, seal) takes the seal's ABI offset; one that points past the calldata is a clear revert."""
    from contracts.verifier import VERIFY_SELECTOR, verify_calldata

    receipt = receipts["stark"]
    journal = receipt.journal.to_bytes()
    air = dev_rollup.airs[journal[:32]].address
    good = verify_calldata(air, journal, receipt.seal)
    bits = TEST.security_bits(receipt.seal[1])
    assert int.from_bytes(l1.call({"to": dev_rollup.verifier.address, "data": good})[:32], "big") == bits
    head = good[4:]
    for offset in (len(head), len(head) - 16, 2**255):  # past the end, a length word cut off, overflow bait
        bad = VERIFY_SELECTOR + head[:64] + offset.to_bytes(32, "big") + head[96:]
        with pytest.raises(TransactionRevertedError, match="seal out of calldata"):
            l1.call({"to": dev_rollup.verifier.address, "data": bad})
    cut = good[: len(good) - 64]  # the seal's length word promises more bytes than the calldata holds
    with pytest.raises(TransactionRevertedError, match="seal out of calldata"):
        l1.call({"to": dev_rollup.verifier.address, "data": cut})
    for short in (b"", receipt.seal[:7]):  # not even a header: a reason, not a bare revert
        with pytest.raises(TransactionRevertedError, match="proof truncated in the header"):
            l1.call({"to": dev_rollup.verifier.address, "data": verify_calldata(air, journal, short)})
