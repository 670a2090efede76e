"""JSON-RPC 2.0 transport and methods: error codes, batches, notifications, limits, fuzzing.

The server here is the node's real HTTP server, dispatcher, API and
sequencer over a real store, without L1 or prover stages (they do not take
part in answering).
"""

from __future__ import annotations

import http.client
import json
import random
import string

import pytest

from node import rpc
from node.api import NodeApi
from node.client import NodeClient, RpcCallError, Signer
from node.errors import (
    CODE_INVALID_INPUT,
    CODE_INVALID_SIGNATURE,
    CODE_NONCE_GAP,
    CODE_NONCE_TOO_LOW,
    CODE_NOT_FOUND,
    CODE_TOO_MANY_ROWS,
    CODE_UNKNOWN_PROGRAM,
    CODE_WRONG_CHAIN_ID,
)
from node.metrics import NodeMetrics
from node.rpc import Dispatcher, RpcServer
from node.sequencer import BatchPolicy, GasModel, Sequencer

MAX_BODY = 64 * 1024


@pytest.fixture
def served(store, chain_id):
    seq = Sequencer(store, chain_id, BatchPolicy(), GasModel.for_backend("trace"))
    api = NodeApi(store, seq, lambda: {"ok": True}, lambda: {"rollup": "0x0"})
    metrics = NodeMetrics()
    dispatcher = Dispatcher(api.methods(), api.bulk(), max_batch_entries=100,
                            on_call=lambda m, code: metrics.rpc_errors.inc(label=str(code)) if code else None)
    server = RpcServer("127.0.0.1", 0, dispatcher.handle, MAX_BODY, metrics.render).start()
    yield server, dispatcher, seq
    server.stop()


def post(server: RpcServer, body: bytes, path: str = "/") -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(*server.server_address[:2], timeout=10)
    conn.request("POST", path, body, {"Content-Type": "application/json"})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response.status, data


def rpc_call(server, method, params=None, id_=1) -> dict:
    status, data = post(server, json.dumps({"jsonrpc": "2.0", "id": id_, "method": method, "params": params or []}).encode())
    assert status == 200
    return json.loads(data)


@pytest.mark.parametrize(
    "body, code",
    [
        (b"{", rpc.PARSE_ERROR),
        (b"\xff\xfe", rpc.PARSE_ERROR),
        (b"[]", rpc.INVALID_REQUEST),
        (b"42", rpc.INVALID_REQUEST),
        (b'{"jsonrpc": "1.0", "id": 1, "method": "eth_chainId"}', rpc.INVALID_REQUEST),
        (b'{"jsonrpc": "2.0", "id": 1, "method": 5}', rpc.INVALID_REQUEST),
        (b'{"jsonrpc": "2.0", "id": [1], "method": "eth_chainId"}', rpc.INVALID_REQUEST),
        (b'{"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": 3}', rpc.INVALID_REQUEST),
        (b'{"jsonrpc": "2.0", "id": 1, "method": "nope"}', rpc.METHOD_NOT_FOUND),
        (b'{"jsonrpc": "2.0", "id": 1, "method": "eth_chainId", "params": [1]}', rpc.INVALID_PARAMS),
        (b'{"jsonrpc": "2.0", "id": 1, "method": "l2_getRequest", "params": []}', rpc.INVALID_PARAMS),
        (b'{"jsonrpc": "2.0", "id": 1, "method": "l2_getRequest", "params": ["0x12"]}', rpc.INVALID_PARAMS),
        (b'{"jsonrpc": "2.0", "id": 1, "method": "l2_getRequest", "params": {"idd": 1}}', rpc.INVALID_PARAMS),
        (b'{"jsonrpc": "2.0", "id": 1, "method": "l2_getBatch", "params": [-1]}', rpc.INVALID_PARAMS),
        (b'{"jsonrpc": "2.0", "id": 1, "method": "l2_getNonce", "params": ["0xzz"]}', rpc.INVALID_PARAMS),
        (b'{"jsonrpc": "2.0", "id": 1, "method": "l2_getBatch", "params": [7]}', CODE_NOT_FOUND),
        (b'{"jsonrpc": "2.0", "id": 1, "method": "l2_sendRequest", "params": []}', rpc.INVALID_PARAMS),
        (b'{"jsonrpc": "2.0", "id": 1, "method": "l2_sendRequest", "params": [5]}', CODE_INVALID_INPUT),
    ],
)
def test_standard_errors(served, body, code):
    server, _, _ = served
    status, data = post(server, body)
    answer = json.loads(data)
    assert status == 200
    assert answer["error"]["code"] == code, answer
    assert isinstance(answer["error"]["message"], str) and answer["error"]["message"]


