"""Prover stage: execution through the service cache, leaf positions, proving closed batches in a worker."""

from __future__ import annotations

import time

import pytest

from aggregator import BatchReceipt, journal_root
from node.errors import ProvingFailedError
from node.proving import Executor, ProvingStage, positions_of, prove_in_worker
from node.sequencer import BatchPolicy, GasModel, Sequencer
from node.store import Member
from prover.programs import get_program
from prover.receipt import Backend, Journal

FIB, MIMC, COLLATZ = (get_program(n).program_id for n in ("fib", "mimc", "collatz"))


def test_executor_outputs_and_cache():
    executor = Executor()
    members = [Member(1, b"a" * 32, FIB, (10,), 16), Member(2, b"b" * 32, COLLATZ, (27,), 1024), Member(3, b"c" * 32, FIB, (10,), 16)]
    assert executor(members) == {1: (55,), 2: (111,), 3: (55,)}
    executor(members[:1])
    stats = executor.cache_stats()
    assert stats["hits"] >= 2 and stats["misses"] == 2  # the repeat within the call and the later call hit
    executor.close()


def test_positions_follow_the_aggregators_grouping():
    sent = [(COLLATZ, (27,)), (FIB, (5,)), (MIMC, (3, 4)), (FIB, (6,))]
    proved = prove_in_worker([Journal(p, i, ()).to_bytes() for p, i in sent], int(Backend.TRACE), "default", "calldata", 0)
    receipt = BatchReceipt.from_bytes(proved.receipt)
    assert proved.positions == [3, 0, 2, 1]  # fib group first (in order), then mimc, then collatz
    assert [receipt.journals[p].inputs for p in proved.positions] == [i for _, i in sent]
    assert proved.journal_root == journal_root(receipt.journals)
    with pytest.raises(ProvingFailedError):
        positions_of([(FIB, (5,)), (FIB, (7,))], BatchReceipt.from_bytes(
            prove_in_worker([Journal(FIB, (5,), ()).to_bytes(), Journal(FIB, (6,), ()).to_bytes()], 0, "default", "calldata", 0).receipt))


@pytest.mark.parametrize("da", ["calldata", "root"])
def test_l2_blocks_become_subtrees_and_every_position_proves(da):
    from aggregator.journal_tree import verify_inclusion
    from node.proving import block_sizes
    from prover.crypto import rescue_tree
    from prover.crypto.rescue import digest_from_bytes, journal_leaf

    members = [Member(k, bytes([k]) * 32, FIB, (n,), 16, None, blk) for k, (n, blk) in enumerate(
        [(5, 7), (9, 7), (3, 8), (4, 8), (6, 8), (2, 9)])]
    blocks = block_sizes(members)
    assert blocks == [2, 3, 1]
    backend, preset = (int(Backend.STARK), "test") if da == "root" else (int(Backend.TRACE), "default")
    proved = prove_in_worker([Journal(FIB, m.inputs, ()).to_bytes() for m in members], backend, preset, da, 0, blocks)
    receipt = BatchReceipt.from_bytes(proved.receipt)
    assert proved.positions == [4, 5, 0, 1, 2, 6]  # the block of 3 first (widest), then 2, then 1
    assert proved.outputs == [(5,), (34,), (2,), (3,), (8,), (1,)]
    for m, position, out in zip(members, proved.positions, proved.outputs):
        journal = Journal(FIB, m.inputs, out)
        path = receipt.inclusion_path(position)
        if da == "root":
            leaf = journal_leaf(FIB, m.inputs, out)
            assert rescue_tree.verify_inclusion(digest_from_bytes(proved.journal_root), leaf, position, [digest_from_bytes(p) for p in path])
        else:
            assert verify_inclusion(proved.journal_root, journal.to_bytes(), position, path)


def test_stage_proves_closed_batches_in_a_worker(store, chain_id, signer):
    seq = Sequencer(store, chain_id, BatchPolicy(max_requests=3), GasModel.for_backend("trace"), Executor())
    seq.submit([signer.sign("fib", [i + 1]).to_json() for i in range(3)] + [signer.sign("mimc", [1, 70]).to_json()])
    closed = seq.tick()
    assert closed == [0]
    proven = []
    stage = ProvingStage(store, "trace", "default", "calldata", 0, workers=1, on_proven=lambda n, info: proven.append(n)).start()
    try:
        deadline = time.monotonic() + 120
        while not proven and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        stage.stop()
    assert proven == [0]
    batch = store.get_batch(0)
    assert batch["status"] == "proven" and batch["journal_root"] and stage.stats.requests == 3
    assert sorted(store.get_request(i)["position"] for i in store.batch_request_ids(0)) == [0, 1, 2]
    assert store.get_request(store.batch_request_ids(0)[2])["outputs"] == (2,)  # fib(3) = 2
