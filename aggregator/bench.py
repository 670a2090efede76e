"""``supervm bench aggregate``: what batching buys, measured.

For growing member counts N it proves one batch of fib executions of mixed
sizes (and a mixed-program batch), submits it to the rollup on an L1, and
reports prove time, proof and statement bytes, L1 gas per batch and per
member, against N separate single-execution verifications and against
proving one trace of the batch's total rows.
"""

from __future__ import annotations

import json
import random
import sys
import time
from typing import Any

from aggregator.air import BatchAir
from aggregator.batch import DAMode, prove_batch, verify_batch
from aggregator.root_air import RootBatchAir, with_lane_blowup
from prover.backends import prove
from prover.machine import describe_machine
from prover.receipt import Backend
from prover.programs.base import next_power_of_two
from prover.stark.params import preset

DEFAULT_SIZES = (1, 4, 16, 64, 256, 1024)
QUICK_SIZES = (1, 4, 16)
#: Times each calldata batch and its one-trace comparison are proven (alternately); the best of each is kept.
PROVE_RUNS = 3
#: Gas goals of the aggregator issue, per member at N = 1024.
GOAL_CALLDATA = 2_000
GOAL_ROOT = 1_500
#: Prove-time goal: a calldata batch of N fib members against one fib trace of their total rows.
GOAL_PROVE_RATIO = 1.2


def fib_members(count: int, seed: int = 7) -> list[tuple[str, list[int]]]:
    rng = random.Random(seed)
    return [("fib", [rng.randint(100, 1000)]) for _ in range(count)]


def mixed_members(count: int, seed: int = 7) -> list[tuple[str, list[int]]]:
    rng = random.Random(seed)
    out: list[tuple[str, list[int]]] = []
    for i in range(count):
        kind = i % 3
        if kind == 0:
            out.append(("fib", [rng.randint(100, 1000)]))
        elif kind == 1:
            out.append(("mimc", [rng.randint(1, 1 << 40), rng.randint(64, 500)]))
        else:
            out.append(("collatz", [rng.randint(2, 60)]))
    return out


def _chain(l1_rpc: str | None):
    from contracts.chain import EmbeddedL1, RpcL1

    return RpcL1(l1_rpc) if l1_rpc else EmbeddedL1()


def _submit(rollup, receipt) -> dict[str, Any]:
    from contracts.errors import TransactionTooLargeError

    try:
        result = rollup.submit_batch(rollup.batch_count(), receipt)
    except TransactionTooLargeError as exc:
        needed = exc.needed or 0
        return {"gas_used": needed, "intrinsic": 0, "execution": 0, "calldata_bytes": 0, "floor_binds": False, "fits_cap": False}
    gas = result.gas
    return {
        "gas_used": gas.gas_used,
        "intrinsic": gas.intrinsic,
        "execution": gas.execution_gas,
        "calldata_bytes": gas.calldata_bytes,
        "floor_binds": gas.floor_binds,
        "fits_cap": gas.fits_cap,
    }


