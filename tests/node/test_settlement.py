"""L1 submitter on the embedded chain: in-order settlement, reconciliation, retries, failures and splits."""

from __future__ import annotations

import time

import pytest

from aggregator import BatchReceipt
from contracts.errors import L1UnavailableError, TransactionRevertedError, TransactionTooLargeError
from contracts.rollup import deploy_rollup
from node.client import Signer
from node.l1 import PersistentEmbeddedL1
from node.proving import positions_of, prove_in_worker
from node.sequencer import BatchPolicy, GasModel, Sequencer
from node.settlement import Settlement
from node.store import Store
from prover.programs import program_by_id
from prover.receipt import Backend, Journal


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    l1 = PersistentEmbeddedL1(tmp_path_factory.mktemp("l1") / "l1.sqlite", 60_000_000)
    yield l1
    l1.close()


@pytest.fixture
def rollup(chain):
    return deploy_rollup(chain, dev_mode=True, min_security_bits=0)  # a fresh rollup per test on the shared chain


def proven_batches(store: Store, chain_id: int, sizes: list[int], signer_index: int = 1) -> list[int]:
    """Accept, seal, close and prove (Trace, in-process) batches of the given sizes."""
    signer = Signer.dev(signer_index, chain_id)
    numbers = []
    for size in sizes:
        seq = Sequencer(store, chain_id, BatchPolicy(max_requests=size), GasModel.for_backend("trace"))
        seq.submit([signer.sign("fib" if i % 2 else "collatz", [i + 3]).to_json() for i in range(size)])
        numbers += seq.tick()
    for number in numbers:
        members = store.members(number)
        journals = []
        for m in members:
            program = program_by_id(m.program)
            journals.append(Journal(m.program, m.inputs, tuple(program.execute(m.inputs))).to_bytes())
        proved = prove_in_worker(journals, int(Backend.TRACE), "default", "calldata", 0)
        receipt = BatchReceipt.from_bytes(proved.receipt)
        assert proved.positions == positions_of([(m.program, m.inputs) for m in members], receipt)
        assert receipt.journal_root == proved.journal_root
        store.save_proof(number, proved.receipt, proved.journal_root, {m.seq: p for m, p in zip(members, proved.positions)},
                         {m.seq: o for m, o in zip(members, proved.outputs)}, proved.seconds, proved.security_bits)
    return numbers


def test_settles_in_order_with_gas(store, chain_id, rollup):
    numbers = proven_batches(store, chain_id, [3, 5])
    settlement = Settlement(store, rollup)
    assert settlement.step() and settlement.step() and not settlement.step()
    for index, number in enumerate(numbers):
        batch = store.get_batch(number)
        assert batch["status"] == "verified" and batch["l1_index"] == index
        on_l1 = rollup.batch(index)
        assert on_l1["journal_root"] == batch["journal_root"] and on_l1["request_count"] == batch["request_count"]
        assert batch["gas_used"] > 21_000 and batch["l1_tx"].startswith("0x")
        assert batch["gas_calldata"] + batch["gas_execution"] <= batch["gas_used"]
    assert store.status_counts()["verified"] == 8


def test_a_batch_already_on_l1_is_reconciled_not_resent(store, chain_id, rollup):
    (number,) = proven_batches(store, chain_id, [4])
    store.assign_l1_index(number, rollup.batch_count())  # the node recorded the index, then "crashed" after sending
    sent = rollup.submit_batch(0, BatchReceipt.from_bytes(store.receipt(number)))
    settlement = Settlement(store, rollup)
    assert settlement.step()
    batch = store.get_batch(number)
    assert batch["status"] == "verified" and batch["l1_tx"] == sent.tx_hash and batch["gas_used"] == sent.gas_used
    assert rollup.batch_count() == 1 and settlement.stats.reconciled == 1


class Flaky:
    """A rollup whose submit_batch raises ``errors`` (in order) before delegating."""

    def __init__(self, rollup, errors):
        self._rollup = rollup
        self.errors = list(errors)
        self.calls = 0

    def submit_batch(self, *args, **kwargs):
        self.calls += 1
        if self.errors:
            raise self.errors.pop(0)
        return self._rollup.submit_batch(*args, **kwargs)

    def __getattr__(self, name):
        return getattr(self._rollup, name)


def test_unreachable_l1_is_retried_with_backoff(store, chain_id, rollup):
    proven_batches(store, chain_id, [2])
    flaky = Flaky(rollup, [L1UnavailableError("down")] * 3)
    settlement = Settlement(store, flaky, backoff_initial=0.05, backoff_max=0.2).start()
    try:
        deadline = time.monotonic() + 30
        while store.status_counts()["verified"] < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        settlement.stop()
    assert store.status_counts()["verified"] == 2
    assert flaky.calls == 4 and settlement.stats.retries == 3 and rollup.batch_count() == 1


def test_repeated_reverts_fail_the_batch_and_reject_its_requests(store, chain_id, rollup):
    (number,) = proven_batches(store, chain_id, [2])
    flaky = Flaky(rollup, [TransactionRevertedError("proof is below the rollup's security level")] * 3)
    settlement = Settlement(store, flaky, max_reverts=3)
    for _ in range(3):
        settlement.step()
    batch = store.get_batch(number)
    assert batch["status"] == "failed" and batch["l1_index"] is None
    assert store.status_counts()["rejected"] == 2
    assert "security level" in store.get_request(store.batch_request_ids(number)[0])["reason"]


def test_too_large_batch_is_split(store, chain_id, rollup):
    (number,) = proven_batches(store, chain_id, [5])
    flaky = Flaky(rollup, [TransactionTooLargeError("over the cap")])
    split = []
    settlement = Settlement(store, flaky, on_split=lambda n, halves: split.append(halves))
    settlement.step()
    assert split == [(number + 1, number + 2)]
    assert store.get_batch(number)["status"] == "failed"
    assert store.batches_with_status("closed") == [number + 1, number + 2]
    assert store.status_counts()["sealed"] == 5 and store.status_counts()["rejected"] == 0
