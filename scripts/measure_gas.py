#!/usr/bin/env python3
"""Gas per verified batch against batch size, on a running devnet node.

    scripts/measure_gas.py --sizes 1,4,16,64,256 --program fib
    scripts/measure_gas.py --url http://127.0.0.1:8547 --sizes 1,8,64 --json > gas-calldata.json

For each size N the script sends N signed requests in one JSON-RPC batch,
waits until they are verified on L1, and reads back the batches they landed
in: L1 gas used, its calldata and execution parts, calldata bytes, proving
time.  A batch holds exactly the N requests when the node's
``--batch-max-requests`` is at least N, its ``--batch-max-age`` has passed
and nothing else is being sent; otherwise the table shows the actual batch
sizes.  The data-availability mode is the node's (``--da``): run the script
against nodes started with each mode and compare.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from node.client import NodeClient, RpcCallError, Signer  # noqa: E402
from node.signing import keccak256  # noqa: E402


def inputs_for(program: str, i: int, steps: int) -> list[int]:
    return {"fib": [steps], "mimc": [i + 1, steps], "collatz": [27 + i]}[program]


def measure(url: str, sizes: list[int], program: str, steps: int, timeout: float) -> dict[str, Any]:
    client = NodeClient(url)
    status = client.status()
    signer = Signer("0x" + keccak256(f"measure_gas/{time.time()}".encode()).hex(), client.chain_id())
    rows = []
    for n in sizes:
        answers = client.send_requests([signer.sign(program, inputs_for(program, i, steps)) for i in range(n)])
        errors = [a for a in answers if isinstance(a, RpcCallError)]
        if errors:
            raise SystemExit(f"the node refused requests: {errors[0]}")
        ids = [a["id"] for a in answers]
        records = client.wait(ids, timeout=timeout)
        if any(r["status"] != "verified" for r in records.values()):
            raise SystemExit(f"not every request of size {n} was verified")
        numbers = sorted({r["batch"] for r in records.values()})
        batches = [client.get_batch(b) for b in numbers]
        gas = sum(b["gasUsed"] for b in batches)
        rows.append({
            "requests": n,
            "batches": len(batches),
            "batch_sizes": [b["requestCount"] for b in batches],
            "gas_per_batch": gas / len(batches),
            "gas_calldata": sum(b["gasCalldata"] or 0 for b in batches) / len(batches),
            "gas_execution": sum(b["gasExecution"] or 0 for b in batches) / len(batches),
            "calldata_bytes": sum(b["calldataBytes"] or 0 for b in batches) / len(batches),
            "gas_per_request": gas / sum(b["requestCount"] for b in batches),
            "prove_seconds": sum(b["proveSeconds"] or 0 for b in batches) / len(batches),
            "security_bits": min(b["securityBits"] or 0 for b in batches),
        })
        print(f"N={n}: {rows[-1]['gas_per_request']:,.0f} gas/request", file=sys.stderr)
    client.close()
    return {"url": url, "backend": status["backend"], "da": status["da"], "program": program, "steps": steps, "rows": rows}


def format_table(report: dict[str, Any]) -> str:
    lines = [
        f"backend {report['backend']}, DA {report['da']}, program {report['program']} ({report['steps']} steps)",
        f"{'N':>6} {'batches':>7} {'gas/batch':>12} {'calldata':>10} {'execution':>11} {'bytes':>8} {'gas/request':>12} {'prove s':>8}",
    ]
    for r in report["rows"]:
        lines.append(
            f"{r['requests']:>6} {r['batches']:>7} {r['gas_per_batch']:>12,.0f} {r['gas_calldata']:>10,.0f} {r['gas_execution']:>11,.0f}"
            f" {r['calldata_bytes']:>8,.0f} {r['gas_per_request']:>12,.0f} {r['prove_seconds']:>8.3f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:8547")
    parser.add_argument("--sizes", default="1,4,16,64")
    parser.add_argument("--program", default="fib", choices=["fib", "mimc", "collatz"])
    parser.add_argument("--steps", type=int, default=100, help="steps per request (fib n, mimc rounds)")
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    report = measure(args.url, [int(x) for x in args.sizes.split(",")], args.program, args.steps, args.timeout)
    print(json.dumps(report, indent=2) if args.json else format_table(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
