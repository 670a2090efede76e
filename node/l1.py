"""The node's L1: an embedded py-evm chain persisted in the data directory, or an external JSON-RPC node.

The embedded chain (eth-tester on py-evm, Prague rules; run in its own
process by :mod:`node.l1host`) keeps py-evm's
key-value database in SQLite (``l1.sqlite``): every write of a mined block
is flushed in one transaction after each L1 transaction, so a node killed at
any point restarts on the chain as of its last flushed block — and that
chain never holds a batch the node's own records could not reconcile.
Its accounts are those of the public test mnemonic, the same as anvil's.

The rollup is deployed once per data directory; its addresses, the L1 chain
id and genesis hash are kept in the node database, so a restart attaches to
the same contracts, and a data directory is refused on another chain.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path
from typing import Any

from contracts.chain import EmbeddedL1, L1Chain, RpcL1, TxResult
from node.errors import DataDirMismatchError, StoreError
from node.signing import DEV_HD_PATH, DEV_MNEMONIC


class SqliteKV:
    """py-evm's key-value store as a dict, mirrored into SQLite at each :meth:`flush`."""

    def __init__(self, path: str | Path):
        from eth.db.backends.memory import MemoryDB

        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self._conn.execute("PRAGMA journal_mode=WAL")
            self._conn.execute("PRAGMA synchronous=FULL")
            self._conn.execute("CREATE TABLE IF NOT EXISTS kv (k BLOB PRIMARY KEY, v BLOB NOT NULL)")
            data = {bytes(k): bytes(v) for k, v in self._conn.execute("SELECT k, v FROM kv")}
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open the embedded L1 database {self.path}: {exc}") from None
        dirty: dict[bytes, bytes | None] = {}
        self.dirty = dirty

        class _Tracked(MemoryDB):
            def __setitem__(self, key: bytes, value: bytes) -> None:
                self.kv_store[key] = value
                dirty[key] = value

            def __delitem__(self, key: bytes) -> None:
                del self.kv_store[key]
                dirty[key] = None

        self.db = _Tracked(data)
        self.fresh = not data

    def flush(self) -> int:
        """Write every change since the last flush in one durable transaction; returns how many."""
        if not self.dirty:
            return 0
        items = list(self.dirty.items())
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            self._conn.executemany("INSERT OR REPLACE INTO kv VALUES (?, ?)", [(k, v) for k, v in items if v is not None])
            self._conn.executemany("DELETE FROM kv WHERE k=?", [(k,) for k, v in items if v is None])
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        for k, v in items:
            if self.dirty.get(k, object()) is v:
                del self.dirty[k]
        return len(items)

    def close(self) -> None:
        self._conn.close()


class PersistentEmbeddedL1(EmbeddedL1):
    """:class:`EmbeddedL1` whose state lives in ``path`` and survives restarts; accounts from the test mnemonic.

    Every access goes through one lock (py-evm is not thread-safe) and every
    transaction is flushed to disk before :meth:`transact` returns.
    """

    def __init__(self, path: str | Path, gas_limit: int, accounts: int = 10):
        from eth.db.atomic import AtomicDB
        from eth.db.chain import ChainDB
        from eth.exceptions import CanonicalHeadNotFound
        from eth_tester import EthereumTester, PyEVMBackend
        from eth_tester.backends.pyevm.main import setup_tester_chain
        from eth_utils import to_checksum_address
        from web3 import EthereumTesterProvider, Web3

        self.kv = SqliteKV(path)
        kv = self.kv
        self.lock = threading.RLock()

        class _Backend(PyEVMBackend):
            def reset_to_genesis(self, genesis_params=None, genesis_state=None, num_accounts=None,
                                 vm_configuration=None, mnemonic=None, hd_path=None):
                keys, template = setup_tester_chain(genesis_params, genesis_state, num_accounts, vm_configuration, mnemonic, hd_path)
                base = AtomicDB(kv.db)
                try:
                    ChainDB(base).get_canonical_head()
                    chain = type(template)(base)
                except CanonicalHeadNotFound:
                    chain = type(template).from_genesis(base, genesis_params, genesis_state)
                self.account_keys, self.chain = keys, chain

        params = PyEVMBackend.generate_genesis_params(overrides={"gas_limit": gas_limit})
        state = PyEVMBackend.generate_genesis_state(mnemonic=DEV_MNEMONIC, num_accounts=accounts, hd_path=DEV_HD_PATH)
        self.backend = _Backend(genesis_parameters=params, genesis_state=state, mnemonic=DEV_MNEMONIC, hd_path=DEV_HD_PATH)
        self.kv.flush()
        self.tester = EthereumTester(self.backend)
        self.w3 = Web3(EthereumTesterProvider(self.tester))
        self.accounts = [to_checksum_address(a) for a in self.w3.eth.accounts]

    def transact(self, fn: Any, sender: str | None = None, gas: int | None = None, value: int = 0) -> TxResult:
        with self.lock:
            try:
                return super().transact(fn, sender=sender, gas=gas, value=value)
            finally:
                self.kv.flush()

    def call(self, fn: Any, sender: str | None = None, block: Any = "latest", gas: int | None = None) -> Any:
        with self.lock:
            return super().call(fn, sender=sender, block=block, gas=gas)

    def request(self, method: str, params: list) -> dict:
        """Answer one L1 JSON-RPC call (the node serves the embedded chain at ``/l1``); flushes any block it mined."""
        if method in ("eth_call", "eth_estimateGas") and params and isinstance(params[0], dict) and "from" not in params[0]:
            params = [{**params[0], "from": self.accounts[0]}, *params[1:]]  # eth-tester insists on a sender
        with self.lock:
            try:
                # through eth-tester's web3 middleware, which maps JSON-RPC names (fromBlock, ...) to eth-tester's
                return self.w3.provider.request_func(self.w3, self.w3.middleware_onion)(method, params)  # type: ignore[arg-type]
            finally:
                self.kv.flush()

    def close(self) -> None:
        with self.lock:
            self.kv.flush()
            self.kv.close()


def genesis_hash(chain: L1Chain) -> str:
    """Hex hash of the chain's block 0: with the chain id, what identifies an L1."""
    return chain.w3.eth.get_block(0)["hash"].hex()


def connect_l1(l1_rpc: str | None, data_dir: Path, gas_limit: int, private_key: str | None, accounts: int,
               l1_port: int = 0) -> L1Chain:
    """The embedded persisted chain in its own process (``l1_rpc`` None), or :class:`RpcL1` on ``l1_rpc``.

    On an external node the sequencer signs with ``private_key`` (or uses the node's unlocked accounts).
    """
    if l1_rpc is None:
        from node.l1host import start_host

        return start_host(data_dir / "l1.sqlite", gas_limit, accounts, l1_port, data_dir / "l1.log")
    return RpcL1(l1_rpc, private_keys=[private_key] if private_key else None)


def check_identity(meta: dict[str, str | None], expected: dict[str, str]) -> None:
    """Refuse a data directory made for another L1, backend or L2 chain (DataDirMismatchError)."""
    for key, value in expected.items():
        have = meta.get(key)
        if have is not None and have != value:
            raise DataDirMismatchError(
                f"the data directory was created with {key} = {have}, this node has {value}; "
                "use another --data-dir or start over with --fresh"
            )