def run(
    sizes: tuple[int, ...] = DEFAULT_SIZES,
    preset_name: str = "default",
    l1_rpc: str | None = None,
    mixed_sizes: tuple[int, ...] = (16, 64),
    progress: bool = True,
    root_sizes: tuple[int, ...] | None = None,
) -> dict[str, Any]:
    """Prove, submit and measure; returns the report as a JSON-ready dict."""
    from contracts.rollup import deploy_rollup

    def say(text: str) -> None:
        if progress:
            print(text, file=sys.stderr, flush=True)

    options = preset(preset_name)
    chain = _chain(l1_rpc)
    say(f"[bench aggregate] deploying the rollup on {'the embedded L1' if l1_rpc is None else l1_rpc} ...")
    rollup = deploy_rollup(chain, dev_mode=False, min_security_bits=0)

    say("[bench aggregate] single fib(550) receipt: the unbatched baseline ...")
    started = time.perf_counter()
    single = prove("fib", (550,), "stark", options)
    single_prove = time.perf_counter() - started
    single_gas = _submit(rollup, single)
    rows_out = []
    for label, make, sizes_here in (("fib", fib_members, sizes), ("mixed", mixed_members, mixed_sizes)):
        for n in sizes_here:
            members = make(n)
            say(f"[bench aggregate] {label} N={n}: proving, and one fib trace of the members' rows, {PROVE_RUNS} times each ...")
            prove_s = one_trace_s = float("inf")
            for _ in range(PROVE_RUNS):  # alternated, best of each: neither side runs only cold
                started = time.perf_counter()
                batch = prove_batch(members, "stark", options)
                prove_s = min(prove_s, time.perf_counter() - started)
                air = BatchAir(batch.statement)
                total_rows = sum(g.form.rows(j.inputs, j.outputs) for g in air.groups for j in g.members)
                one_trace_rows = next_power_of_two(total_rows)
                started = time.perf_counter()
                prove("fib", (one_trace_rows - 1,), "stark", options)
                one_trace_s = min(one_trace_s, time.perf_counter() - started)
            say(f"[bench aggregate] {label} N={n}: submitting ...")
            gas = _submit(rollup, batch)
            rows_out.append(
                {
                    "batch": label,
                    "members": n,
                    "trace_rows": 1 << batch.seal[1],
                    "width": air.width,
                    "member_rows": total_rows,
                    "prove_s": round(prove_s, 3),
                    "one_trace_prove_s": round(one_trace_s, 3),
                    "prove_ratio": round(prove_s / one_trace_s, 2),
                    "seal_bytes": len(batch.seal),
                    "statement_bytes": len(batch.statement.to_bytes()),
                    **gas,
                    "gas_per_member": gas["gas_used"] // n,
                    "separate_gas": single_gas["gas_used"] * n,
                    "saving": round(single_gas["gas_used"] * n / gas["gas_used"], 2),
                }
            )
    root_rows = []
    for n in sizes if root_sizes is None else root_sizes:
        say(f"[bench aggregate] root-only fib N={n}: proving ...")
        members = fib_members(n)
        started = time.perf_counter()
        receipt = prove_batch(members, Backend.STARK, with_lane_blowup(options), DAMode.ROOT)
        prove_s = time.perf_counter() - started
        same = next((r for r in rows_out if r["batch"] == "fib" and r["members"] == n), None)
        say(f"[bench aggregate] root-only fib N={n}: submitting ...")
        gas = _submit(rollup, receipt)
        root_rows.append(
            {
                "members": n,
                "trace_rows": 1 << receipt.seal[1],
                "width": RootBatchAir.width + RootBatchAir.aux_width,
                "prove_s": round(prove_s, 3),
                "calldata_mode_prove_s": same["prove_s"] if same else None,
                "seal_bytes": len(receipt.seal),
                "security_bits": verify_batch(receipt),
                **gas,
                "gas_per_member": gas["gas_used"] // n,
                "calldata_mode_gas_per_member": same["gas_per_member"] if same else None,
            }
        )
    fib_1024 = [r for r in rows_out if r["batch"] == "fib" and r["members"] == 1024]
    root_1024 = [r for r in root_rows if r["members"] == 1024 and r["fits_cap"]]
    fib_largest = max((r for r in rows_out if r["batch"] == "fib"), key=lambda r: r["members"], default=None)
    return {
        "machine": describe_machine(),
        "l1": "embedded py-evm" if l1_rpc is None else l1_rpc,
        "preset": preset_name,
        "security_bits": options.security_bits(20),
        "da_mode": "calldata (Rollup.submit_batch) and root-only (Rollup.submit_root_batch), both settled on L1",
        "single": {"program": "fib(550)", "prove_s": round(single_prove, 3), "seal_bytes": len(single.seal), **single_gas},
        "batches": rows_out,
        "root_only": root_rows,
        "goal": {
            "calldata_gas_per_member_at_1024": GOAL_CALLDATA,
            "measured": fib_1024[0]["gas_per_member"] if fib_1024 else None,
            "met": bool(fib_1024) and fib_1024[0]["gas_per_member"] <= GOAL_CALLDATA,
            "root_only_gas_per_member_at_1024": GOAL_ROOT,
            "root_only_measured": root_1024[0]["gas_per_member"] if root_1024 else None,
            "root_only_met": bool(root_1024) and root_1024[0]["gas_per_member"] <= GOAL_ROOT,
            "prove_ratio_at_largest_n": GOAL_PROVE_RATIO,
            "prove_ratio_measured": fib_largest["prove_ratio"] if fib_largest else None,
            "prove_ratio_n": fib_largest["members"] if fib_largest else None,
            "prove_ratio_met": bool(fib_largest) and fib_largest["prove_ratio"] <= GOAL_PROVE_RATIO,
        },
        "reference": {"groth16_risc_zero_gas_per_proof": 316_000},
    }


