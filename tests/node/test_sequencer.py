"""Sequencer: every acceptance check, nonce ordering, blocks, batch closing rules, restart."""

from __future__ import annotations

import pytest

from node.client import Signer
from node.errors import (
    InvalidRequestInputError,
    InvalidSignatureError,
    NonceGapError,
    NonceTooLowError,
    QueueFullError,
    TooManyRowsError,
    UnknownProgramRequestError,
    WrongChainIdError,
)
from node.proving import Executor
from node.sequencer import MAX_STATEMENT_BYTES, Accepted, BatchPolicy, GasModel, Sequencer
from node.store import Store
from prover.programs import get_program


def make(store, chain_id, policy=None, clock=None, **kw) -> Sequencer:
    return Sequencer(store, chain_id, policy or BatchPolicy(), GasModel.for_backend("trace"), clock=clock or (lambda: 1000.0), **kw)


def test_accepts_and_answers_in_order(store, chain_id, signer):
    seq = make(store, chain_id)
    out = seq.submit([signer.sign("fib", [10]).to_json(), signer.sign("mimc", [3, 5]).to_json()])
    assert all(isinstance(a, Accepted) for a in out)
    assert [a.nonce for a in out] == [0, 1]
    assert seq.next_nonce(signer.address) == 2 and seq.next_nonce(signer.address.lower()) == 2
    assert store.status_counts()["pending"] == 2
    assert store.get_request(out[0].id)["sender"] == signer.address


def one(seq: Sequencer, params) -> object:
    return seq.submit([params])[0]


@pytest.mark.parametrize(
    "mutate, error, message",
    [
        (lambda p: {**p, "chainId": 1}, WrongChainIdError, "chain id 1"),
        (lambda p: {**p, "signature": "0x" + "00" * 65}, InvalidSignatureError, ""),
        (lambda p: {**p, "signature": "0x1234"}, InvalidRequestInputError, "65 bytes"),
        (lambda p: {**p, "from": "0x" + "11" * 20}, InvalidSignatureError, "claimed sender"),
        (lambda p: {**p, "program": "0x" + "ab" * 32}, UnknownProgramRequestError, "unknown program"),
        (lambda p: {**p, "program": "nope"}, InvalidRequestInputError, "32 bytes"),
        (lambda p: {**p, "inputs": list(range(17))}, InvalidRequestInputError, "at most 16"),
        (lambda p: {**p, "inputs": ["x"]}, InvalidRequestInputError, "not a number"),
        (lambda p: {**p, "nonce": -1}, InvalidRequestInputError, "nonce"),
        (lambda p: {**p, "extra": 1}, InvalidRequestInputError, "unknown request fields"),
        (lambda p: [p], InvalidRequestInputError, "object"),
    ],
)
def test_refusals(store, chain_id, signer, mutate, error, message):
    seq = make(store, chain_id)
    result = one(seq, mutate(signer.sign("fib", [10]).to_json()))
    assert isinstance(result, error), result
    assert message in str(result)
    assert store.request_count() == 0


def test_program_input_bounds_are_enforced(store, chain_id, signer):
    seq = make(store, chain_id)
    assert isinstance(one(seq, signer.sign("fib", [0]).to_json()), InvalidRequestInputError)  # fib needs n >= 1
    assert isinstance(one(Sequencer(store, chain_id, BatchPolicy(), GasModel.for_backend("trace")),
                          Signer.dev(2, chain_id).sign("fib", [1, 2]).to_json()), InvalidRequestInputError)


def test_trace_rows_limits(store, chain_id, signer):
    seq = make(store, chain_id, BatchPolicy(max_rows=1024))
    too_many_for_request = signer.sign("fib", [100], max_rows=64)  # needs 128 rows
    assert isinstance(one(seq, too_many_for_request.to_json()), TooManyRowsError)
    signer.nonce = 0
    too_many_for_batch = signer.sign("fib", [5000])  # 8192 rows > batch limit 1024
    assert isinstance(one(seq, too_many_for_batch.to_json()), TooManyRowsError)


def test_nonce_replay_and_gap(store, chain_id, signer):
    seq = make(store, chain_id)
    first = signer.sign("fib", [10])
    assert isinstance(one(seq, first.to_json()), Accepted)
    assert isinstance(one(seq, first.to_json()), NonceTooLowError)  # exact replay
    signer.nonce = 5
    assert isinstance(one(seq, signer.sign("fib", [10]).to_json()), NonceGapError)
    signer.nonce = 1
    gap_then_fill = [signer.sign("fib", [11]).to_json(), signer.sign("fib", [12]).to_json()]
    assert [type(r) for r in seq.submit(gap_then_fill[::-1])] == [NonceGapError, Accepted]
    assert seq.next_nonce(signer.address) == 2


