"""The Python client: calls, batches, errors, reconnection, waiting, the signer."""

from __future__ import annotations

import pytest

from node import rpc
from node.api import NodeApi
from node.client import NodeClient, NodeUnavailableError, RpcCallError, Signer
from node.errors import CODE_NONCE_TOO_LOW, CODE_NOT_FOUND
from node.rpc import Dispatcher, RpcServer
from node.sequencer import BatchPolicy, GasModel, Sequencer
from node.signing import dev_accounts


@pytest.fixture
def client(store, chain_id):
    seq = Sequencer(store, chain_id, BatchPolicy(), GasModel.for_backend("trace"))
    api = NodeApi(store, seq, lambda: {"backend": "trace"}, lambda: {})
    server = RpcServer("127.0.0.1", 0, Dispatcher(api.methods(), api.bulk()).handle, 1 << 20).start()
    c = NodeClient(server.url)
    yield c
    c.close()
    server.stop()


def test_calls_and_typed_errors(client, chain_id):
    assert client.chain_id() == chain_id
    assert client.block_number() == -1 and client.batch_number() == -1
    assert {p["name"] for p in client.programs()} == {"fib", "mimc", "collatz"}
    signer = Signer.dev(7, chain_id)
    assert signer.address == dev_accounts(8)[7].address
    request = signer.sign("fib", [12])
    answer = client.send_request(request)
    assert answer["id"] == "0x" + request.request_id().hex() and client.nonce(signer.address) == 1
    with pytest.raises(RpcCallError) as info:
        client.send_request(request)
    assert info.value.code == CODE_NONCE_TOO_LOW
    with pytest.raises(RpcCallError) as info:
        client.get_batch(3)
    assert info.value.code == CODE_NOT_FOUND
    record = client.get_request(answer["id"])
    assert record["status"] == "pending" and record["inclusion"] is None
    with pytest.raises(TimeoutError):
        client.wait([answer["id"]], timeout=0.3, poll=0.1)


def test_batch_answers_in_call_order(client, chain_id):
    signer = Signer.dev(8, chain_id)
    answers = client.send_requests([signer.sign("fib", [i + 1]) for i in range(5)])
    assert [a["nonce"] for a in answers] == [0, 1, 2, 3, 4]
    mixed = client.batch([(rpc.CHAIN_ID, []), ("nope", []), (rpc.GET_NONCE, [signer.address])])
    assert mixed[0] == hex(chain_id) and isinstance(mixed[1], RpcCallError) and mixed[2] == 5


def test_unreachable_node():
    with pytest.raises(NodeUnavailableError):
        NodeClient("http://127.0.0.1:9", timeout=2).chain_id()
    with pytest.raises(ValueError):
        NodeClient("ftp://127.0.0.1:9")
