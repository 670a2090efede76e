#!/usr/bin/env python3
"""Sign and send N requests to a devnet node, wait until every one is verified on L1, and summarise.

    scripts/submit_txs.py -n 200 --mix fib:3,mimc:1,collatz:1 --concurrency 4 --batch 20
    scripts/submit_txs.py -n 1000 --json > run.json

Each sender (one per concurrent worker; dev accounts 1..9 of the public test
mnemonic, then keys derived from ``--seed``) signs its requests with
consecutive nonces, starting from the node's ``l2_getNonce``.  The summary
covers batches, L1 gas per verified batch and per request, proving time per
batch, and end-to-end latency (client send → batch verified on L1, both
clocks on this machine) at p50/p99.  Exit status: 0 if every accepted
request was verified, 1 otherwise.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from node.client import NodeClient, RpcCallError, Signer  # noqa: E402
from node.signing import dev_accounts, keccak256  # noqa: E402


def parse_mix(text: str) -> list[tuple[str, float]]:
    """``fib:3,mimc:1`` → [("fib", 0.75), ("mimc", 0.25)]."""
    parts = []
    for item in text.split(","):
        name, _, weight = item.partition(":")
        parts.append((name.strip(), float(weight or 1)))
    total = sum(w for _, w in parts)
    if total <= 0:
        raise ValueError("mix weights must add up to something positive")
    return [(n, w / total) for n, w in parts]


def make_inputs(program: str, rng: random.Random, max_n: int) -> list[int]:
    """Random inputs of ``program`` of at most ``max_n`` steps."""
    if program == "fib":
        return [rng.randint(1, max_n)]
    if program == "mimc":
        return [rng.randrange(1 << 60), rng.randint(1, max_n)]
    if program == "collatz":
        return [rng.randint(1, 100 * max_n)]
    raise ValueError(f"no input generator for program {program!r}")


def senders(count: int, seed: int, chain_id: int) -> list[Signer]:
    """Dev accounts 1..9, then keys derived from ``seed``."""
    out = []
    for i in range(count):
        if i < 9:
            out.append(Signer(dev_accounts(10)[i + 1].private_key, chain_id))
        else:
            out.append(Signer("0x" + keccak256(f"submit_txs/{seed}/{i}".encode()).hex(), chain_id))
    return out


def percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, int(round(q / 100 * (len(ordered) - 1)))))
    return ordered[k]


def run(url: str, n: int, mix: list[tuple[str, float]], concurrency: int, batch: int, max_n: int, seed: int,
        timeout: float, progress: bool = True) -> dict[str, Any]:
    """Send, wait, and return the summary as a dict."""
    client = NodeClient(url)
    chain_id = client.chain_id()
    rng = random.Random(seed)
    signers = senders(concurrency, seed, chain_id)
    for s in signers:
        s.nonce = client.nonce(s.address)
    names = [m for m, _ in mix]
    weights = [w for _, w in mix]
    plan = [[] for _ in signers]
    for i in range(n):
        program = rng.choices(names, weights)[0]
        plan[i % len(signers)].append((program, make_inputs(program, rng, max_n)))
    sent_at: dict[str, float] = {}
    accepted: list[str] = []
    rejected: list[dict[str, Any]] = []
    lock = threading.Lock()

    def worker(k: int) -> None:
        signer = signers[k]
        own = NodeClient(url)
        items = plan[k]
        for start in range(0, len(items), batch):
            chunk = [signer.sign(p, inputs) for p, inputs in items[start : start + batch]]
            t = time.time()
            answers = own.send_requests(chunk) if len(chunk) > 1 else [_single(own, chunk[0])]
            with lock:
                for request, answer in zip(chunk, answers):
                    if isinstance(answer, RpcCallError):
                        rejected.append({"code": answer.code, "message": answer.message})
                    else:
                        accepted.append(answer["id"])
                        sent_at[answer["id"]] = t
        own.close()

    t0 = time.time()
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(len(signers))]
    for t in threads:
        t.start()
    while any(t.is_alive() for t in threads):
        if progress:
            print(f"\rsent {len(accepted) + len(rejected)}/{n}  accepted {len(accepted)}  rejected {len(rejected)}",
                  end="", file=sys.stderr, flush=True)
        time.sleep(0.2)
    for t in threads:
        t.join()
    send_seconds = time.time() - t0
    if progress:
        print(f"\rsent {n}/{n}  accepted {len(accepted)}  rejected {len(rejected)}  in {send_seconds:.2f} s", file=sys.stderr)

    records: dict[str, dict] = {}
    todo = list(accepted)
    deadline = time.monotonic() + timeout
    while todo and time.monotonic() < deadline:
        still = []
        for i in range(0, len(todo), 500):
            part = todo[i : i + 500]
            for rid, answer in zip(part, client.get_requests(part)):
                if isinstance(answer, dict) and answer["status"] in ("verified", "rejected"):
                    records[rid] = answer
                else:
                    still.append(rid)
        todo = still
        if progress:
            verified = sum(1 for r in records.values() if r["status"] == "verified")
            print(f"\rverified {verified}/{len(accepted)}  waiting {len(todo)}", end="", file=sys.stderr, flush=True)
        if todo:
            time.sleep(0.25)
    if progress:
        print(file=sys.stderr)
    total_seconds = time.time() - t0

    batches: dict[int, dict] = {}
    for r in records.values():
        if r["status"] == "verified" and r["batch"] not in batches:
            batches[r["batch"]] = client.get_batch(r["batch"])
    verified = [r for r in records.values() if r["status"] == "verified"]
    latencies = [batches[r["batch"]]["verifiedAt"] - sent_at[r["id"]] for r in verified]
    node_latencies = [batches[r["batch"]]["verifiedAt"] - r["acceptedAt"] for r in verified]
    gas = [b["gasUsed"] for b in batches.values() if b["gasUsed"]]
    prove = [b["proveSeconds"] for b in batches.values() if b["proveSeconds"] is not None]
    status = client.status()
    client.close()
    ours = sum(b["requestCount"] for b in batches.values())
    return {
        "url": url,
        "backend": status["backend"],
        "da": status["da"],
        "requests": n,
        "accepted": len(accepted),
        "rejected": len(rejected),
        "rejections": rejected[:10],
        "verified": len(verified),
        "rejected_after_acceptance": sum(1 for r in records.values() if r["status"] == "rejected"),
        "unfinished": len(todo),
        "send_seconds": round(send_seconds, 3),
        "acceptance_rps": round(len(accepted) / send_seconds, 1) if send_seconds > 0 else None,
        "total_seconds": round(total_seconds, 3),
        "settled_rps": round(len(verified) / total_seconds, 2) if total_seconds > 0 else None,
        "batches": len(batches),
        "batch_sizes": sorted(b["requestCount"] for b in batches.values()),
        "gas_per_batch": {"mean": statistics.fmean(gas) if gas else None, "min": min(gas, default=None), "max": max(gas, default=None)},
        "gas_per_request": sum(gas) / ours if gas and ours else None,
        "prove_seconds_per_batch": {"p50": percentile(prove, 50), "p99": percentile(prove, 99), "total": round(sum(prove), 3)},
        "latency_seconds": {"p50": percentile(latencies, 50), "p99": percentile(latencies, 99)},
        "node_latency_seconds": {"p50": percentile(node_latencies, 50), "p99": percentile(node_latencies, 99)},
        "batch_numbers": sorted(batches),
        "request_ids": accepted,
    }


def _single(client: NodeClient, request: Any) -> Any:
    try:
        return client.send_request(request)
    except RpcCallError as exc:
        return exc


def format_summary(s: dict[str, Any]) -> str:
    def f(v: Any, unit: str = "", digits: int = 2) -> str:
        return "-" if v is None else (f"{v:,.{digits}f}{unit}" if isinstance(v, float) else f"{v:,}{unit}")

    lines = [
        f"node        {s['url']}  backend {s['backend']}  DA {s['da']}",
        f"requests    {s['requests']} sent, {s['accepted']} accepted, {s['rejected']} rejected at submission,"
        f" {s['verified']} verified, {s['rejected_after_acceptance']} rejected later, {s['unfinished']} unfinished",
        f"sending     {f(s['send_seconds'], ' s')}  ({f(s['acceptance_rps'], ' req/s', 1)} accepted)",
        f"settled     {f(s['total_seconds'], ' s')} until the last verification ({f(s['settled_rps'], ' req/s')})",
        f"batches     {s['batches']}  sizes {s['batch_sizes'][:12]}{' ...' if len(s['batch_sizes']) > 12 else ''}",
        f"gas/batch   mean {f(s['gas_per_batch']['mean'], '', 0)}  min {f(s['gas_per_batch']['min'])}  max {f(s['gas_per_batch']['max'])}",
        f"gas/request {f(s['gas_per_request'], '', 0)}",
        f"proving     per batch p50 {f(s['prove_seconds_per_batch']['p50'], ' s', 3)}  p99 {f(s['prove_seconds_per_batch']['p99'], ' s', 3)}"
        f"  total {f(s['prove_seconds_per_batch']['total'], ' s', 3)}",
        f"latency     send -> verified on L1: p50 {f(s['latency_seconds']['p50'], ' s')}  p99 {f(s['latency_seconds']['p99'], ' s')}",
    ]
    for r in s["rejections"][:3]:
        lines.append(f"  rejected: [{r['code']}] {r['message']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8547", help="node JSON-RPC URL")
    parser.add_argument("-n", "--requests", type=int, default=100)
    parser.add_argument("--mix", default="fib:3,mimc:1,collatz:1", help="program weights, e.g. fib:3,mimc:1")
    parser.add_argument("--concurrency", type=int, default=4, help="concurrent senders (one key each)")
    parser.add_argument("--batch", type=int, default=1, help="requests per JSON-RPC batch (HTTP call)")
    parser.add_argument("--max-n", type=int, default=200, help="largest step count per request")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds to wait for verification")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON")
    args = parser.parse_args(argv)
    summary = run(args.url, args.requests, parse_mix(args.mix), max(1, args.concurrency), max(1, args.batch), args.max_n,
                  args.seed, args.timeout, progress=not args.json)
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(format_summary(summary))
    return 0 if summary["verified"] == summary["accepted"] and summary["unfinished"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
