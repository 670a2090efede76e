"""``supervm devnet``: wires the store, L1, rollup, sequencer, prover stage, submitter and JSON-RPC server.

Start order: data directory → node database → L1 (embedded, persisted, or
``--l1-rpc``) → rollup (deployed once, attached on restart) → stages →
HTTP server; then the banner.  Stop order is the reverse; SIGINT and SIGTERM
stop cleanly (an L1 transaction in flight is waited for; an unfinished batch
resumes on the next start).

``SUPERVM_FAULT=<point>[:<n>]`` (tests only) kills the node with SIGKILL the
``n``-th time it reaches ``point`` — ``proving`` (a batch is with the
prover), ``before_l1_send``, ``after_l1_send`` (the batch transaction is
mined, the node has not recorded it) — to exercise crash recovery at exact
points.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable, TextIO

from node import rpc
from node.api import NodeApi
from node.config import EIP7825_CAP, NodeConfig
from node.errors import ConfigError, NodeError, StoreError
from node.l1 import check_identity, connect_l1, genesis_hash
from node.l1host import HostedL1
from node.logs import setup_logging
from node.metrics import NodeMetrics
from node.proving import Executor, ProvingStage
from node.sequencer import BatchPolicy, GasModel, Sequencer
from node.settlement import Settlement
from node.signing import DEV_HD_PATH, DEV_MNEMONIC, dev_accounts
from node.store import Store
from node.rpc import Dispatcher, RpcServer

log = logging.getLogger("supervm.devnet")

FAULT_ENV = "SUPERVM_FAULT"


def fault_hook() -> Callable[[str], None]:
    """The crash-injection hook from ``$SUPERVM_FAULT`` (a no-op when unset)."""
    spec = os.environ.get(FAULT_ENV, "")
    if not spec:
        return lambda point: None
    point, _, nth = spec.partition(":")
    remaining = [int(nth or 1)]

    def hook(at: str) -> None:
        if at == point:
            remaining[0] -= 1
            if remaining[0] <= 0:
                sys.stderr.write(f"[fault] SIGKILL at {at}\n")
                sys.stderr.flush()
                os.kill(os.getpid(), signal.SIGKILL)

    return hook


def _wipe(data_dir: Path) -> None:
    """Remove the node's own files from ``data_dir`` (nothing else)."""
    for name in ("node.sqlite", "l1.sqlite"):
        for suffix in ("", "-wal", "-shm"):
            path = data_dir / (name + suffix)
            if path.exists():
                path.unlink()


