#!/usr/bin/env python3
"""Sustained request acceptance over JSON-RPC on loopback, and optionally end-to-end settlement.

    scripts/bench_rpc.py                                  # spawns a Trace devnet on the embedded L1
    scripts/bench_rpc.py --l1-rpc http://127.0.0.1:8545   # ... settling on anvil
    scripts/bench_rpc.py --url http://127.0.0.1:8547      # an already running node
    scripts/bench_rpc.py --requests 40000 --batch 200 --connections 4 --wait --json

Requests are signed beforehand (fib with small inputs, one key per sender)
and sent as JSON-RPC batches of ``--batch`` ``l2_sendRequest`` calls over
``--connections`` keep-alive connections; the figure is requests the node
acknowledged (stored durably) per second of sending.  ``--wait`` also waits
until every request is verified on L1 and reports the settled rate.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from node.client import NodeClient, Signer  # noqa: E402
from node.signing import keccak256  # noqa: E402


def spawn_node(args: list[str], data_dir: Path) -> tuple[subprocess.Popen, str, Path]:
    """Start ``supervm devnet`` with ``args`` on a free port; returns (process, URL, log path)."""
    log_path = data_dir / "devnet.log"
    command = [sys.executable, "-m", "node.cli", "devnet", "--port", "0", "--data-dir", str(data_dir / "data"), *args]
    with open(log_path, "w") as log:
        proc = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        match = re.search(r"Listening on (http://\S+)", log_path.read_text(errors="replace"))
        if match:
            return proc, match.group(1), log_path
        if proc.poll() is not None:
            raise SystemExit(f"devnet exited:\n{log_path.read_text()[-2000:]}")
        time.sleep(0.1)
    proc.kill()
    raise SystemExit("devnet did not start")


def presign(chain_id: int, total: int, senders: int, batch: int, salt: str) -> tuple[list[list[bytes]], list[list[str]]]:
    """Bodies per sender (each a JSON-RPC batch) and the request ids they carry."""
    per = total // senders
    bodies: list[list[bytes]] = []
    ids: list[list[str]] = []
    for k in range(senders):
        signer = Signer("0x" + keccak256(f"bench_rpc/{salt}/{k}".encode()).hex(), chain_id)
        requests = [signer.sign("fib", [1 + (i % 250)]) for i in range(per)]
        ids.append(["0x" + r.request_id().hex() for r in requests])
        own = []
        for j in range(0, per, batch):
            calls = [{"jsonrpc": "2.0", "id": i, "method": "l2_sendRequest", "params": [r.to_json()]}
                     for i, r in enumerate(requests[j : j + batch])]
            own.append(json.dumps(calls, separators=(",", ":")).encode())
        bodies.append(own)
    return bodies, ids


def blast(url: str, bodies: list[list[bytes]], connections: int) -> dict[str, Any]:
    """Send every body; each connection takes whole senders (so nonces stay in order)."""
    host, port = url.removeprefix("http://").split(":")
    accepted = [0] * connections
    errors = [0] * connections
    latencies: list[float] = []
    lock = threading.Lock()

    def worker(k: int) -> None:
        conn = http.client.HTTPConnection(host, int(port), timeout=120)
        mine = []
        for sender in range(k, len(bodies), connections):
            for body in bodies[sender]:
                t0 = time.perf_counter()
                conn.request("POST", "/", body, {"Content-Type": "application/json"})
                data = conn.getresponse().read()
                mine.append(time.perf_counter() - t0)
                accepted[k] += data.count(b'"result"')
                errors[k] += data.count(b'"error"')
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(connections)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - t0
    latencies.sort()
    return {
        "accepted": sum(accepted),
        "errors": sum(errors),
        "seconds": round(seconds, 3),
        "accepted_per_second": round(sum(accepted) / seconds, 1),
        "http_call_ms": {"p50": round(1e3 * latencies[len(latencies) // 2], 2),
                         "p99": round(1e3 * latencies[int(0.99 * (len(latencies) - 1))], 2)},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", help="a running node (default: spawn a Trace devnet)")
    parser.add_argument("--l1-rpc", help="spawned node settles on this L1 (e.g. anvil) instead of the embedded one")
    parser.add_argument("--requests", type=int, default=30_000)
    parser.add_argument("--batch", type=int, default=200, help="l2_sendRequest calls per HTTP request")
    parser.add_argument("--connections", type=int, default=2)
    parser.add_argument("--senders", type=int, default=8)
    parser.add_argument("--batch-max-requests", type=int, default=2000, help="spawned node's batch size")
    parser.add_argument("--wait", action="store_true", help="wait until every request is verified on L1")
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    tmp = Path(tempfile.mkdtemp(prefix="bench_rpc-"))
    proc = None
    try:
        url = args.url
        if url is None:
            node_args = ["--backend", "trace", "--batch-max-requests", str(args.batch_max_requests), "--batch-max-age", "1"]
            if args.l1_rpc:
                node_args += ["--l1-rpc", args.l1_rpc]
            proc, url, _ = spawn_node(node_args, tmp)
        client = NodeClient(url)
        chain_id = client.chain_id()
        t0 = time.perf_counter()
        bodies, ids = presign(chain_id, args.requests, args.senders, args.batch, str(time.time()))
        sign_seconds = time.perf_counter() - t0
        if not args.json:
            print(f"signed {args.requests} requests in {sign_seconds:.2f} s; sending...", file=sys.stderr)
        result = blast(url, bodies, args.connections)
        report: dict[str, Any] = {
            "machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
            "url": url,
            "l1": args.l1_rpc or ("embedded" if args.url is None else "(running node)"),
            "requests": args.requests,
            "batch": args.batch,
            "connections": args.connections,
            "senders": args.senders,
            **result,
        }
        if args.wait:
            flat = [i for part in ids for i in part]
            t1 = time.perf_counter()
            client.wait(flat, timeout=args.timeout, poll=1.0, chunk=2000)
            settle = time.perf_counter() - t1 + result["seconds"]
            status = client.status()
            report["settled_seconds"] = round(settle, 2)
            report["settled_per_second"] = round(len(flat) / settle, 1)
            report["batches_verified"] = status["batches"]["verified"]
            report["last_batch_gas"] = status["lastL1Gas"]
        client.close()
    finally:
        if proc is not None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        print(f"{report['accepted']:,} accepted, {report['errors']} errors in {report['seconds']} s: "
              f"{report['accepted_per_second']:,} requests/s  (batches of {args.batch}, {args.connections} connections,"
              f" HTTP call p50 {report['http_call_ms']['p50']} ms, p99 {report['http_call_ms']['p99']} ms)")
        if args.wait:
            print(f"settled: all verified on L1 after {report['settled_seconds']} s ({report['settled_per_second']} requests/s,"
                  f" {report['batches_verified']} batches)")
    return 0 if report["errors"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
