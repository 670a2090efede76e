"""The node's embedded L1: state persisted across restarts, the /l1 JSON-RPC proxy, data-directory identity."""

from __future__ import annotations

import json

import pytest

from node.errors import DataDirMismatchError
from node.l1 import PersistentEmbeddedL1, check_identity, genesis_hash
from node.rpc import l1_proxy
from node.signing import dev_accounts


def test_chain_survives_a_restart(tmp_path):
    path = tmp_path / "l1.sqlite"
    l1 = PersistentEmbeddedL1(path, 30_000_000)
    assert l1.accounts[:3] == [a.address for a in dev_accounts(3)]  # same accounts as anvil's
    genesis = genesis_hash(l1)
    l1.transact({"to": l1.accounts[1], "value": 12345, "data": b""})
    balance = l1.w3.eth.get_balance(l1.accounts[1])
    l1.close()
    again = PersistentEmbeddedL1(path, 30_000_000)
    assert again.w3.eth.block_number == 1 and genesis_hash(again) == genesis
    assert again.w3.eth.get_balance(again.accounts[1]) == balance
    again.transact({"to": again.accounts[1], "value": 1, "data": b""})
    assert again.w3.eth.block_number == 2
    again.close()


def test_proxy_answers_eth_calls_without_a_sender(tmp_path):
    l1 = PersistentEmbeddedL1(tmp_path / "l1.sqlite", 30_000_000)
    proxy = l1_proxy(l1.request)
    answer = json.loads(proxy(b'{"jsonrpc": "2.0", "id": 7, "method": "eth_chainId", "params": []}'))
    assert answer == {"jsonrpc": "2.0", "id": 7, "result": hex(l1.chain_id)}
    call = {"jsonrpc": "2.0", "id": 1, "method": "eth_call", "params": [{"to": l1.accounts[1], "data": "0x"}, "latest"]}
    assert json.loads(proxy(json.dumps(call).encode()))["result"] == "0x"
    block = json.loads(proxy(b'{"jsonrpc": "2.0", "id": 1, "method": "eth_getBlockByNumber", "params": ["latest", false]}'))
    assert block["result"]["number"] == "0x0" and block["result"]["hash"].startswith("0x")
    assert json.loads(proxy(b"{"))["error"]["code"] == -32700
    l1.close()


def test_identity_mismatch_is_refused():
    check_identity({"backend": None}, {"backend": "trace"})  # a new data directory
    check_identity({"backend": "trace"}, {"backend": "trace"})
    with pytest.raises(DataDirMismatchError, match="--fresh"):
        check_identity({"backend": "stark"}, {"backend": "trace"})
