"""The embedded L1 in its own process: py-evm behind a local JSON-RPC endpoint, and the node's client of it.

py-evm is pure Python and CPU-bound (a STARK verification is seconds of
interpretation); run inside the node it would hold the interpreter lock
against the JSON-RPC threads (measured: acceptance fell from ~3,000 to ~330
requests/s, with multi-second call latencies).  So the devnet runs it as a
child process — ``python -m node.l1host`` — serving the chain's standard
eth_* methods (usable with web3, cast or a wallet, like anvil) plus two of
its own that keep the gas accounting of :class:`contracts.chain.EmbeddedL1`
exact over the wire:

* ``supervm_estimate(tx)`` — one dry run: the gas limit to send with and the
  execution gas net of refunds (reverts and over-the-cap answers as errors);
* ``supervm_execution(tx, block, gas)`` — the execution gas of a mined
  transaction whose gas used is the EIP-7623 floor.

The process dies with its parent (``PR_SET_PDEATHSIG`` on Linux) and flushes
the chain to ``l1.sqlite`` after every call that mined a block.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from contracts.chain import RpcL1, _Tx
from contracts.errors import L1Error, L1UnavailableError, TransactionRevertedError, TransactionTooLargeError
from node.rpc import RpcError, RpcServer, l1_proxy

#: JSON-RPC error codes of the host's own methods.
CODE_REVERTED = 3  # as geth and anvil answer a reverted eth_call
CODE_TOO_LARGE = -32010
READY = re.compile(r"L1 listening on (http://127\.0\.0\.1:\d+)")


def _tx_from_json(obj: Any) -> _Tx:
    if not isinstance(obj, dict) or "from" not in obj:
        raise RpcError(-32602, "transaction object with from, to, data, value expected")
    data = obj.get("data") or "0x"
    return _Tx(obj["from"], obj.get("to"), bytes.fromhex(str(data).removeprefix("0x")), int(str(obj.get("value", "0x0")), 0))


def _tx_to_json(tx: _Tx) -> dict[str, Any]:
    return {"from": tx.sender, "to": tx.to, "data": "0x" + tx.data.hex(), "value": hex(tx.value)}


def serve(db: Path, gas_limit: int, accounts: int, port: int, parent: int | None) -> None:
    """Run the chain and its JSON-RPC server until SIGTERM (or the parent's death)."""
    from node.l1 import PersistentEmbeddedL1
    from node.proving import _die_with_parent

    _die_with_parent()
    if parent is not None and os.getppid() != parent:
        return  # the node died before we could ask to die with it
    l1 = PersistentEmbeddedL1(db, gas_limit, accounts)

    def estimate(params: list) -> dict[str, Any]:
        tx = _tx_from_json(params[0] if params else None)
        try:
            with l1.lock:
                gas, execution = l1._estimate(tx)
        except TransactionRevertedError as exc:
            raise RpcError(CODE_REVERTED, exc.reason or "execution reverted", "0x" + exc.data.hex()) from None
        except TransactionTooLargeError as exc:
            raise RpcError(CODE_TOO_LARGE, str(exc), {"needed": exc.needed, "cap": exc.cap}) from None
        return {"gas": hex(gas), "execution": None if execution is None else hex(execution)}

    def execution(params: list) -> str | None:
        if len(params) != 3:
            raise RpcError(-32602, "expected [tx, block, gas]")
        tx = _tx_from_json(params[0])
        try:
            with l1.lock:
                return hex(l1._measure(tx, int(str(params[2]), 0), int(str(params[1]), 0) - 1)[1])
        except L1Error:
            return None

    handler = l1_proxy(l1.request, {"supervm_estimate": estimate, "supervm_execution": execution})
    server = RpcServer("127.0.0.1", port, handler, 64 * 1024 * 1024)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the whole group: the node stops us in order
    server.start()
    print(f"L1 listening on {server.url}", flush=True)
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # close the pipe: the node stops reading once we are up
    done.wait()
    server.stop()
    l1.close()


class HostedL1(RpcL1):
    """:class:`RpcL1` on the embedded L1 process, with its exact gas estimation and measurement."""

    def __init__(self, url: str, process: subprocess.Popen | None = None, timeout: float = 600.0):
        super().__init__(url, timeout=timeout)
        self.process = process

    def _host(self, method: str, params: list) -> Any:
        with self._node():
            answer = self.w3.provider.make_request(method, params)  # type: ignore[arg-type]
        if "error" in answer:
            error = answer["error"]
            if error.get("code") == CODE_REVERTED:
                data = error.get("data") or "0x"
                raise TransactionRevertedError(error.get("message"), data=bytes.fromhex(str(data).removeprefix("0x")))
            if error.get("code") == CODE_TOO_LARGE:
                info = error.get("data") or {}
                raise TransactionTooLargeError(error.get("message", ""), needed=info.get("needed"), cap=info.get("cap"))
            raise L1Error(f"{method}: {error}")
        return answer["result"]

    def _estimate(self, tx: _Tx) -> tuple[int, int | None]:
        result = self._host("supervm_estimate", [_tx_to_json(tx)])
        return int(result["gas"], 16), None if result["execution"] is None else int(result["execution"], 16)

    def _execution_of_mined(self, tx: _Tx, tx_hash: str, receipt: Any, gas: int) -> int | None:
        result = self._host("supervm_execution", [_tx_to_json(tx), hex(int(receipt["blockNumber"])), hex(gas)])
        return None if result is None else int(result, 16)

    def stop(self, timeout: float = 30.0) -> None:
        """Stop the L1 process (it flushes its state on the way out)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def start_host(db: Path, gas_limit: int, accounts: int, port: int = 0, log: Path | None = None,
               timeout: float = 120.0) -> HostedL1:
    """Start ``python -m node.l1host`` and connect to it (L1UnavailableError if it does not come up)."""
    command = [sys.executable, "-m", "node.l1host", "--db", str(db), "--gas-limit", str(gas_limit),
               "--accounts", str(accounts), "--port", str(port), "--parent", str(os.getpid())]
    log_file = open(log or db.with_suffix(".log"), "w")
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log_file, stdin=subprocess.DEVNULL, text=True)
    log_file.close()
    deadline = time.monotonic() + timeout
    assert proc.stdout is not None
    line = ""
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        match = READY.search(line)
        if match:
            proc.stdout.close()
            return HostedL1(match.group(1), proc)
        if not line and proc.poll() is not None:
            break
    proc.kill()
    proc.wait()
    raise L1UnavailableError(f"the embedded L1 did not start: {line.strip() or 'no output'} (see {log or db.with_suffix('.log')})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m node.l1host", description="the devnet's embedded L1 (py-evm) over JSON-RPC")
    parser.add_argument("--db", required=True, type=Path)
    parser.add_argument("--gas-limit", type=int, default=60_000_000)
    parser.add_argument("--accounts", type=int, default=10)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--parent", type=int, default=None, help="exit if this process is no longer the parent")
    args = parser.parse_args(argv)
    serve(args.db, args.gas_limit, args.accounts, args.port, args.parent)
    return 0


if __name__ == "__main__":
    sys.exit(main())
