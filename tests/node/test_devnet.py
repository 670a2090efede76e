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

import pytest
from devnet_checks import ROOT, check_against_l1, rollup_on_l1, submit

from node.client import RpcCallError, Signer


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
    proof = subprocess.run([sys.executable, str(ROOT / "scripts" / "prove_output_on_l1.py"), "--url", url,
                            "--request", summary["request_ids"][7]], capture_output=True, text=True, timeout=120)
    assert proof.returncode == 0 and "journal_in_batch(...) = True" in proof.stdout and "gives False" in proof.stdout
    gas = subprocess.run([sys.executable, str(ROOT / "scripts" / "measure_gas.py"), "--url", url, "--sizes", "1,8", "--json"],
                         capture_output=True, text=True, timeout=180)
    assert gas.returncode == 0, gas.stderr[-2000:]
    rows = json.loads(gas.stdout)["rows"]
    assert [r["batch_sizes"] for r in rows] == [[1], [8]] and rows[1]["gas_per_request"] < rows[0]["gas_per_request"]
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


@pytest.mark.slow
def test_stark_devnet_root_only(devnet_factory):
    """--da root: only (count, Rescue root, seal) goes on L1; the node serves Rescue paths the rollup accepts."""
    node = devnet_factory(["--backend", "stark", "--da", "root", "--batch-max-requests", "4", "--batch-max-age", "1", "--workers", "1"])
    url = node.start()
    assert "root" in node.log()
    summary = submit(url, "-n", "4", "--mix", "fib:1", "--concurrency", "2", "--batch", "2", "--max-n", "40", "--timeout", "300")
    assert summary["verified"] == 4
    client = node.client()
    batches = check_against_l1(client, summary["request_ids"], proofs=4)
    w3, rollup = rollup_on_l1(client)
    assert all(rollup.functions.root_only(b["l1Index"]).call() for b in batches)
    proof = subprocess.run([sys.executable, str(ROOT / "scripts" / "prove_output_on_l1.py"), "--url", url,
                            "--request", summary["request_ids"][1]], capture_output=True, text=True, timeout=120)
    assert proof.returncode == 0 and "journal_in_root_batch(...) = True" in proof.stdout and "gives False" in proof.stdout
    with pytest.raises(RpcCallError, match="root-only"):  # the root-only AIR proves fib members only
        client.send_request(Signer.dev(7, client.chain_id()).sign("mimc", [3, 70]))
    client.close()
    assert node.stop() == 0
