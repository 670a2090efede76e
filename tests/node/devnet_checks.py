"""Checks shared by the end-to-end and crash tests: run the submit script, compare the node's records with L1."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from web3 import Web3

from contracts.compiler import compile_contract
from contracts.rollup import ROLLUP_SOURCE
from node.client import NodeClient

ROOT = Path(__file__).resolve().parents[2]


def submit(url: str, *args: str, timeout: float = 300) -> dict:
    """Run scripts/submit_txs.py --json against ``url``; returns its summary."""
    out = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "submit_txs.py"), "--url", url, "--json", *args],
        capture_output=True, text=True, timeout=timeout,
    )
    assert out.returncode == 0, out.stdout[-2000:] + out.stderr[-2000:]
    return json.loads(out.stdout)


def rollup_on_l1(client: NodeClient):
    contracts = client.contracts()
    w3 = Web3(Web3.HTTPProvider(contracts["l1Rpc"], request_kwargs={"timeout": 60}))
    return w3, w3.eth.contract(address=contracts["rollup"], abi=compile_contract(ROLLUP_SOURCE).abi)


def check_against_l1(client: NodeClient, request_ids: list[str], proofs: int = 10) -> list[dict]:
    """Node records == contract state and events; inclusion proofs verify on L1. Returns the verified batches."""
    w3, rollup = rollup_on_l1(client)
    records = {rid: client.get_request(rid) for rid in request_ids}
    assert {r["status"] for r in records.values()} == {"verified"}
    numbers = sorted({r["batch"] for r in records.values()})
    batches = [client.get_batch(n, True) for n in numbers]
    events = {e["args"]["index"]: e for e in rollup.events.BatchVerified.get_logs(from_block=0)}
    status = client.status()
    assert len(events) == status["batches"]["verified"] == rollup.functions.batch_count().call()
    seen: set[str] = set()
    for b in batches:
        event = events[b["l1Index"]]
        assert "0x" + bytes(event["args"]["journal_root"]).hex() == b["journalRoot"]
        assert b["requestCount"] == len(b["requests"])
        if rollup.functions.root_only(b["l1Index"]).call():  # the proof's count is its tree slots: blocks may leave padding
            assert event["args"]["request_count"] >= b["requestCount"]
        else:
            assert event["args"]["request_count"] == b["requestCount"]
        assert "0x" + bytes(event["transactionHash"]).hex() == b["l1TxHash"]
        receipt = w3.eth.get_transaction_receipt(b["l1TxHash"])
        assert receipt["gasUsed"] == b["gasUsed"] and receipt["blockNumber"] == b["l1Block"]
        stored = rollup.functions.batches(b["l1Index"]).call()
        assert "0x" + bytes(stored[0]).hex() == b["journalRoot"]
        assert not seen.intersection(b["requests"])  # a request is in exactly one batch
        seen.update(b["requests"])
    assert set(request_ids) <= seen
    for rid in request_ids[:proofs]:
        inc = records[rid]["inclusion"]
        path = [bytes.fromhex(p[2:]) for p in inc["path"]]
        if inc["tree"] == "rescue-prime":  # a root-only batch: the contract hashes the journal itself
            journal = bytes.fromhex(records[rid]["journal"][2:])
            assert rollup.functions.journal_in_root_batch(inc["batchIndex"], journal, inc["position"], path).call()
            assert not rollup.functions.journal_in_root_batch(inc["batchIndex"], journal, inc["position"] ^ 1, path).call()
            continue
        leaf = bytes.fromhex(inc["journalHash"][2:])
        assert Web3.keccak(hexstr=records[rid]["journal"]) == leaf
        block_root = client.get_block(records[rid]["block"])["root"]  # the path passes through the L2 block's root
        node, at = leaf, inc["position"]
        for sibling in path[: block_root["level"]]:
            node = bytes(Web3.keccak(sibling + node if at & 1 else node + sibling))
            at >>= 1
        assert (at, "0x" + node.hex()) == (block_root["index"], block_root["hash"])
        journal = bytes.fromhex(records[rid]["journal"][2:])
        assert rollup.functions.journal_in_batch(inc["batchIndex"], journal, inc["position"], path).call()
        assert not rollup.functions.journal_in_batch(inc["batchIndex"], journal, inc["position"] ^ 1, path).call()
    return batches
