"""Crash safety: kill -9 mid-batch (while proving, after the L1 transaction was sent, at a random moment
under load) and L1 outages.  After a restart on the same data directory, every request the node
acknowledged ends ``verified`` exactly once, and L1 holds each batch once.

Exact crash points use ``SUPERVM_FAULT`` (the node SIGKILLs itself there, see node/devnet.py);
the random one is a kill -9 from outside.
"""

from __future__ import annotations

import random
import threading
import time

import pytest
from devnet_checks import check_against_l1

from node.client import NodeClient, NodeUnavailableError, RpcCallError, Signer

TRACE = ["--backend", "trace", "--batch-max-requests", "8", "--batch-max-age", "0.5", "--block-time", "0.1"]


def send(client: NodeClient, signer: Signer, n: int) -> list[str]:
    """Send ``n`` requests in one batch call; returns the acknowledged ids."""
    answers = client.send_requests([signer.sign("fib" if i % 3 else "mimc", [i + 2, 9][: 1 if i % 3 else 2]) for i in range(n)])
    assert all(not isinstance(a, RpcCallError) for a in answers), answers
    return [a["id"] for a in answers]


def wait_all(client: NodeClient, ids: list[str], timeout: float = 120) -> None:
    records = client.wait(ids, timeout=timeout)
    assert {r["status"] for r in records.values()} == {"verified"}


@pytest.mark.parametrize("point", ["proving", "after_l1_send"])
def test_kill9_at_a_crash_point_then_restart(devnet_factory, chain_id, point):
    node = devnet_factory(TRACE)
    node.start(env={"SUPERVM_FAULT": f"{point}:2"})  # dies at the second batch: one is settled, the next is mid-flight
    client = node.client()
    signer = Signer.dev(1, chain_id)
    ids = send(client, signer, 20)
    assert node.wait_exit(60) == -9
    assert f"[fault] SIGKILL at {point}" in node.log()
    node.start()
    client = node.client()
    wait_all(client, ids)
    batches = check_against_l1(client, ids)
    assert sum(b["requestCount"] for b in batches) == 20
    status = client.status()
    if point == "after_l1_send":
        assert status["settlement"]["reconciled"] == 1  # found on L1, not sent again
    signer.nonce = client.nonce(signer.address)
    more = send(client, signer, 5)
    wait_all(client, more)
    check_against_l1(client, ids + more)
    client.close()
    assert node.stop() == 0


def test_kill9_after_l1_send_on_anvil(devnet_factory, anvil_factory, chain_id):
    anvil = anvil_factory()
    node = devnet_factory([*TRACE, "--l1-rpc", anvil.url])
    node.start(env={"SUPERVM_FAULT": "after_l1_send:1"})
    signer = Signer.dev(2, chain_id)
    ids = send(node.client(), signer, 12)
    assert node.wait_exit(60) == -9
    node.start()
    client = node.client()
    wait_all(client, ids)
    check_against_l1(client, ids)
    assert client.status()["settlement"]["reconciled"] == 1
    client.close()
    assert node.stop() == 0


def test_random_kill9_under_load(devnet_factory, chain_id):
    node = devnet_factory(TRACE)
    node.start()
    acknowledged: list[str] = []
    stop = threading.Event()
    signer = Signer.dev(3, chain_id)

    def load() -> None:
        client = node.client()
        while not stop.is_set():
            batch = [signer.sign("fib", [random.randint(1, 300)]) for _ in range(4)]
            try:
                answers = client.send_requests(batch)
            except NodeUnavailableError:
                return  # the node is gone; what it acknowledged before is what counts
            acknowledged.extend(a["id"] for a in answers if isinstance(a, dict))
            time.sleep(0.02)

    thread = threading.Thread(target=load)
    thread.start()
    time.sleep(random.uniform(1.5, 3.0))
    node.kill()
    stop.set()
    thread.join(timeout=30)
    assert acknowledged
    node.start()
    client = node.client()
    wait_all(client, acknowledged)
    batches = check_against_l1(client, acknowledged, proofs=3)
    assert sum(b["requestCount"] for b in batches) >= len(acknowledged)
    client.close()
    assert node.stop() == 0


def test_l1_outage_delays_settlement_but_loses_nothing(devnet_factory, anvil_factory, tmp_path, chain_id):
    anvil = anvil_factory(state=tmp_path / "anvil-state.json")
    node = devnet_factory([*TRACE, "--l1-rpc", anvil.url])
    node.start()
    client = node.client()
    signer = Signer.dev(4, chain_id)
    before = send(client, signer, 8)
    wait_all(client, before)
    anvil.stop()  # L1 down (its state is written to the state file)
    during = send(client, signer, 10)  # still accepted: acceptance does not need L1
    time.sleep(4)
    status = client.status()
    assert status["queue"]["verified"] == 8
    assert status["settlement"]["retries"] >= 1 and "unavailable" in (status["settlement"]["lastError"] or "").lower()
    assert {client.get_request(r)["status"] for r in during} <= {"sealed", "proven", "submitted"}
    anvil.start()  # same port, same state
    wait_all(client, during, timeout=120)
    check_against_l1(client, during)
    client.close()
    assert node.stop() == 0