class Devnet:
    """A running devnet node."""

    def __init__(self, config: NodeConfig, out: TextIO | None = None):
        self.config = config
        self.out = out or sys.stdout
        self.started_at = time.time()
        self.fault = fault_hook()
        self._stop = threading.Event()
        self._sealer: threading.Thread | None = None
        self.server: RpcServer | None = None
        self.proving: ProvingStage | None = None
        self.settlement: Settlement | None = None
        self.executor: Executor | None = None
        self.l1 = None
        self.store: Store | None = None

    # -- start ----------------------------------------------------------------------------
    def start(self) -> "Devnet":
        cfg = self.config
        setup_logging(cfg.log_format)
        cfg.data_dir.mkdir(parents=True, exist_ok=True)
        if cfg.fresh:
            _wipe(cfg.data_dir)
        self._check_da(cfg.da, cfg.backend)
        self.store = store = Store(cfg.db_path)
        check_identity(
            {k: store.get_meta(k) for k in ("l2_chain_id", "backend", "da", "l1")},
            {"l2_chain_id": str(cfg.chain_id), "backend": cfg.backend, "da": cfg.da, "l1": cfg.l1_rpc or "embedded"},
        )
        self.l1 = l1 = connect_l1(cfg.l1_rpc, cfg.data_dir, cfg.l1_gas_limit,
                                  cfg.l1_private_key or (dev_accounts(1)[0].private_key if cfg.l1_rpc else None),
                                  cfg.dev_accounts, cfg.l1_port if cfg.l1_port is not None else (cfg.port + 1 if cfg.port else 0))
        self.rollup = self._rollup(store, l1)
        store.set_meta({"l2_chain_id": cfg.chain_id, "backend": cfg.backend, "da": cfg.da, "l1": cfg.l1_rpc or "embedded"})

        self.metrics = NodeMetrics()
        self.metrics.collector = self._metric_state
        self.executor = Executor()
        policy = BatchPolicy(cfg.batch_max_requests, cfg.batch_max_age, cfg.batch_max_rows, cfg.batch_max_gas)
        gas_model = GasModel.for_backend(cfg.backend)
        for b in reversed(store.recent_verified(16)):  # what earlier runs measured
            if b["gas_used"]:
                member_bytes = sum(8 * (len(i) + len(o)) for _, i, o in store.journals_of(b["number"]))
                gas_model.observe(b["request_count"], member_bytes, b["gas_used"])
        self.sequencer = Sequencer(store, cfg.chain_id, policy, gas_model, self.executor,
                                   cfg.max_pending, on_batch_closed=lambda n: self.proving.wake() if self.proving else None,
                                   da=cfg.da)
        self.proving = ProvingStage(store, cfg.backend, cfg.preset, cfg.da, cfg.min_security_bits, cfg.workers,
                                    on_proven=self._on_proven, fault=self.fault)
        self.proving.start()
        self.settlement = Settlement(store, self.rollup, on_verified=self._on_verified, fault=self.fault,
                                     on_split=lambda number, halves: self.proving.wake() if self.proving else None)
        self.settlement.start()
        self.api = NodeApi(store, self.sequencer, self.status, self.contracts, on_accept=self._on_accept, da=cfg.da)
        dispatcher = Dispatcher(self.api.methods(), self.api.bulk(), cfg.max_batch_entries, on_call=self._on_call)
        self.server = RpcServer(cfg.host, cfg.port, dispatcher.handle, cfg.max_body_bytes, self.metrics.render,
                                on_oversize=lambda: self.metrics.rpc_errors.inc(label=str(rpc.INVALID_REQUEST)))
        self.server.start()
        self._sealer = threading.Thread(target=self._seal_loop, name="sealer", daemon=True)
        self._sealer.start()
        self.proving.warm_up()
        return self

    @staticmethod
    def _check_da(da: str, backend: str) -> None:
        """Refuse a data-availability mode the aggregator cannot prove with this backend (ConfigError) before anything starts."""
        if da == "root" and backend != "stark":
            raise ConfigError("--da root needs --backend stark: the Rescue root is computed inside the STARK")

    def _rollup(self, store: Store, l1: Any):
        from contracts.compiler import compile_contract
        from contracts.rollup import ROLLUP_SOURCE, Rollup, deploy_rollup
        from contracts.verifier import AIR_CONTRACTS, VERIFIER_SOURCE, air_source

        cfg = self.config
        l1_id = {"l1_chain_id": str(l1.chain_id), "l1_genesis": genesis_hash(l1)}
        check_identity({k: store.get_meta(k) for k in l1_id}, l1_id)
        saved = store.get_meta("contracts")
        if saved:
            addresses = json.loads(saved)
            if not l1.w3.eth.get_code(addresses["rollup"]):
                raise StoreError(f"no rollup contract at {addresses['rollup']} on this L1: use another --data-dir or --fresh")
            airs = {}
            for name, (program_id, address) in addresses["airs"].items():
                airs[bytes.fromhex(program_id)] = l1.contract(compile_contract(air_source(name)), address)
            single = addresses.get("single_verifier")  # absent in data directories from before the second deployment
            return Rollup(l1, l1.contract(compile_contract(VERIFIER_SOURCE), addresses["verifier"]),
                          l1.contract(compile_contract(ROLLUP_SOURCE), addresses["rollup"]), airs, cfg.dev_mode,
                          l1.contract(compile_contract(VERIFIER_SOURCE, journal_bound="single"), single) if single else None)
        log.info("deploying the rollup", extra={"l1": cfg.l1_rpc or "embedded", "dev_mode": cfg.dev_mode})
        rollup = deploy_rollup(l1, dev_mode=cfg.dev_mode, min_security_bits=cfg.min_security_bits if cfg.backend == "stark" else 0)
        names = dict(zip(AIR_CONTRACTS, rollup.airs.items()))
        store.set_meta({
            **l1_id,
            "contracts": json.dumps({
                "rollup": rollup.address,
                "verifier": rollup.verifier.address,
                "single_verifier": rollup.single_verifier.address,
                "airs": {name: (pid.hex(), contract.address) for name, (pid, contract) in names.items()},
            }),
        })
        return rollup

    # -- loops and callbacks ------------------------------------------------------------------
    def _seal_loop(self) -> None:
        while not self._stop.wait(self.config.block_time):
            try:
                self.sequencer.tick()
            except Exception:  # noqa: BLE001 - keep sealing; the requests stay pending
                log.exception("sealing failed")

    def _on_accept(self, results: list[Any]) -> None:
        for result in results:
            if isinstance(result, NodeError):
                self.metrics.rejected.inc(label=type(result).__name__)
            else:
                self.metrics.accepted.inc()

    def _on_call(self, method: str, code: int | None) -> None:
        if method in rpc.METHODS:
            self.metrics.rpc_calls.inc(label=method)
        if code is not None:
            self.metrics.rpc_errors.inc(label=str(code))

    def _on_proven(self, number: int, info: dict[str, Any]) -> None:
        self.metrics.batches_proven.inc()
        self.metrics.prove_seconds.observe(info["seconds"])
        self.metrics.batch_size.observe(info["requests"])
        if self.settlement:
            self.settlement.wake()

    def _on_verified(self, number: int, info: dict[str, Any]) -> None:
        self.metrics.batches_verified.inc()
        gas, n = info.get("gas_used"), info["requests"]
        assert self.store is not None
        now = time.time()
        journals = self.store.journals_of(number)
        if gas:
            self.metrics.batch_gas.observe(gas)
            self.metrics.last_batch_gas = gas
            for _ in range(n):
                self.metrics.request_gas.observe(gas / n)
            self.sequencer.gas_model.observe(n, sum(8 * (len(i) + len(o)) for _, i, o in journals), gas)
        for accepted_at in self.store.accepted_times(number):
            self.metrics.latency.observe(now - accepted_at)

    # -- views ------------------------------------------------------------------------------------
    def _metric_state(self) -> dict[str, Any]:
        assert self.store is not None
        return {
            "requests": self.store.status_counts(),
            "batches": self.store.batch_counts(),
            "block": self.store.block_number(),
            "batch": self.store.batch_number(),
            "cache": self.executor.cache_stats() if self.executor else {},
            "proving_rate": self.proving.stats.rate() if self.proving else 0.0,
            "settlement_retries": self.settlement.stats.retries if self.settlement else 0,
        }

    def status(self) -> dict[str, Any]:
        """The ``l2_status`` answer."""
        assert self.store is not None and self.proving is not None and self.settlement is not None
        cfg = self.config
        p, s = self.proving.stats, self.settlement.stats
        recent = self.store.recent_verified(1)
        return {
            "chainId": cfg.chain_id,
            "l1ChainId": self.l1.chain_id if self.l1 else None,
            "backend": cfg.backend,
            "devMode": cfg.dev_mode,
            "preset": cfg.preset if cfg.backend == "stark" else None,
            "da": cfg.da,
            "uptime": round(time.time() - self.started_at, 3),
            "blockNumber": self.store.block_number(),
            "batchNumber": self.store.batch_number(),
            "queue": self.store.status_counts(),
            "batches": self.store.batch_counts(),
            "openBatch": self.sequencer.open_batch_info(),
            "accepted": self.sequencer.accepted_total,
            "rejected": dict(self.sequencer.rejected),
            "proving": {
                "inFlight": self.proving.in_flight,
                "batches": p.batches,
                "requests": p.requests,
                "seconds": round(p.seconds, 3),
                "requestsPerSecond": round(p.rate(), 3),
                "lastBatchSeconds": p.last_seconds,
                "failures": p.failures,
            },
            "cache": self.executor.cache_stats() if self.executor else {},
            "settlement": {
                "verified": s.verified,
                "reconciled": s.reconciled,
                "retries": s.retries,
                "reverts": s.reverts,
                "failed": s.failed,
                "splits": s.splits,
                "lastError": s.last_error,
                "halted": s.halted,
            },
            "lastL1Gas": recent[0]["gas_used"] if recent else None,
            "lastL1Batch": recent[0]["l1_index"] if recent else None,
            "gasModel": {"base": self.sequencer.gas_model.base, "perMember": self.sequencer.gas_model.per_member},
            "policy": {
                "maxRequests": cfg.batch_max_requests,
                "maxAge": cfg.batch_max_age,
                "maxRows": cfg.batch_max_rows,
                "maxGas": cfg.batch_max_gas,
                "blockTime": cfg.block_time,
            },
        }

    def contracts(self) -> dict[str, Any]:
        """The ``l2_contracts`` answer: where the rollup lives."""
        from contracts.verifier import AIR_CONTRACTS

        return {
            "l1ChainId": self.l1.chain_id,
            "l1Rpc": self.config.l1_rpc or getattr(self.l1, "url", None),
            "rollup": self.rollup.address,
            "verifier": self.rollup.verifier.address,
            "singleVerifier": self.rollup.single_verifier.address if self.rollup.single_verifier is not None else None,
            "airs": {name: {"programId": "0x" + pid.hex(), "address": c.address}
                     for name, (pid, c) in zip(AIR_CONTRACTS, self.rollup.airs.items())},
            "sequencer": self.l1.accounts[0],
            "devMode": self.config.dev_mode,
        }

    # -- banner -------------------------------------------------------------------------------------
    def banner(self) -> str:
        from prover.stark.params import preset

        cfg = self.config
        assert self.server is not None
        lines = ["", "supervm-l2 devnet", "=================", ""]
        accounts = dev_accounts(cfg.dev_accounts)
        lines.append("Dev accounts (from the PUBLIC test mnemonic - anyone can use these keys; never send them real funds)")
        for a in accounts:
            lines.append(f"({a.index}) {a.address}  {a.private_key}")
        lines += [f"Mnemonic: {DEV_MNEMONIC}", f"HD path:  {DEV_HD_PATH}/<i>", ""]
        lines.append(f"L2 chain id:   {cfg.chain_id} ({hex(cfg.chain_id)})")
        if isinstance(self.l1, HostedL1):
            lines.append(f"L1:            embedded py-evm (Prague), chain id {self.l1.chain_id}, block gas limit {cfg.l1_gas_limit:,}")
            lines.append(f"L1 JSON-RPC:   {self.l1.url}  (its own process; state persisted in {cfg.l1_db_path})")
        else:
            lines.append(f"L1:            {cfg.l1_rpc}, chain id {self.l1.chain_id}")
        lines.append(f"Sequencer:     {self.l1.accounts[0]} (L1 account 0)")
        lines.append(f"Rollup:        {self.rollup.address}")
        lines.append(f"StarkVerifier: {self.rollup.verifier.address} (statements up to 32 KB)")
        if self.rollup.single_verifier is not None:
            lines.append(f"               {self.rollup.single_verifier.address} (single journals, up to 1,064 B)")
        for name, info in self.contracts()["airs"].items():
            lines.append(f"  AIR {name:8}   {info['address']}  program {info['programId'][:18]}...")
        if cfg.backend == "stark":
            options = preset(cfg.preset)
            bits = options.security_bits(max(3, cfg.batch_max_rows.bit_length() - 1))
            lines.append(f"Prover:        STARK, preset {cfg.preset}: {bits} bits conjectured at the largest batch"
                         f" (rollup requires >= {cfg.min_security_bits}); {cfg.workers} worker(s)")
        else:
            lines.append("Prover:        TRACE - development backend, NO soundness; the rollup is deployed in DEV MODE")
        lines.append(f"Data avail.:   {cfg.da}")
        policy = BatchPolicy(cfg.batch_max_requests, cfg.batch_max_age, cfg.batch_max_rows, cfg.batch_max_gas)
        lines.append(f"Batch policy:  {policy.describe()}; L2 blocks every {cfg.block_time:g} s")
        lines.append(f"Data dir:      {cfg.data_dir}")
        lines.append(f"Metrics:       {self.server.url}/metrics")
        lines.append("")
        lines.append(f"Listening on {self.server.url}")
        return "\n".join(lines)

    # -- stop ------------------------------------------------------------------------------------------
    def stop(self) -> None:
        """Stop every stage in reverse order; safe to call twice."""
        self._stop.set()
        if self.server is not None:
            self.server.stop()
            self.server = None
        if self._sealer is not None:
            self._sealer.join(timeout=5)
        if self.proving is not None:
            self.proving.stop()
        if self.settlement is not None:
            self.settlement.stop()
        if self.executor is not None:
            self.executor.close()
        if isinstance(self.l1, HostedL1):
            self.l1.stop()
        if self.store is not None:
            self.store.close()
            self.store = None

    def run(self) -> int:
        """Start, print the banner, serve until SIGINT/SIGTERM, stop."""
        done = threading.Event()
        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_: done.set())
        try:
            self.start()
            print(self.banner(), file=self.out, flush=True)
            done.wait()
            print("\nstopping...", file=self.out, flush=True)
        finally:
            self.stop()
        print("stopped", file=self.out, flush=True)
        return 0


__all__ = ["Devnet", "EIP7825_CAP", "FAULT_ENV", "fault_hook"]
