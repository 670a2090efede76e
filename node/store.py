"""SQLite persistence of the node: requests, L2 blocks, batches, batch receipts and L1 submissions.

One database file in WAL mode with ``synchronous=FULL``: a commit is on disk
(the WAL is fsynced) before the call returns, so a request the RPC has
acknowledged survives ``kill -9`` and power loss.  Writes go through one
connection under a lock (SQLite has one writer at a time anyway); reads use
one connection per thread and see every committed write.

The schema is versioned (``meta.schema_version``); a database of another
version is refused with :class:`StoreError` rather than misread.

Request statuses move only forward: pending → sealed → proven → submitted →
verified, or → rejected.  Batch statuses: open → closed → proven →
submitting → verified, or → failed.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from node.errors import NotFoundError, StoreError

SCHEMA_VERSION = 1

PENDING, SEALED, PROVEN, SUBMITTED, VERIFIED, REJECTED = "pending", "sealed", "proven", "submitted", "verified", "rejected"
REQUEST_STATUSES = (PENDING, SEALED, PROVEN, SUBMITTED, VERIFIED, REJECTED)
B_OPEN, B_CLOSED, B_PROVEN, B_SUBMITTING, B_VERIFIED, B_FAILED = "open", "closed", "proven", "submitting", "verified", "failed"
BATCH_STATUSES = (B_OPEN, B_CLOSED, B_PROVEN, B_SUBMITTING, B_VERIFIED, B_FAILED)

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE requests (
    seq         INTEGER PRIMARY KEY,
    id          BLOB NOT NULL UNIQUE,
    sender      TEXT NOT NULL,
    nonce       INTEGER NOT NULL,
    program     BLOB NOT NULL,
    inputs      TEXT NOT NULL,
    max_rows    INTEGER NOT NULL,
    rows        INTEGER NOT NULL,
    signature   BLOB NOT NULL,
    accepted_at REAL NOT NULL,
    status      TEXT NOT NULL,
    reason      TEXT,
    block       INTEGER,
    batch       INTEGER,
    position    INTEGER,
    outputs     TEXT,
    UNIQUE (sender, nonce)
);
CREATE INDEX requests_status ON requests (status, seq);
CREATE INDEX requests_batch ON requests (batch, seq);
CREATE TABLE blocks (
    number     INTEGER PRIMARY KEY,
    batch      INTEGER NOT NULL,
    first_seq  INTEGER NOT NULL,
    count      INTEGER NOT NULL,
    created_at REAL NOT NULL
);
CREATE TABLE batches (
    number        INTEGER PRIMARY KEY,
    status        TEXT NOT NULL,
    created_at    REAL NOT NULL,
    first_at      REAL,
    closed_at     REAL,
    proven_at     REAL,
    submitted_at  REAL,
    verified_at   REAL,
    request_count INTEGER NOT NULL DEFAULT 0,
    trace_rows    INTEGER NOT NULL DEFAULT 0,
    prove_seconds REAL,
    journal_root  BLOB,
    security_bits INTEGER,
    l1_index      INTEGER UNIQUE,
    l1_tx         TEXT,
    l1_block      INTEGER,
    gas_used      INTEGER,
    gas_calldata  INTEGER,
    gas_execution INTEGER,
    calldata_bytes INTEGER,
    error         TEXT
);
CREATE INDEX batches_status ON batches (status, number);
CREATE TABLE receipts (batch INTEGER PRIMARY KEY, data BLOB NOT NULL);
CREATE TABLE submissions (
    id        INTEGER PRIMARY KEY,
    batch     INTEGER NOT NULL,
    l1_index  INTEGER NOT NULL,
    at        REAL NOT NULL,
    outcome   TEXT NOT NULL,
    tx_hash   TEXT,
    gas_used  INTEGER,
    detail    TEXT
);
"""