def test_request_not_found(served):
    server, _, _ = served
    answer = rpc_call(server, rpc.GET_REQUEST, ["0x" + "00" * 32])
    assert answer["error"]["code"] == CODE_NOT_FOUND


def test_application_errors_over_http(served, chain_id):
    server, _, _ = served
    client = NodeClient(f"http://127.0.0.1:{server.server_address[1]}")
    signer = Signer.dev(3, chain_id)
    ok = signer.sign("fib", [10])
    assert client.send_request(ok)["status"] == "pending"
    cases = [
        (ok.to_json(), CODE_NONCE_TOO_LOW),
        # a tampered field recovers some other key; naming the sender makes that a signature error
        ({**signer.sign("fib", [10]).to_json(), "nonce": 9, "from": signer.address}, CODE_INVALID_SIGNATURE),
        ({**Signer.dev(3, chain_id + 1, nonce=1).sign("fib", [1]).to_json()}, CODE_WRONG_CHAIN_ID),
        (Signer.dev(3, chain_id, nonce=7).sign("fib", [1]).to_json(), CODE_NONCE_GAP),
        ({**Signer.dev(4, chain_id).sign(b"\x01" * 32, [1]).to_json()}, CODE_UNKNOWN_PROGRAM),
        (Signer.dev(4, chain_id).sign("fib", [2**40]).to_json(), CODE_INVALID_INPUT),
        (Signer.dev(4, chain_id).sign("fib", [1000], max_rows=16).to_json(), CODE_TOO_MANY_ROWS),
    ]
    for params, code in cases:
        with pytest.raises(RpcCallError) as info:
            client.call(rpc.SEND_REQUEST, [params])
        assert info.value.code == code, (params, info.value)
    assert client.nonce(signer.address) == 1
    client.close()


def test_batch_mixes_results_errors_and_notifications(served, chain_id):
    server, _, seq = served
    signer = Signer.dev(5, chain_id)
    body = [
        {"jsonrpc": "2.0", "id": "a", "method": rpc.SEND_REQUEST, "params": [signer.sign("fib", [3]).to_json()]},
        {"jsonrpc": "2.0", "method": rpc.CHAIN_ID},  # notification: no answer
        {"jsonrpc": "2.0", "id": 2, "method": "nope"},
        17,
        {"jsonrpc": "2.0", "id": 3, "method": rpc.SEND_REQUEST, "params": {"request": signer.sign("fib", [4]).to_json()}},
        {"jsonrpc": "2.0", "id": 4, "method": rpc.GET_NONCE, "params": [signer.address]},
    ]
    status, data = post(server, json.dumps(body).encode())
    answers = json.loads(data)
    assert status == 200 and len(answers) == 5
    by_id = {a["id"]: a for a in answers if a["id"] is not None}
    assert by_id["a"]["result"]["nonce"] == 0 and by_id[3]["result"]["nonce"] == 1
    assert by_id[2]["error"]["code"] == rpc.METHOD_NOT_FOUND
    assert [a for a in answers if a["id"] is None][0]["error"]["code"] == rpc.INVALID_REQUEST
    assert by_id[4]["result"] in (0, 2)  # calls of a batch may run in any order (JSON-RPC 2.0)
    status, data = post(server, json.dumps([{"jsonrpc": "2.0", "method": rpc.CHAIN_ID}]).encode())
    assert status == 204 and data == b""


def test_batch_length_limit(served):
    server, _, _ = served
    body = json.dumps([{"jsonrpc": "2.0", "id": i, "method": rpc.CHAIN_ID} for i in range(101)]).encode()
    answer = json.loads(post(server, body)[1])
    assert answer["error"]["code"] == rpc.INVALID_REQUEST and "exceeds" in answer["error"]["message"]


def test_oversized_body_is_refused_unread(served):
    server, _, _ = served
    status, data = post(server, b"[" + b" " * MAX_BODY + b"]")
    assert status == 413
    assert json.loads(data)["error"]["code"] == rpc.INVALID_REQUEST
    assert rpc_call(server, rpc.CHAIN_ID)["result"]  # still serving