def test_queue_limit(store, chain_id, signer):
    seq = make(store, chain_id, max_pending=2)
    results = seq.submit([signer.sign("fib", [i + 1]).to_json() for i in range(3)])
    assert [type(r) for r in results] == [Accepted, Accepted, QueueFullError]


def test_blocks_and_batches_close_by_count(store, chain_id, signer):
    closed = []
    seq = make(store, chain_id, BatchPolicy(max_requests=3), execute=Executor(), on_batch_closed=closed.append)
    seq.submit([signer.sign("fib", [i + 1]).to_json() for i in range(7)])
    assert seq.tick() == [0, 1]
    assert closed == [0, 1]
    assert [store.get_batch(n)["request_count"] for n in (0, 1)] == [3, 3]
    assert seq.open_batch_info()["requests"] == 1
    first = store.members(0)[0]
    assert store.get_request(first.id)["outputs"] == (1,)  # executed at sealing: fib(1) = 1
    assert store.block_number() == 2


def test_batch_closes_by_age(store, chain_id, signer):
    now = [1000.0]
    seq = make(store, chain_id, BatchPolicy(max_age=2.0), clock=lambda: now[0])
    seq.submit([signer.sign("fib", [5]).to_json()])
    assert seq.tick() == []
    now[0] += 1.0
    seq.submit([signer.sign("fib", [6]).to_json()])
    assert seq.tick() == []
    now[0] += 1.5
    assert seq.tick() == [0]
    assert store.get_batch(0)["request_count"] == 2 and len(store.get_batch(0)["blocks"]) == 2


def test_batch_closes_by_trace_rows(store, chain_id, signer):
    seq = make(store, chain_id, BatchPolicy(max_rows=4096))
    seq.submit([signer.sign("fib", [1000]).to_json() for _ in range(5)])  # 1024-row segments: 4 fit in 4096 rows
    assert seq.tick() == [0]
    assert store.get_batch(0)["request_count"] == 4 and store.get_batch(0)["trace_rows"] == 4096


def test_root_only_batches_count_their_own_rows_and_take_fib_only(store, chain_id, signer):
    """fib(1010) needs 1,024 rows in a calldata batch but 2,048 in a root-only one (leaf blocks after its last step)."""
    seq = make(store, chain_id, BatchPolicy(max_rows=4096), da="root")
    assert isinstance(one(seq, signer.sign("mimc", [3, 5]).to_json()), UnknownProgramRequestError)
    signer.nonce = 0
    seq.submit([signer.sign("fib", [1010]).to_json() for _ in range(3)])
    assert seq.tick() == [0]
    assert store.get_batch(0)["request_count"] == 2 and store.get_batch(0)["trace_rows"] == 4096


def test_batch_closes_by_gas_budget(store, chain_id, signer):
    seq = Sequencer(store, chain_id, BatchPolicy(max_gas=200_000), GasModel(base=100_000, per_member=20_000, margin=0.0))
    seq.submit([signer.sign("fib", [i + 1]).to_json() for i in range(6)])
    seq.tick()
    assert store.get_batch(0)["request_count"] == 4  # 100k + 4 x (20k + 640)


def test_batch_closes_by_statement_size(store, chain_id, signer):
    seq = Sequencer(store, chain_id, BatchPolicy(max_requests=4096), GasModel(base=0, per_member=1, per_byte=0))
    members = (MAX_STATEMENT_BYTES - 72) // 16
    seq.submit([signer.sign("fib", [1]).to_json() for _ in range(members + 3)])
    seq.tick()
    assert store.get_batch(0)["request_count"] == members


def test_gas_model_learns_an_upper_bound():
    model = GasModel(base=100, per_member=10, margin=0.0)
    model.observe(10, 0, 1_000)
    assert model.estimate(10, 0) >= 1_000
    model.observe(100, 0, 5_500)
    model.observe(50, 0, 3_100)
    for n, gas in ((10, 1_000), (50, 3_100), (100, 5_500)):
        assert model.estimate(n, 0) >= gas


def test_restart_restores_nonces_and_the_open_batch(tmp_path, chain_id, signer):
    path = tmp_path / "node.sqlite"
    store = Store(path)
    seq = make(store, chain_id, BatchPolicy(max_requests=3))
    seq.submit([signer.sign("fib", [i + 1]).to_json() for i in range(2)])
    seq.tick()
    store.close()
    store = Store(path)
    again = make(store, chain_id, BatchPolicy(max_requests=3))
    assert again.next_nonce(signer.address) == 2
    assert again.open_batch_info() == {"number": 0, "requests": 2, "traceRows": 16}
    again.submit([signer.sign("fib", [3]).to_json()])
    assert again.tick() == [0]
    store.close()


def test_program_may_be_named(store, chain_id, signer):
    seq = make(store, chain_id)
    params = signer.sign("collatz", [27]).to_json()
    params["program"] = "collatz"
    assert isinstance(one(seq, params), Accepted)
    assert store.pending(1)[0].program == get_program("collatz").program_id