@dataclass(frozen=True)
class NewRequest:
    """A validated request, ready to be stored as ``pending``."""

    id: bytes
    sender: str
    nonce: int
    program: bytes
    inputs: tuple[int, ...]
    max_rows: int
    rows: int
    signature: bytes


@dataclass(frozen=True)
class Member:
    """A sealed request as the prover sees it."""

    seq: int
    id: bytes
    program: bytes
    inputs: tuple[int, ...]
    rows: int
    outputs: tuple[int, ...] | None = None
    block: int | None = None


def _dumps(values: Sequence[int]) -> str:
    return json.dumps(list(values), separators=(",", ":"))


class Store:
    """The node database at ``path`` (created with the current schema if absent)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.RLock()
        self._local = threading.local()
        self._readers: list[sqlite3.Connection] = []
        self._closed = False
        self._w = self._connect()
        self._init_schema()

    # -- connections -------------------------------------------------------------
    def _connect(self) -> sqlite3.Connection:
        try:
            conn = sqlite3.connect(self.path, timeout=30.0, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("PRAGMA synchronous=FULL")
            conn.execute("PRAGMA foreign_keys=ON")
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the node database {self.path}: {exc}") from None
        return conn

    @property
    def _r(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            if self._closed:
                raise StoreError("the store is closed")
            conn = self._connect()
            conn.execute("PRAGMA query_only=ON")
            self._local.conn = conn
            with self._lock:
                self._readers.append(conn)
        return conn

    def close(self) -> None:
        """Close every connection (a checkpoint folds the WAL into the database)."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            for conn in self._readers:
                try:
                    conn.close()
                except sqlite3.Error:
                    pass
            try:
                self._w.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error:
                pass
            self._w.close()

    class _Tx:
        def __init__(self, store: "Store"):
            self.store = store

        def __enter__(self) -> sqlite3.Connection:
            self.store._lock.acquire()
            self.store._w.execute("BEGIN IMMEDIATE")
            return self.store._w

        def __exit__(self, exc_type, exc, tb) -> None:
            try:
                self.store._w.execute("ROLLBACK" if exc_type else "COMMIT")
            finally:
                self.store._lock.release()

    def tx(self) -> "Store._Tx":
        """A write transaction: ``with store.tx() as db: ...`` commits (durably) on exit, rolls back on error."""
        return Store._Tx(self)

    def _init_schema(self) -> None:
        try:
            with self.tx() as db:
                exists = db.execute("SELECT name FROM sqlite_master WHERE type='table' AND name='meta'").fetchone()
                if not exists:
                    for statement in _SCHEMA.split(";"):
                        if statement.strip():
                            db.execute(statement)
                    db.execute("INSERT INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),))
                    return
                row = db.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path} is not a usable node database: {exc}") from None
        version = int(row[0]) if row else None
        if version != SCHEMA_VERSION:
            raise StoreError(f"{self.path} has schema version {version}, this node uses {SCHEMA_VERSION}")

    # -- meta ----------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        row = self._r.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, values: dict[str, Any]) -> None:
        with self.tx() as db:
            db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", [(k, str(v)) for k, v in values.items()])

    # -- requests ----------------------------------------------------------------
    def insert_requests(self, requests: Sequence[NewRequest], now: float | None = None) -> list[int]:
        """Store ``requests`` as pending in one durable transaction; returns their sequence numbers."""
        now = time.time() if now is None else now
        with self.tx() as db:
            start = (db.execute("SELECT COALESCE(MAX(seq), 0) FROM requests").fetchone()[0]) + 1
            db.executemany(
                "INSERT INTO requests (seq, id, sender, nonce, program, inputs, max_rows, rows, signature, accepted_at, status)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending')",
                [
                    (start + i, r.id, r.sender, r.nonce, r.program, _dumps(r.inputs), r.max_rows, r.rows, r.signature, now)
                    for i, r in enumerate(requests)
                ],
            )
        return list(range(start, start + len(requests)))

    def next_nonces(self) -> dict[str, int]:
        """Every sender's next nonce (one past the highest accepted)."""
        rows = self._r.execute("SELECT sender, MAX(nonce) FROM requests GROUP BY sender").fetchall()
        return {sender: top + 1 for sender, top in rows}

    def pending(self, limit: int) -> list[Member]:
        """The oldest ``limit`` pending requests, in acceptance order."""
        rows = self._r.execute(
            "SELECT seq, id, program, inputs, rows FROM requests WHERE status='pending' ORDER BY seq LIMIT ?", (limit,)
        ).fetchall()
        return [Member(seq, bytes(rid), bytes(p), tuple(json.loads(i)), rows_) for seq, rid, p, i, rows_ in rows]

    def oldest_pending_at(self) -> float | None:
        row = self._r.execute("SELECT MIN(accepted_at) FROM requests WHERE status='pending'").fetchone()
        return row[0]

    def get_request(self, request_id: bytes) -> dict[str, Any]:
        """Every stored field of a request, with its batch's L1 record; NotFoundError if unknown."""
        row = self._r.execute(
            "SELECT r.seq, r.id, r.sender, r.nonce, r.program, r.inputs, r.max_rows, r.rows, r.accepted_at, r.status,"
            " r.reason, r.block, r.batch, r.position, r.outputs, b.status, b.request_count, b.journal_root, b.l1_index,"
            " b.l1_tx, b.l1_block, b.gas_used, b.verified_at"
            " FROM requests r LEFT JOIN batches b ON b.number = r.batch WHERE r.id=?",
            (request_id,),
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no request 0x{request_id.hex()}")
        keys = (
            "seq id sender nonce program inputs max_rows rows accepted_at status reason block batch position outputs"
            " batch_status batch_size journal_root l1_index l1_tx l1_block batch_gas verified_at"
        ).split()
        out = dict(zip(keys, row))
        out["id"] = bytes(out["id"])
        out["program"] = bytes(out["program"])
        out["inputs"] = tuple(json.loads(out["inputs"]))
        out["outputs"] = tuple(json.loads(out["outputs"])) if out["outputs"] is not None else None
        out["journal_root"] = bytes(out["journal_root"]) if out["journal_root"] is not None else None
        return out

    def request_ids_by_sender(self, sender: str, limit: int = 100) -> list[bytes]:
        rows = self._r.execute("SELECT id FROM requests WHERE sender=? ORDER BY nonce DESC LIMIT ?", (sender, limit))
        return [bytes(r[0]) for r in rows]

    def status_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(REQUEST_STATUSES, 0)
        for status, n in self._r.execute("SELECT status, COUNT(*) FROM requests GROUP BY status"):
            counts[status] = n
        return counts

    def request_count(self) -> int:
        return self._r.execute("SELECT COALESCE(MAX(seq), 0) FROM requests").fetchone()[0]

    # -- blocks and batches --------------------------------------------------------
    def open_batch(self) -> dict[str, Any] | None:
        row = self._r.execute("SELECT number FROM batches WHERE status='open' ORDER BY number LIMIT 1").fetchone()
        return self.get_batch(row[0]) if row else None

    def seal_block(
        self, members: Sequence[Member], batch: int | None, trace_rows: int, outputs: dict[int, tuple[int, ...]] | None = None,
        now: float | None = None,
    ) -> tuple[int, int]:
        """Put ``members`` (pending, in order) into a new L2 block of ``batch`` (a new open batch if None).

        Returns (block number, batch number).  ``trace_rows`` is the batch's
        trace length with these members; ``outputs`` the members' executed outputs.
        """
        now = time.time() if now is None else now
        with self.tx() as db:
            if batch is None:
                batch = (db.execute("SELECT COALESCE(MAX(number), -1) FROM batches").fetchone()[0]) + 1
                first_at = now
                if members:
                    first_at = db.execute("SELECT accepted_at FROM requests WHERE seq=?", (members[0].seq,)).fetchone()[0]
                db.execute("INSERT INTO batches (number, status, created_at, first_at) VALUES (?, 'open', ?, ?)", (batch, now, first_at))
            block = (db.execute("SELECT COALESCE(MAX(number), -1) FROM blocks").fetchone()[0]) + 1
            db.execute(
                "INSERT INTO blocks VALUES (?, ?, ?, ?, ?)", (block, batch, members[0].seq if members else 0, len(members), now)
            )
            outputs = outputs or {}
            db.executemany(
                "UPDATE requests SET status='sealed', block=?, batch=?, outputs=? WHERE seq=? AND status='pending'",
                [(block, batch, _dumps(outputs[m.seq]) if m.seq in outputs else None, m.seq) for m in members],
            )
            db.execute(
                "UPDATE batches SET request_count = request_count + ?, trace_rows=? WHERE number=?", (len(members), trace_rows, batch)
            )
        return block, batch

    def close_batch(self, number: int, now: float | None = None) -> None:
        with self.tx() as db:
            db.execute("UPDATE batches SET status='closed', closed_at=? WHERE number=? AND status='open'", (now or time.time(), number))

    def batches_with_status(self, status: str, limit: int = 1000) -> list[int]:
        rows = self._r.execute("SELECT number FROM batches WHERE status=? ORDER BY number LIMIT ?", (status, limit))
        return [r[0] for r in rows]

    def members(self, batch: int) -> list[Member]:
        """The batch's requests in acceptance order, with their outputs once executed."""
        rows = self._r.execute("SELECT seq, id, program, inputs, rows, outputs, block FROM requests WHERE batch=? ORDER BY seq", (batch,))
        return [Member(seq, bytes(rid), bytes(p), tuple(json.loads(i)), rows_, tuple(json.loads(o)) if o is not None else None, blk)
                for seq, rid, p, i, rows_, o, blk in rows]

    def batch_request_ids(self, batch: int) -> list[bytes]:
        """Request ids of a batch in batch (journal tree) order once proven, else acceptance order."""
        rows = self._r.execute("SELECT id FROM requests WHERE batch=? ORDER BY COALESCE(position, -1), seq", (batch,))
        return [bytes(r[0]) for r in rows]

    def save_proof(
        self, batch: int, receipt: bytes, journal_root: bytes, positions: dict[int, int], outputs: dict[int, tuple[int, ...]],
        prove_seconds: float, security_bits: int, now: float | None = None,
    ) -> None:
        """Record a batch proof and every member's position and outputs; the batch and its requests become proven."""
        with self.tx() as db:
            db.execute("INSERT OR REPLACE INTO receipts VALUES (?, ?)", (batch, receipt))
            db.execute(
                "UPDATE batches SET status='proven', proven_at=?, journal_root=?, prove_seconds=?, security_bits=?"
                " WHERE number=? AND status='closed'",
                (now or time.time(), journal_root, prove_seconds, security_bits, batch),
            )
            db.executemany(
                "UPDATE requests SET status='proven', position=?, outputs=? WHERE seq=? AND status='sealed'",
                [(positions[seq], _dumps(outputs[seq]), seq) for seq in positions],
            )

    def receipt(self, batch: int) -> bytes:
        row = self._r.execute("SELECT data FROM receipts WHERE batch=?", (batch,)).fetchone()
        if row is None:
            raise NotFoundError(f"batch {batch} has no receipt")
        return bytes(row[0])

    def assign_l1_index(self, batch: int, l1_index: int, now: float | None = None) -> None:
        """Bind a proven batch to its L1 index (fixed from now on); it and its requests become submitting/submitted."""
        with self.tx() as db:
            db.execute(
                "UPDATE batches SET status='submitting', l1_index=?, submitted_at=? WHERE number=? AND status='proven'",
                (l1_index, now or time.time(), batch),
            )
            db.execute("UPDATE requests SET status='submitted' WHERE batch=? AND status='proven'", (batch,))

    def next_l1_index(self) -> int | None:
        row = self._r.execute("SELECT MAX(l1_index) FROM batches").fetchone()
        return None if row[0] is None else row[0] + 1

    def record_submission(self, batch: int, l1_index: int, outcome: str, tx_hash: str | None = None,
                          gas_used: int | None = None, detail: str | None = None) -> None:
        with self.tx() as db:
            db.execute(
                "INSERT INTO submissions (batch, l1_index, at, outcome, tx_hash, gas_used, detail) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (batch, l1_index, time.time(), outcome, tx_hash, gas_used, detail),
            )

    def mark_verified(self, batch: int, tx_hash: str | None, l1_block: int | None, gas_used: int | None,
                      gas_calldata: int | None, gas_execution: int | None, calldata_bytes: int | None, now: float | None = None) -> None:
        """The batch is recorded on L1: it and its requests become verified (idempotent)."""
        with self.tx() as db:
            db.execute(
                "UPDATE batches SET status='verified', verified_at=?, l1_tx=?, l1_block=?, gas_used=?, gas_calldata=?,"
                " gas_execution=?, calldata_bytes=? WHERE number=? AND status='submitting'",
                (now or time.time(), tx_hash, l1_block, gas_used, gas_calldata, gas_execution, calldata_bytes, batch),
            )
            db.execute("UPDATE requests SET status='verified' WHERE batch=? AND status='submitted'", (batch,))

    def mark_failed(self, batch: int, reason: str) -> None:
        """The batch cannot be proven or settled: it fails (freeing its L1 index) and its requests are rejected with ``reason``."""
        with self.tx() as db:
            db.execute("UPDATE batches SET status='failed', error=?, l1_index=NULL WHERE number=?", (reason, batch))
            db.execute(
                "UPDATE requests SET status='rejected', reason=? WHERE batch=? AND status NOT IN ('verified', 'rejected')",
                (reason, batch),
            )

    def split_batch(self, batch: int, trace_rows: tuple[int, int], now: float | None = None) -> tuple[int, int]:
        """Move a batch whose L1 transaction cannot fit into two new closed batches (first half, second half).

        The old batch becomes ``failed`` (error says where its requests went)
        and gives up its L1 index; its requests go back to ``sealed`` in the
        new batches — the one step back in their lifecycle, taken only when
        nothing was sent to L1.  Returns the new batch numbers.
        """
        now = time.time() if now is None else now
        with self.tx() as db:
            seqs = [r[0] for r in db.execute("SELECT seq FROM requests WHERE batch=? ORDER BY seq", (batch,))]
            if len(seqs) < 2:
                raise StoreError(f"batch {batch} has {len(seqs)} request(s) and cannot be split")
            first = (db.execute("SELECT COALESCE(MAX(number), -1) FROM batches").fetchone()[0]) + 1
            half = len(seqs) // 2
            parts = (seqs[:half], seqs[half:])
            for k, part in enumerate(parts):
                number = first + k
                db.execute(
                    "INSERT INTO batches (number, status, created_at, first_at, closed_at, request_count, trace_rows)"
                    " VALUES (?, 'closed', ?, ?, ?, ?, ?)",
                    (number, now, now, now, len(part), trace_rows[k]),
                )
                db.executemany(
                    "UPDATE requests SET status='sealed', batch=?, position=NULL WHERE seq=?", [(number, seq) for seq in part]
                )
            db.execute(
                "UPDATE batches SET status='failed', l1_index=NULL, error=? WHERE number=?",
                (f"split into batches {first} and {first + 1}: its L1 transaction exceeds the gas cap", batch),
            )
        return first, first + 1

    def set_batch_error(self, batch: int, error: str | None) -> None:
        with self.tx() as db:
            db.execute("UPDATE batches SET error=? WHERE number=?", (error, batch))

    def get_batch(self, number: int) -> dict[str, Any]:
        row = self._r.execute(
            "SELECT number, status, created_at, first_at, closed_at, proven_at, submitted_at, verified_at, request_count,"
            " trace_rows, prove_seconds, journal_root, security_bits, l1_index, l1_tx, l1_block, gas_used, gas_calldata,"
            " gas_execution, calldata_bytes, error FROM batches WHERE number=?",
            (number,),
        ).fetchone()
        if row is None:
            raise NotFoundError(f"no batch {number}")
        keys = (
            "number status created_at first_at closed_at proven_at submitted_at verified_at request_count trace_rows"
            " prove_seconds journal_root security_bits l1_index l1_tx l1_block gas_used gas_calldata gas_execution"
            " calldata_bytes error"
        ).split()
        out = dict(zip(keys, row))
        if out["journal_root"] is not None:
            out["journal_root"] = bytes(out["journal_root"])
        out["blocks"] = [r[0] for r in self._r.execute("SELECT number FROM blocks WHERE batch=? ORDER BY number", (number,))]
        return out

    def batch_counts(self) -> dict[str, int]:
        counts = dict.fromkeys(BATCH_STATUSES, 0)
        for status, n in self._r.execute("SELECT status, COUNT(*) FROM batches GROUP BY status"):
            counts[status] = n
        return counts

    def block_number(self) -> int:
        """Number of the latest L2 block (-1 before the first)."""
        return self._r.execute("SELECT COALESCE(MAX(number), -1) FROM blocks").fetchone()[0]

    def get_block(self, number: int) -> dict[str, Any]:
        row = self._r.execute("SELECT number, batch, first_seq, count, created_at FROM blocks WHERE number=?", (number,)).fetchone()
        if row is None:
            raise NotFoundError(f"no block {number}")
        ids = [bytes(r[0]) for r in self._r.execute("SELECT id FROM requests WHERE block=? ORDER BY seq", (number,))]
        return {"number": row[0], "batch": row[1], "count": row[3], "created_at": row[4], "requests": ids}

    def batch_number(self) -> int:
        """Number of the latest batch (-1 before the first)."""
        return self._r.execute("SELECT COALESCE(MAX(number), -1) FROM batches").fetchone()[0]

    def verified_batches(self) -> Iterator[dict[str, Any]]:
        for (number,) in self._r.execute("SELECT number FROM batches WHERE status='verified' ORDER BY number").fetchall():
            yield self.get_batch(number)

    def recent_verified(self, limit: int = 20) -> list[dict[str, Any]]:
        rows = self._r.execute(
            "SELECT number FROM batches WHERE status='verified' ORDER BY number DESC LIMIT ?", (limit,)
        ).fetchall()
        return [self.get_batch(r[0]) for r in rows]

    def accepted_times(self, batch: int) -> list[float]:
        return [r[0] for r in self._r.execute("SELECT accepted_at FROM requests WHERE batch=?", (batch,))]

    def block_positions(self, block: int, batch: int) -> list[int]:
        """Journal tree positions of an L2 block's members proven in ``batch``, ascending (empty before it is proven)."""
        rows = self._r.execute(
            "SELECT position FROM requests WHERE block=? AND batch=? AND position IS NOT NULL ORDER BY position", (block, batch)
        )
        return [r[0] for r in rows]

    def journal_positions(self, batch: int) -> list[int]:
        """Journal tree positions of a proven batch's members, ascending (the order of :meth:`journals_of`)."""
        rows = self._r.execute("SELECT position FROM requests WHERE batch=? AND position IS NOT NULL ORDER BY position", (batch,))
        return [r[0] for r in rows]

    def journals_of(self, batch: int) -> Iterable[tuple[bytes, tuple[int, ...], tuple[int, ...]]]:
        """(program, inputs, outputs) of a proven batch's members in batch order."""
        rows = self._r.execute(
            "SELECT program, inputs, outputs FROM requests WHERE batch=? AND position IS NOT NULL ORDER BY position", (batch,)
        )
        return [(bytes(p), tuple(json.loads(i)), tuple(json.loads(o))) for p, i, o in rows]