def format_report(report: dict[str, Any]) -> str:
    m = report["machine"]
    s = report["single"]
    lines = [
        f"machine: {m['cpu']}, {m['cores']} cores, {m.get('memory_gib')} GiB, Python {m['python']}; L1: {report['l1']}; preset {report['preset']}",
        f"data availability: {report['da_mode']}",
        f"baseline: one {s['program']} receipt: prove {s['prove_s']} s, seal {s['seal_bytes']} B, {s['gas_used']:,} gas",
        "",
        f"{'batch':6} {'N':>5} {'rows':>8} {'w':>3} {'prove s':>8} {'1-trace s':>9} {'ratio':>5} {'seal B':>7} "
        f"{'stmt B':>7} {'gas/batch':>11} {'gas/member':>10} {'N separate':>13} {'saving':>6}",
    ]
    for r in report["batches"]:
        lines.append(
            f"{r['batch']:6} {r['members']:>5} {r['trace_rows']:>8} {r['width']:>3} {r['prove_s']:>8.2f} "
            f"{r['one_trace_prove_s']:>9.2f} {r['prove_ratio']:>5.2f} {r['seal_bytes']:>7} {r['statement_bytes']:>7} "
            f"{r['gas_used']:>11,} {r['gas_per_member']:>10,} {r['separate_gas']:>13,} {r['saving']:>5.1f}x"
            + ("" if r["fits_cap"] else "  (over the EIP-7825 cap: estimate, not sent)")
        )
    if report.get("root_only"):
        lines += ["", "root-only (fib; on L1 only the member count, the Rescue root and the seal):"]
        lines.append(
            f"{'N':>5} {'rows':>8} {'w':>3} {'prove s':>8} {'calldata-mode s':>15} {'seal B':>8} {'bits':>4} "
            f"{'gas/batch':>11} {'gas/member':>10} {'calldata-mode':>13}"
        )
        for r in report["root_only"]:
            cd = "-" if r["calldata_mode_prove_s"] is None else f"{r['calldata_mode_prove_s']:.2f}"
            cg = "-" if r.get("calldata_mode_gas_per_member") is None else f"{r['calldata_mode_gas_per_member']:,}"
            lines.append(
                f"{r['members']:>5} {r['trace_rows']:>8} {r['width']:>3} {r['prove_s']:>8.2f} {cd:>15} {r['seal_bytes']:>8} "
                f"{r['security_bits']:>4} {r['gas_used']:>11,} {r['gas_per_member']:>10,} {cg:>13}"
                + ("" if r["fits_cap"] else "  (over the EIP-7825 cap: estimate, not sent)")
            )
    goal = report["goal"]
    lines += [
        "",
        f"goal: <= {goal['calldata_gas_per_member_at_1024']:,} gas per member at N = 1024 in calldata mode: "
        f"measured {goal['measured'] if goal['measured'] is not None else 'n/a'} -> {'met' if goal['met'] else 'NOT met'}",
        f"goal: <= {goal['root_only_gas_per_member_at_1024']:,} in root-only mode: measured "
        f"{goal['root_only_measured'] if goal['root_only_measured'] is not None else 'n/a'} -> "
        f"{'met' if goal.get('root_only_met') else 'NOT met'}",
        f"goal: prove ratio <= {goal['prove_ratio_at_largest_n']} (fib, N = {goal['prove_ratio_n']}): measured "
        f"{goal['prove_ratio_measured']} -> {'met' if goal.get('prove_ratio_met') else 'NOT met'}",
        "reference: an unaggregated Groth16 verification (RISC Zero) costs ~316,000 gas per proof",
        "'1-trace s' proves one fib trace with the batch's total member rows (rounded up to a power of two);"
        f" both are proven {PROVE_RUNS} times, alternately, and the best time of each is shown.",
    ]
    return "\n".join(lines)


def main_json(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2)
