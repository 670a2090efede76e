"""SQLite store: schema versioning, durability across reopen, the batch lifecycle, splitting, failures."""

from __future__ import annotations

import sqlite3

import pytest

from node.errors import NotFoundError, StoreError
from node.store import SCHEMA_VERSION, NewRequest, Store
from prover.programs import get_program

FIB = get_program("fib").program_id


def new(i: int, sender: str = "0xA", nonce: int | None = None) -> NewRequest:
    return NewRequest(bytes([i]) * 32, sender, i if nonce is None else nonce, FIB, (i + 1,), 64, 8, b"\x01" * 65)


def test_requests_survive_reopen_with_nonces(tmp_path):
    path = tmp_path / "node.sqlite"
    store = Store(path)
    assert store.insert_requests([new(0), new(1), new(2, "0xB", 0)]) == [1, 2, 3]
    store.close()
    again = Store(path)
    assert again.next_nonces() == {"0xA": 2, "0xB": 1}
    assert again.get_request(bytes([1]) * 32)["status"] == "pending"
    assert [m.seq for m in again.pending(10)] == [1, 2, 3]
    again.close()


def test_wal_mode_and_schema_version(tmp_path):
    path = tmp_path / "node.sqlite"
    Store(path).close()
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(StoreError, match=f"schema version 99, this node uses {SCHEMA_VERSION}"):
        Store(path)


def test_garbage_file_is_a_store_error(tmp_path):
    path = tmp_path / "node.sqlite"
    path.write_bytes(b"not a database" * 100)
    with pytest.raises(StoreError):
        Store(path)


def test_duplicate_sender_nonce_is_refused_by_the_schema(store):
    store.insert_requests([new(0)])
    with pytest.raises(sqlite3.IntegrityError):
        store.insert_requests([new(5, nonce=0)])
    assert store.request_count() == 1  # the failed transaction left nothing behind


def test_batch_lifecycle(store):
    store.insert_requests([new(i) for i in range(4)])
    members = store.pending(10)
    block, batch = store.seal_block(members[:3], None, 64, {m.seq: (m.seq,) for m in members[:3]})
    assert (block, batch) == (0, 0)
    assert store.open_batch()["number"] == 0
    assert store.status_counts()["sealed"] == 3 and store.status_counts()["pending"] == 1
    store.close_batch(0)
    assert store.batches_with_status("closed") == [0]
    positions = {m.seq: 2 - k for k, m in enumerate(members[:3])}
    store.save_proof(0, b"receipt", b"r" * 32, positions, {m.seq: (7,) for m in members[:3]}, 0.5, 100)
    assert store.receipt(0) == b"receipt"
    assert store.batch_request_ids(0) == [members[2].id, members[1].id, members[0].id]
    store.assign_l1_index(0, 0)
    assert store.get_request(members[0].id)["status"] == "submitted"
    store.mark_verified(0, "0xtx", 5, 1000, 100, 800, 50)
    row = store.get_request(members[0].id)
    assert row["status"] == "verified" and row["l1_tx"] == "0xtx" and row["batch_gas"] == 1000 and row["outputs"] == (7,)
    assert [(p, i, o) for p, i, o in store.journals_of(0)][0][1] == members[2].inputs
    store.mark_verified(0, "0xother", 6, 1, 1, 1, 1)  # idempotent: a verified batch is not rewritten
    assert store.get_batch(0)["l1_tx"] == "0xtx"


def test_failed_batch_rejects_its_requests_and_frees_its_index(store):
    store.insert_requests([new(i) for i in range(2)])
    store.seal_block(store.pending(10), None, 16)
    store.close_batch(0)
    store.save_proof(0, b"x", b"r" * 32, {1: 0, 2: 1}, {1: (1,), 2: (1,)}, 0.1, 0)
    store.assign_l1_index(0, 3)
    store.mark_failed(0, "L1 rejected the batch: nope")
    assert store.get_batch(0)["l1_index"] is None
    assert {store.get_request(m)["status"] for m in store.batch_request_ids(0)} == {"rejected"}
    assert store.get_request(bytes([0]) * 32)["reason"] == "L1 rejected the batch: nope"


def test_split_moves_requests_to_two_closed_batches(store):
    store.insert_requests([new(i) for i in range(5)])
    store.seal_block(store.pending(10), None, 64)
    store.close_batch(0)
    store.save_proof(0, b"x", b"r" * 32, {s: s - 1 for s in range(1, 6)}, {s: (1,) for s in range(1, 6)}, 0.1, 0)
    store.assign_l1_index(0, 0)
    assert store.split_batch(0, (32, 32)) == (1, 2)
    assert store.get_batch(0)["status"] == "failed" and store.get_batch(0)["l1_index"] is None
    assert store.batches_with_status("closed") == [1, 2]
    assert [m.seq for m in store.members(1)] == [1, 2] and [m.seq for m in store.members(2)] == [3, 4, 5]
    assert store.status_counts()["sealed"] == 5


def test_not_found(store):
    with pytest.raises(NotFoundError):
        store.get_request(b"\x00" * 32)
    with pytest.raises(NotFoundError):
        store.get_batch(0)
    with pytest.raises(NotFoundError):
        store.get_block(0)
