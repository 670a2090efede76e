"""End to end: ``supervm devnet`` as a subprocess, driven by ``scripts/submit_txs.py``, checked against L1.

Every request must reach ``verified``; the rollup's BatchVerified events, its
stored batches and every request's inclusion proof (checked by a contract
call) must agree with the node's records; the node must stop cleanly on
SIGTERM and leave no process behind.
"""

from __future__ import annotations

import http.client
import json
import subprocess
import sys
from pathlib import Path

import pytest
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
        assert event["args"]["request_count"] == b["requestCount"] == len(b["requests"])
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
        leaf = bytes.fromhex(inc["journalHash"][2:])
        assert Web3.keccak(hexstr=records[rid]["journal"]) == leaf
        assert rollup.functions.journal_in_batch(inc["batchIndex"], leaf, inc["position"], path).call()
        assert not rollup.functions.journal_in_batch(inc["batchIndex"], leaf, inc["position"] ^ 1, path).call()
    return batches


def test_trace_devnet_end_to_end(devnet_factory):
    node = devnet_factory(["--backend", "trace", "--batch-max-requests", "16", "--batch-max-age", "0.5"])
    url = node.start()
    banner = node.log()
    assert "TRACE" in banner and "DEV MODE" in banner and "PUBLIC test mnemonic" in banner and "Rollup:" in banner
    summary = submit(url, "-n", "60", "--concurrency", "3", "--batch", "5", "--timeout", "120")
    assert summary["accepted"] == summary["verified"] == 60 and summary["rejected"] == 0
    assert summary["gas_per_request"] > 0 and summary["latency_seconds"]["p99"] is not None
    client = node.client()
    batches = check_against_l1(client, summary["request_ids"])
    assert all(b["requestCount"] <= 16 for b in batches)
    status = client.status()
    assert status["devMode"] and status["queue"]["verified"] == 60 and status["lastL1Gas"] > 0
    assert client.post(b"", "/metrics")[0] == 404  # metrics are a GET
    conn = http.client.HTTPConnection(client.host, client.port, timeout=10)
    conn.request("GET", "/metrics")
    text = conn.getresponse().read().decode()
    conn.close()
    assert 'supervm_requests{status="verified"} 60' in text
    assert "supervm_batch_gas_used_count" in text and "supervm_batch_prove_seconds_bucket" in text
    client.close()
    assert node.stop() == 0
    assert "stopped" in node.log()
    assert not node.leftovers  # prover workers and helpers exited with the node


def test_devnet_settles_on_anvil(devnet_factory, anvil_url):
    node = devnet_factory(["--backend", "trace", "--l1-rpc", anvil_url, "--batch-max-requests", "10", "--batch-max-age", "0.5"])
    url = node.start()
    assert anvil_url in node.log()
    summary = submit(url, "-n", "30", "--concurrency", "2", "--batch", "5", "--timeout", "120")
    assert summary["verified"] == 30
    client = node.client()
    assert client.contracts()["l1Rpc"] == anvil_url
    check_against_l1(client, summary["request_ids"])
    client.close()
    assert node.stop() == 0


@pytest.mark.slow
def test_stark_devnet_end_to_end(devnet_factory):
    """Real STARK batch proofs, verified by the Vyper verifier on the embedded L1 (small programs)."""
    node = devnet_factory(["--backend", "stark", "--batch-max-requests", "6", "--batch-max-age", "1", "--workers", "1"])
    url = node.start()
    assert "STARK, preset default" in node.log()
    summary = submit(url, "-n", "6", "--concurrency", "2", "--batch", "3", "--max-n", "20", "--timeout", "240")
    assert summary["verified"] == 6
    client = node.client()
    batches = check_against_l1(client, summary["request_ids"], proofs=6)
    assert all(b["securityBits"] >= 100 for b in batches)
    client.close()
    assert node.stop() == 0


def test_restart_keeps_state_and_refuses_another_backend(devnet_factory, tmp_path):
    data = tmp_path / "shared"
    node = devnet_factory(["--backend", "trace", "--batch-max-age", "0.3"], data_dir=data)
    url = node.start()
    first = submit(url, "-n", "5", "--concurrency", "1", "--timeout", "60")
    client = node.client()
    rollup = client.contracts()["rollup"]
    client.close()
    assert node.stop() == 0
    url = node.start()
    client = node.client()
    assert client.contracts()["rollup"] == rollup  # attached, not redeployed
    assert client.get_request(first["request_ids"][0])["status"] == "verified"
    second = submit(url, "-n", "5", "--concurrency", "1", "--timeout", "60")  # nonces continue from the store
    assert second["verified"] == 5
    check_against_l1(client, first["request_ids"] + second["request_ids"])
    client.close()
    assert node.stop() == 0
    out = subprocess.run([sys.executable, "-m", "node.cli", "devnet", "--backend", "stark", "--port", "0", "--data-dir", str(data)],
                         cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode != 0 and "backend = trace" in out.stderr and "--fresh" in out.stderr
