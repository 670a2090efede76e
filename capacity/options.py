"""Command-line options of the capacity report (kept free of heavy imports: the CLI builds its parser from them)."""

from __future__ import annotations

import argparse

#: The issue's goal: STARK + aggregation + 60M gas limit.
GOAL_RPS = 2_000.0


def add_arguments(p: argparse.ArgumentParser) -> None:
    """Options shared by ``supervm report capacity`` and ``scripts/capacity_report.py``."""
    p.add_argument("--out", default="capacity-report", help="output folder (report.md, report.json, PNG plots)")
    p.add_argument("--quick", action="store_true", help="small set: batches of 1..64, fewer prove-time points")
    p.add_argument("--l1-rpc", default=None, help="settle on this JSON-RPC node instead of the embedded py-evm L1")
    p.add_argument("--preset", default="default", help="STARK proof preset (default: default, >= 100 bits)")
    p.add_argument("--gas-price-gwei", type=float, default=1.0, help="gas price for the ETH-per-request column")
    p.add_argument("--target-rps", type=float, default=GOAL_RPS, help="throughput to find the smallest batch size for")
    p.add_argument("--from-json", default=None, metavar="REPORT_JSON",
                   help="analyse and render the measurements of an earlier report.json instead of measuring")
    p.add_argument("--max-prove-s", type=float, default=60.0, help="try batches beyond 1024 while proving stays under this")