def test_http_edges(served):
    server, _, _ = served
    host, port = server.server_address[:2]
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.putrequest("POST", "/")
    conn.endheaders()  # no Content-Length
    response = conn.getresponse()
    assert response.status == 411
    response.read()
    conn.close()
    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.request("GET", "/metrics")
    response = conn.getresponse()
    text = response.read().decode()
    assert response.status == 200 and "# TYPE supervm_requests_accepted_total counter" in text
    conn.request("GET", "/nope")
    assert conn.getresponse().status == 404
    conn.close()
    assert post(server, b"{}", "/elsewhere")[0] == 404


def _random_json(rng: random.Random, depth: int = 0):
    kind = rng.randrange(9 if depth < 3 else 6)
    if kind == 0:
        return None
    if kind == 1:
        return rng.choice([True, False])
    if kind == 2:
        return rng.randint(-(2**70), 2**70)
    if kind == 3:
        return rng.random() * 10 ** rng.randint(-5, 30)
    if kind == 4:
        return "".join(rng.choice(string.printable) for _ in range(rng.randrange(20)))
    if kind == 5:
        return "0x" + "".join(rng.choice("0123456789abcdef") for _ in range(rng.choice([40, 64, 130, 3])))
    if kind == 6:
        return [_random_json(rng, depth + 1) for _ in range(rng.randrange(4))]
    return {rng.choice(["jsonrpc", "id", "method", "params", "x", "chainId", "nonce", "program", "inputs", "maxRows",
                        "signature", "request"]): _random_json(rng, depth + 1) for _ in range(rng.randrange(5))}


def _fuzz_body(rng: random.Random, templates: list[dict]) -> bytes:
    choice = rng.randrange(5)
    if choice == 0:  # raw bytes
        return bytes(rng.randrange(256) for _ in range(rng.randrange(64)))
    if choice == 1:  # random JSON value
        return json.dumps(_random_json(rng)).encode()
    call = json.loads(json.dumps(rng.choice(templates)))
    if choice == 2:  # a valid call with one member replaced
        key = rng.choice(list(call))
        call[key] = _random_json(rng)
    elif choice == 3 and isinstance(call.get("params"), list) and call["params"] and isinstance(call["params"][0], dict):
        request = call["params"][0]
        request[rng.choice(list(request))] = _random_json(rng)
    else:
        call = [call, _random_json(rng)]
    text = json.dumps(call).encode()
    if rng.random() < 0.2 and text:  # truncate or flip a byte
        i = rng.randrange(len(text))
        text = text[:i] + bytes([rng.randrange(256)]) + text[i + 1 :] if rng.random() < 0.5 else text[:i]
    return text


def test_fuzz_bodies_always_get_json_rpc_answers(served, chain_id):
    server, dispatcher, _ = served
    rng = random.Random(20261123)
    signer = Signer.dev(6, chain_id)
    templates = [
        {"jsonrpc": "2.0", "id": 1, "method": rpc.SEND_REQUEST, "params": [signer.sign("fib", [i + 1]).to_json()]} for i in range(5)
    ] + [
        {"jsonrpc": "2.0", "id": 2, "method": m, "params": p}
        for m, p in [(rpc.GET_REQUEST, ["0x" + "11" * 32]), (rpc.GET_BATCH, [0]), (rpc.GET_NONCE, [signer.address]),
                     (rpc.STATUS, []), (rpc.PROGRAMS, []), (rpc.BLOCK_NUMBER, []), (rpc.CHAIN_ID, [])]
    ]
    for i in range(3000):
        body = _fuzz_body(rng, templates)
        if i % 10 == 0:  # a tenth over HTTP, the rest straight into the dispatcher
            status, data = post(server, body)
            assert status in (200, 204), (body, status)
        else:
            data = dispatcher.handle(body) or b""
        if data:
            answer = json.loads(data)
            for item in answer if isinstance(answer, list) else [answer]:
                assert item["jsonrpc"] == "2.0" and ("result" in item) != ("error" in item)
                if "error" in item:
                    assert isinstance(item["error"]["code"], int) and item["error"]["code"] != rpc.INTERNAL_ERROR, (body, item)
    assert rpc_call(server, rpc.CHAIN_ID)["result"] == hex(chain_id)
