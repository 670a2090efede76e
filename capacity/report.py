"""``supervm report capacity``: measure, model and write the capacity report (Markdown, JSON, PNG plots).

Runs real proofs of both backends through the rollup contract on an L1 (the
embedded py-evm chain, or ``--l1-rpc``): single receipts and batches of N
requests, a 215 KB calldata payload and a storage write; fits gas(N); and
derives capacity under each chain profile with :mod:`capacity.model`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import sys
import time
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Sequence

from capacity.errors import CapacityError
from capacity.measure import (
    MIXED,
    SHORT,
    WORKLOADS,
    StorageCost,
    Unsettled,
    Workload,
    calldata_payload,
    max_members_by_statement,
    measure_batches,
    measure_single,
    measure_storage,
    send_calldata,
)
from capacity.model import (
    BLOB_PROFILE,
    PROFILES,
    Capacity,
    CapacityModel,
    GasCurve,
    GasPoint,
    best_capacity,
    capacity,
    smallest_batch_for,
    time_bound_per_block,
    verifications_per_block,
)
from capacity.options import GOAL_RPS, add_arguments
from contracts import gas as G

if TYPE_CHECKING:
    from contracts.rollup import Rollup
    from prover.stark.params import ProofOptions

DEFAULT_SIZES = (1, 4, 10, 16, 64, 256, 1024)
QUICK_SIZES = (1, 4, 10, 16, 64)
#: Root-only batches of the short workload: the AIR takes up to 65,536 members; proving time stops the sweep first.
SHORT_ROOT_SIZES = (1, 16, 256, 1024, 2048, 4096, 8192, 16384, 32768, 65536)
SINGLE_FIB = 550
ROW_SWEEP = (10, 12, 14, 16)
QUICK_ROW_SWEEP = (10, 12, 14)
PAYLOAD_BYTES = 215 * 1024
GROTH16_GAS = 316_000  # RISC Zero Groth16 verification, full transaction (shared/PRODUCT.md anchor)
ORIGINAL = {"verify_s": 0.0245, "per_block": 490, "per_second": 41, "payload_gas": 11_000_000, "aggregation": 10}
ROOT_MISSING = "root-only DA needs the STARK backend (the Rescue root is computed inside the proof)"
#: Series of batches measured: (backend, DA mode).  Root-only batches take fib members only.
#: (backend, DA mode, workload) of every batch curve the report measures.
SERIES = (("stark", "calldata", MIXED.name), ("trace", "calldata", MIXED.name), ("stark", "root", MIXED.name),
          ("stark", "root", SHORT.name))


def series_key(backend: str, da: str, workload: str) -> str:
    """The key of a curve in the report's JSON: ``stark/root``, ``stark/root/short``."""
    return f"{backend}/{da}" + ("" if workload == MIXED.name else f"/{workload}")


def series_label(backend: str, da: str, workload: str | None = None) -> str:
    """How tables name a curve: ``STARK, root, fib(100..110)``; without ``workload``, ``STARK, calldata``."""
    return f"{backend.upper()}, {da}" + ("" if workload is None else f", {WORKLOADS[workload].label}")


def _say(progress: bool) -> Callable[[str], None]:
    def say(text: str) -> None:
        if progress:
            print(f"[report capacity] {text}", file=sys.stderr, flush=True)

    return say


def measure_all(l1_rpc: str | None, quick: bool, preset: str, max_prove_s: float, progress: bool,
                sizes: Sequence[int] | None = None, sweep_rows: Sequence[int] | None = None) -> dict[str, Any]:
    """Run every measurement; returns points, unsettled batches, payload, storage and the prove-time sweep.

    ``sizes`` and ``sweep_rows`` (log2 of trace rows) default to the full or ``quick`` sets.
    """
    from contracts.chain import EmbeddedL1, RpcL1
    from contracts.rollup import deploy_rollup
    from prover.backends import prove, verify
    from prover.machine import describe_machine
    from prover.stark.params import preset as get_preset

    say = _say(progress)
    options = get_preset(preset)
    chain = RpcL1(l1_rpc) if l1_rpc else EmbeddedL1(60_000_000)
    say(f"deploying the rollup on {l1_rpc or 'the embedded py-evm L1'}")
    started = time.perf_counter()
    rollup = deploy_rollup(chain, dev_mode=True, min_security_bits=0)
    say(f"deployed in {time.perf_counter() - started:.1f} s")
    points: list[GasPoint] = []
    unsettled: list[Unsettled] = []
    for backend in ("stark", "trace"):
        say(f"single {backend} fib({SINGLE_FIB})")
        points.append(measure_single(rollup, "fib", [SINGLE_FIB], backend, options))
    statement_max = max_members_by_statement()
    for backend in ("stark", "trace"):
        got, over = measure_batches(rollup, backend, list(sizes or (QUICK_SIZES if quick else DEFAULT_SIZES)), options,
                                    progress=say)
        points += got
        unsettled += over
        if not quick and not sizes:
            more, over = _beyond(rollup, backend, got, over, options, statement_max, max_prove_s, say)
            points += more
            unsettled += over
    for workload, full in ((MIXED, DEFAULT_SIZES), (SHORT, SHORT_ROOT_SIZES)):
        root, over = _root_only(rollup, list(sizes or (QUICK_SIZES if quick else full)), options, max_prove_s, say, workload)
        points += root
        unsettled += over
    say(f"{PAYLOAD_BYTES:,}-byte calldata payload")
    payload = send_calldata(chain, calldata_payload(PAYLOAD_BYTES)).gas
    say("storage write")
    storage = measure_storage(chain)
    sweep = []
    for log_rows in sweep_rows or (QUICK_ROW_SWEEP if quick else ROW_SWEEP):
        n = (1 << log_rows) - 1
        say(f"prove-time sweep: fib({n}), 2^{log_rows} rows")
        started = time.perf_counter()
        receipt = prove("fib", (n,), "stark", options)
        prove_s = time.perf_counter() - started
        started = time.perf_counter()
        verify(receipt, allow_insecure=True)
        sweep.append({"rows": 1 << receipt.seal[1], "prove_s": prove_s, "verify_s": time.perf_counter() - started,
                      "seal_bytes": len(receipt.seal)})
    return {
        "machine": describe_machine(),
        "l1": l1_rpc or "embedded py-evm (eth-tester, Prague rules)",
        "preset": preset,
        "security_bits": options.security_bits(20),
        "points": points,
        "unsettled": unsettled,
        "payload": payload,
        "storage": storage,
        "sweep": sweep,
        "statement_max": statement_max,
        "date": dt.date.today().isoformat(),
        "quick": quick,
    }


def _root_only(rollup: "Rollup", sizes: Sequence[int], options: "ProofOptions", max_prove_s: float,
               say: Callable[[str], None], workload: Workload = MIXED) -> tuple[list[GasPoint], list[Unsettled]]:
    """Root-only STARK batches of ``workload``, in increasing size: the two smallest, then more while proving
    (estimated from the last size, scaled by the member count) stays under ``max_prove_s``.  The Rescue lane's
    degree-7 constraints need a blowup of at least 8: a preset with less is raised to 8 for these batches."""
    from aggregator.root_air import with_lane_blowup

    options = with_lane_blowup(options)
    points: list[GasPoint] = []
    unsettled: list[Unsettled] = []
    last: tuple[int, float] | None = None
    for i, n in enumerate(sorted(sizes)):
        if i >= 2 and last and last[1] * n / last[0] > max_prove_s:
            say(f"stark root {workload.label}: not trying {n} members "
                f"(estimated proving {last[1] * n / last[0]:.0f} s > {max_prove_s:g} s)")
            break
        got, over = measure_batches(rollup, "stark", [n], options, workload, progress=say, da="root")
        points += got
        unsettled += over
        last = (n, (got[0].prove_s if got else over[0].prove_s) or 0.0)
    return points, unsettled


def _beyond(rollup: "Rollup", backend: str, got: list[GasPoint], over: list[Unsettled], options: "ProofOptions", statement_max: int,
            max_prove_s: float, say: Callable[[str], None]) -> tuple[list[GasPoint], list[Unsettled]]:
    """Batches past the listed sizes: the largest the fit says fits under the 60M profile's cap, then the
    statement limit; each only while its proving, estimated linearly from the largest proven batch, stays
    under ``max_prove_s``."""
    points, unsettled = list(got), list(over)
    try:
        under_cap, _ = GasCurve(got).max_members(PROFILES["60M"])
    except Exception:  # fewer than two sizes settled: nothing to aim with
        under_cap = statement_max
    done = {p.members for p in got} | {u.members for u in over}
    for n in sorted({min(under_cap, statement_max), statement_max}):
        proved = [(p.members, p.prove_s or 0.0) for p in points] + [(u.members, u.prove_s) for u in unsettled]
        last_n, last_s = max(proved)
        if n in done or n <= last_n:
            continue
        estimate = last_s * n / last_n
        if estimate > max_prove_s:
            say(f"{backend}: not trying {n} members (estimated proving {estimate:.0f} s > {max_prove_s:g} s)")
            break
        more, too_large = measure_batches(rollup, backend, [n], options, progress=say)
        points += more
        unsettled += too_large
        if too_large:
            break
    return points[len(got):], unsettled[len(over):]


def _marginal(curve: GasCurve) -> float:
    """Gas each further member adds in the fit: execution plus its calldata (EIP-2028)."""
    return curve.execution.per_member + G.STANDARD_TOKEN_COST * curve.tokens.per_member


def analyse(data: dict[str, Any], gas_price_gwei: float, target_rps: float) -> dict[str, Any]:
    """Capacity tables, claims and the goal, from the measurements."""
    model = CapacityModel(data["points"], missing={("trace", "root"): ROOT_MISSING})
    profiles = list(PROFILES.values())
    out: dict[str, Any] = {"gas_price_gwei": gas_price_gwei, "target_rps": target_rps, "curves": {}, "best": [],
                           "targets": [], "singles": []}
    for backend, da, workload in SERIES:
        if (backend, da, workload) not in model.curves:
            continue
        curve = model.curve(backend, da, workload)
        out["curves"][series_key(backend, da, workload)] = {
            "workload": WORKLOADS[workload].label,
            "execution_fit": curve.execution.describe(),
            "tokens_fit": curve.tokens.describe("tokens"),
            "statement_fit": curve.statement_bytes.describe("bytes"),
            "max_relative_residual": curve.max_relative_residual(),
            "marginal_gas_per_member": _marginal(curve),
            "measured_marginal": curve.marginal_gas(),
            "largest_pair": [curve.points[-2].members, curve.points[-1].members],
        }
        for profile in profiles + ([BLOB_PROFILE] if da == "calldata" else []):
            best, limit, reason = best_capacity(curve, profile, gas_price_gwei)
            out["best"].append({"capacity": best, "max_members": limit, "batch_size_limit": reason})
        for profile in (PROFILES["60M"], BLOB_PROFILE) if da == "calldata" else (PROFILES["60M"],):
            out["targets"].append(smallest_batch_for(curve, profile, target_rps, gas_price_gwei))
        if da != "calldata":
            continue
        single = model.single(backend)
        out["singles"].append({"point": single, "per_block": {p.name: verifications_per_block(single, p) for p in profiles}})
    out["model"] = model
    stark = model.curve("stark")
    single = model.single("stark")
    sixty = PROFILES["60M"]
    per_block = verifications_per_block(single, sixty)
    ten = capacity(stark, sixty, 10, gas_price_gwei)
    best60 = max((b for b in out["best"] if b["capacity"].backend == "stark" and b["capacity"].profile == "60M"),
                 key=lambda b: b["capacity"].requests_per_second)
    marginal = stark.marginal_gas()
    measured60 = [capacity(curve, sixty, p.members, gas_price_gwei) for (backend, _, _), curve in model.curves.items()
                  if backend == "stark" for p in curve.points]
    out["claims"] = {
        "single_gas": single.gas_used,
        "single_per_block_60M": per_block,
        "single_per_block_30M": verifications_per_block(single, PROFILES["30M"]),
        "single_per_second_60M": per_block / sixty.block_time_s,
        "single_verify_s": single.verify_s,
        "time_bound_per_block": time_bound_per_block(single.verify_s) if single.verify_s else None,
        "payload": data["payload"],
        "payload_standard": G.TX_BASE_GAS + G.STANDARD_TOKEN_COST * data["payload"].tokens,
        "storage_gas": data["storage"].gas_for(PAYLOAD_BYTES),
        "storage_per_word": data["storage"].gas_per_word,
        "ten_gas": ten.gas_per_batch,
        "ten_measured": ten.measured,
        "ten_saving": 10 * single.gas_used / ten.gas_per_batch,
        "ten_per_request_ratio": capacity(stark, sixty, 1).gas_per_batch / ten.gas_per_request,
        "best60": best60,
        "best_measured60": max(measured60, key=lambda c: (c.requests_per_second, -c.members)),
        "marginal": marginal,
        "asymptote_rps": sixty.usable_block_gas / marginal / sixty.block_time_s,
        "needed_gas_per_request": sixty.usable_block_gas / (GOAL_RPS * sixty.block_time_s),
        "groth16_per_second": (sixty.usable_block_gas // GROTH16_GAS) / sixty.block_time_s,
    }
    out["goal_met"] = out["claims"]["best_measured60"].requests_per_second >= GOAL_RPS
    return out


# -- plots -----------------------------------------------------------------------------------------------


def _grid(limit: int) -> list[int]:
    xs = sorted({max(1, round(1.05 ** k)) for k in range(int(math.log(limit, 1.05)) + 1)} | {limit})
    return [x for x in xs if x <= limit]


def _finish(fig: Any, ax: Any, out: Path, files: dict[str, str], name: str) -> None:
    """Grid, legend and layout of a log-log plot, saved as ``name``.png in ``out`` and closed."""
    import matplotlib.pyplot as plt

    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    files[name] = f"{name}.png"
    fig.savefig(out / files[name], dpi=110)
    plt.close(fig)


def plot_all(data: dict[str, Any], result: dict[str, Any], out: Path) -> dict[str, str]:
    """Write the PNG plots into ``out``; returns their file names by key."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    model: CapacityModel = result["model"]
    files = {}
    colours = {"stark": "tab:blue", "trace": "tab:orange", MIXED.name: "tab:green", SHORT.name: "tab:purple"}
    roots = [model.curves[key] for key in sorted(model.curves) if key[:2] == ("stark", "root")]
    sixty = PROFILES["60M"]

    # gas per request against N, per DA mode
    fig, ax = plt.subplots(figsize=(8, 5.5))
    for backend in ("stark", "trace"):
        curve = model.curve(backend)
        limit, _ = curve.max_members(sixty)
        xs = _grid(max(limit, max(p.members for p in curve.points)))
        ax.plot(xs, [curve.fitted_gas(n) / n for n in xs], color=colours[backend], lw=1, alpha=0.6)
        ax.plot([p.members for p in curve.points], [p.gas_per_request for p in curve.points], "o", color=colours[backend],
                label=f"{backend.upper()}, calldata DA (measured; line: fit)")
        ax.plot(xs, [curve.batch_gas(n, BLOB_PROFILE).gas_used / n for n in xs], "--", color=colours[backend],
                label=f"{backend.upper()}, blob DA (modelled from the measurements)")
    ax.axhline(GROTH16_GAS, color="grey", ls=":", label="one Groth16 verification (~316K gas, reference)")
    ax.axhline(result["claims"]["needed_gas_per_request"], color="tab:red", ls="-.",
               label=f"{GOAL_RPS:,.0f} requests/s at 60M needs ≤ {result['claims']['needed_gas_per_request']:,.0f} gas/request")
    for root in roots:
        xs = _grid(max(root.max_members(sixty)[0], max(p.members for p in root.points)))
        ax.plot(xs, [root.fitted_gas(n) / n for n in xs], color=colours[root.workload], lw=1, alpha=0.6)
        ax.plot([p.members for p in root.points], [p.gas_per_request for p in root.points], "s", color=colours[root.workload],
                label=f"STARK, root-only DA, {WORKLOADS[root.workload].label} (measured; line: fit)")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("requests per batch N")
    ax.set_ylabel("L1 gas per request (gas)")
    ax.set_title("L1 gas per settled request against batch size")
    _finish(fig, ax, out, files, "gas_per_request")

    # requests per second against N, per gas limit
    fig, ax = plt.subplots(figsize=(8, 5.5))
    styles = {"30M": ":", "36M": "-.", "45M": "--", "60M": "-"}
    for backend in ("stark", "trace"):
        curve = model.curve(backend)
        for name, profile in PROFILES.items():
            limit, _ = curve.max_members(profile)
            xs = _grid(limit)
            ax.plot(xs, [capacity(curve, profile, n).requests_per_second for n in xs], styles[name], color=colours[backend],
                    lw=1.2, label=f"{backend.upper()}, {name} gas limit")
        measured = [p for p in curve.points if capacity(curve, sixty, p.members).feasible]
        ax.plot([p.members for p in measured], [capacity(curve, sixty, p.members).requests_per_second for p in measured], "o",
                color=colours[backend], ms=4)
    for root in roots:
        xs = _grid(root.max_members(sixty)[0])
        ax.plot(xs, [capacity(root, sixty, n).requests_per_second for n in xs], "-", color=colours[root.workload], lw=1.2,
                label=f"STARK root-only DA, {WORKLOADS[root.workload].label}, 60M gas limit")
        measured = [p for p in root.points if capacity(root, sixty, p.members).feasible]
        ax.plot([p.members for p in measured], [capacity(root, sixty, p.members).requests_per_second for p in measured], "s",
                color=colours[root.workload], ms=4)
    ax.axhline(GOAL_RPS, color="tab:red", ls="-.", label=f"goal: {GOAL_RPS:,.0f} requests/s")
    ax.axhline(ORIGINAL["per_second"], color="grey", ls=":", label="original design's ceiling: 41 proofs/s")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("requests per batch N")
    ax.set_ylabel("settled L2 requests per second (12 s blocks)")
    ax.set_title("Settled throughput against batch size (whole block to the rollup; dots: measured N at 60M)")
    ax.title.set_fontsize(10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, ncol=2)
    fig.tight_layout()
    files["throughput"] = "throughput.png"
    fig.savefig(out / files["throughput"], dpi=110)
    plt.close(fig)

    # gas breakdown of single verifications, the largest batches and the payload
    bars = []
    for backend in ("stark", "trace"):
        p = model.single(backend)
        bars.append((f"{backend.upper()} single fib({SINGLE_FIB})", p.gas_used, p.calldata_gas, p.execution_gas))
    for backend, da, workload in SERIES:
        if (backend, da, workload) in model.curves:
            p = max(model.curve(backend, da, workload).points, key=lambda q: q.members)
            bars.append((f"{series_label(backend, da, workload)} batch N={p.members}", p.gas_used, p.calldata_gas,
                         p.execution_gas))
    pay = data["payload"]
    bars.append((f"{PAYLOAD_BYTES // 1024} KB calldata, no code", pay.gas_used, pay.calldata_gas, pay.execution_gas))
    fig, ax = plt.subplots(figsize=(8, 4.5))
    for i, (label, used, calldata_gas, execution) in enumerate(bars):
        surcharge = used - G.TX_BASE_GAS - calldata_gas - execution
        left = 0.0
        for value, colour, name in ((G.TX_BASE_GAS, "tab:grey", "base 21,000"), (calldata_gas, "tab:green", "calldata (EIP-2028)"),
                                    (execution, "tab:blue", "execution"), (surcharge, "tab:red", "EIP-7623 floor surcharge")):
            ax.barh(i, value / 1e6, left=left, color=colour, label=name if i == 0 or (name.startswith("EIP") and surcharge) else None)
            left += value / 1e6
        ax.text(left, i, f" {used / 1e6:.2f}M", va="center", fontsize=8)
    handles, labels = ax.get_legend_handles_labels()
    unique = dict(zip(labels, handles))
    ax.legend(unique.values(), unique.keys(), fontsize=8, loc="lower right")
    ax.set_yticks(range(len(bars)), [b[0] for b in bars], fontsize=8)
    ax.axvline(G.MAX_TX_GAS / 1e6, color="black", ls=":", lw=1)
    ax.text(G.MAX_TX_GAS / 1e6, len(bars) - 0.5, " EIP-7825 cap", fontsize=8)
    ax.set_xlabel("gas used by the transaction (million gas)")
    ax.set_title("Where the gas of one L1 transaction goes")
    ax.set_xlim(0, max(G.MAX_TX_GAS, max(b[1] for b in bars)) / 1e6 * 1.15)
    fig.tight_layout()
    files["breakdown"] = "gas_breakdown.png"
    fig.savefig(out / files["breakdown"], dpi=110)
    plt.close(fig)

    # prove time against trace rows
    fig, ax = plt.subplots(figsize=(8, 5))
    sweep = data["sweep"]
    ax.plot([s["rows"] for s in sweep], [s["prove_s"] for s in sweep], "^-", color="black", label="single fib receipt")
    for curve, colour, label in [(model.curve("stark"), "tab:blue", "STARK calldata batch, fib(100..1000)")] + [
            (root, colours[root.workload], f"STARK root-only batch, {WORKLOADS[root.workload].label}") for root in roots]:
        batch = [p for p in curve.points if p.prove_s and p.trace_rows]
        ax.plot([p.trace_rows for p in batch], [p.prove_s for p in batch], "o-", color=colour, label=f"{label} (label: N)")
        for p in batch:  # the short workload's labels above its points: both root-only series end at the same rows
            ax.annotate(str(p.members), (p.trace_rows, p.prove_s), textcoords="offset points", fontsize=7, color=colour,
                        xytext=(-14, 6) if curve.workload == SHORT.name else (4, -10))
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("trace rows (padded to a power of two)")
    ax.set_ylabel("prove time (s, wall clock)")
    ax.set_title(f"STARK prove time against trace rows (preset {data['preset']})")
    _finish(fig, ax, out, files, "prove_time")
    return files


# -- Markdown --------------------------------------------------------------------------------------------


def _n(x: float, digits: int = 0) -> str:
    return f"{x:,.{digits}f}"


def _tag(c: Capacity) -> str:
    return "" if c.measured else (" (fit, extrapolated)" if c.extrapolated else " (fit)")


def _cap_row(c: Capacity, limit: int, reason: str) -> str:
    blob = f" ({c.blobs_per_batch:.2f} blob)" if c.blobs_per_batch else ""
    return (f"| {series_label(c.backend, c.da, c.workload)} | {c.profile} | {c.members}{_tag(c)} | {limit} ({reason}) | "
            f"{_n(c.gas_per_batch)}{blob} | {c.batches_per_block} | {_n(c.requests_per_block)} | {_n(c.requests_per_second, 1)} | "
            f"{c.requests_per_day / 1e6:,.1f}M | {_n(c.gas_per_request)} | {c.eth_per_request:.2e} | {c.binding} |")


def _root_paragraph(model: CapacityModel) -> str:
    """What bounds root-only batches: the prover's rows, not L1 gas."""
    curves = [model.curves[key] for key in sorted(model.curves) if key[0] == "stark" and key[1] == "root"]
    if not curves:
        return "**Root-only DA:** not measured in this run."
    largest = [max(curve.points, key=lambda p: p.members) for curve in curves]
    marginal = ", ".join(f"{_n(curve.marginal_gas())} ({WORKLOADS[curve.workload].label})" for curve in curves)
    reached = "; ".join(f"{WORKLOADS[p.workload].label}: N = {p.members} ({p.trace_rows or 0:,} rows, proved in "
                        f"{p.prove_s or 0:.1f} s, {_n(p.gas_used)} gas)" for p in largest)
    return (f"**Root-only DA:** a further member costs {marginal} gas between the two largest measured batches: the "
            "contract reads no member data and the proof grows with the logarithm of its trace, so gas per request "
            "keeps falling as 1/N. What bounds the batch is the prover: a batch's trace has N × (segment rows) rows, "
            "and the segment is the longest member's steps rounded up to a power of two (1,024 rows for fib(100..1000), "
            "128 for fib(100..110)). The largest root-only batches proven within `--max-prove-s`: " + reached + ".")


def render_markdown(data: dict[str, Any], result: dict[str, Any], files: dict[str, str], command: str) -> str:
    m = data["machine"]
    c = result["claims"]
    model: CapacityModel = result["model"]
    best60: Capacity = c["best60"]["capacity"]
    bm: Capacity = c["best_measured60"]
    pay = c["payload"]
    lines = [
        "# Gas and block capacity: measured",
        "",
        f"Measured {data['date']} by `{data.get('measured_by') or command}`{' (quick set)' if data['quick'] else ''}"
        + (f"; rendered by `{command}`." if data.get("measured_by") and data["measured_by"] != command else "."),
        f"Machine: {m['cpu']}, {m['cores']} cores, {m.get('memory_gib')} GiB, {m['os']}, Python {m['python']}, "
        f"numba {m['numba']}. L1: {data['l1']}. STARK preset `{data['preset']}` "
        f"({data['security_bits']} conjectured bits at 2^20 rows). Every gas figure below is the `gasUsed` of a mined "
        "transaction of this run, or is derived from those by the model in `capacity/model.py` (marked *fit*).",
        "",
        "## Goal: STARK + aggregation + 60M gas limit ⇒ ≥ 2,000 settled requests/s",
        "",
        f"**{'Met' if result['goal_met'] else 'Not met'}** (judged on measured batches only). The highest settled "
        f"throughput of a measured STARK batch under the 60M profile is {series_label(bm.backend, bm.da, bm.workload)} "
        f"with N = {bm.members}: {bm.batches_per_block} batches of {_n(bm.gas_per_batch)} gas per block, "
        f"{_n(bm.requests_per_block)} requests per block, **{_n(bm.requests_per_second, 1)} requests/s** "
        f"({bm.requests_per_day / 1e6:,.1f}M a day) at {_n(bm.gas_per_request)} gas per request. "
        f"The model's best at any size up to each series' limit is {series_label(best60.backend, best60.da, best60.workload)} "
        f"with N = {best60.members}{_tag(best60)}: {_n(best60.requests_per_second, 1)} requests/s; batches of that series "
        f"cannot grow past {c['best60']['max_members']} members ({c['best60']['batch_size_limit']})."
        + (" This extrapolates the fit beyond the largest measured batch of that series; it is not a measurement."
           if best60.extrapolated else ""),
        "",
        f"2,000 requests/s in 12 s blocks of 60M gas needs ≤ {_n(c['needed_gas_per_request'])} gas per request. "
        f"**Calldata DA:** between the two largest measured STARK batches (N = {result['curves']['stark/calldata']['largest_pair'][0]} and "
        f"{result['curves']['stark/calldata']['largest_pair'][1]}) each further member cost {_n(c['marginal'])} gas (execution: "
        "journal tree, the member's values in the AIR's boundary constraints, a longer proof; plus its calldata), so "
        f"even unbounded batches at that cost would settle at most {_n(c['asymptote_rps'])} requests/s: the per-member "
        "cost, not the fixed cost of one verification, is what stops it. The Trace backend (no soundness) is shown "
        "for comparison.",
        "",
        _root_paragraph(model),
        "",
        "## The original design's claims against the measurements",
        "",
        "| claim | measured here | why they differ |",
        "| --- | --- | --- |",
        f"| 41 proofs/s (12 s ÷ 24.5 ms) | one STARK receipt (fib({SINGLE_FIB})) costs {_n(c['single_gas'])} gas to verify on L1: "
        f"{c['single_per_block_60M']} per 60M block = {c['single_per_second_60M']:.2f} verifications/s; with batches: "
        f"{_n(bm.requests_per_second, 1)} requests/s (measured N = {bm.members}, {series_label(bm.backend, bm.da, bm.workload)}) "
        "| The protocol meters gas, not verifier wall time: a block holds "
        "as many verifications as their gas fits under the limit. The Python verifier here takes "
        f"{(c['single_verify_s'] or 0) * 1e3:.1f} ms, which by the original's arithmetic would give "
        f"{(c['time_bound_per_block'] or 0):,.0f} per block — a number no block can hold. |",
        f"| 490 proofs per block | {c['single_per_block_30M']} (30M) / {c['single_per_block_60M']} (60M) single STARK "
        f"verifications per block; one Groth16 verification (~316K gas) would give {int(60_000_000 // GROTH16_GAS)} per 60M "
        f"block, {c['groth16_per_second']:.1f}/s | Same reason: gas per verification ÷ block gas limit. |",
        f"| \"11M gas\" to store a 215 KB proof | a real {PAYLOAD_BYTES:,}-byte calldata transaction (random bytes, "
        f"{pay.zero_bytes} zero): **{_n(pay.gas_used)} gas** = 21,000 + 10 × {pay.tokens:,} tokens (EIP-7623 floor binds; "
        f"EIP-2028 alone would be {_n(c['payload_standard'])}). Writing it to contract storage: {_n(c['storage_per_word'])} "
        f"gas per 32-byte word measured → {c['storage_gas'] / 1e6:,.0f}M gas, "
        f"{math.ceil(c['storage_gas'] / G.MAX_TX_GAS)} transactions under the EIP-7825 cap | \"11M\" matches neither "
        "calldata pricing (EIP-2028 plus the EIP-7623 floor) nor storage. Calldata is all a verifier needs; "
        "the proofs here are smaller (see the table below). |",
        f"| \"10× from aggregating 10 proofs\" | a STARK batch of 10 costs {_n(c['ten_gas'])} gas"
        f"{'' if c['ten_measured'] else ' (fit)'}: {c['ten_saving']:.1f}× cheaper than 10 separate receipts "
        f"({c['ten_per_request_ratio']:.1f}× less gas per request than a batch of 1) | Batching shares one "
        "verification, but the batch proof grows (a longer trace: more FRI layers and Merkle path nodes) and every "
        "member adds calldata, tree hashing and boundary constraints, so the saving is not N×; gas per request "
        "falls towards the per-member cost instead. |",
        "",
        "## Capacity by chain profile (best batch size)",
        "",
        "Each profile applies today's rules (EIP-7623 floor, EIP-7825 cap of 16,777,216 gas per transaction) and only "
        "the block gas limit changes; the rollup is given whole blocks (an upper bound). A block takes whole "
        f"transactions of one batch size. ETH at {result['gas_price_gwei']:g} gwei per gas (a parameter, not a "
        "measurement).",
        "",
        "| backend, DA | profile | N | largest N (limit) | gas per batch | batches/block | requests/block | requests/s | "
        "requests/day | gas/request | ETH/request | binds |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    lines += [_cap_row(b["capacity"], b["max_members"], b["batch_size_limit"]) for b in result["best"]]
    lines += [""]
    lines += ["Smallest batch reaching the target:", ""]
    for t in result["targets"]:
        cap = t.capacity
        prove = "n/a" if t.prove_s is None else f"{t.prove_s:.1f} s{' (extrapolated)' if t.prove_extrapolated else ''}"
        verdict = (f"N = {cap.members}{_tag(cap)}" if t.reached else f"not reachable (best N = {cap.members}: {_n(cap.requests_per_second, 1)}/s)")
        lines.append(f"* {series_label(cap.backend, cap.da, cap.workload)}, {t.profile}, {t.target_rps:,.0f} requests/s: "
                     f"{verdict}; proving that batch "
                     f"takes {prove} on this machine.")
    lines += [
        "",
        "## Plots",
        "",
        f"![gas per request]({files['gas_per_request']})",
        "",
        f"![throughput]({files['throughput']})",
        "",
        f"![gas breakdown]({files['breakdown']})",
        "",
        f"![prove time]({files['prove_time']})",
        "",
        "## Measured transactions",
        "",
        "`gasUsed` of each mined `Rollup.submit_batch` or `submit_root_batch` (verification, journal tree, batch record); calldata = "
        "EIP-2028 (4 per zero byte, 16 per non-zero byte); execution = gasUsed − 21,000 − calldata.",
        "",
        "| backend, DA | kind | N | trace rows | prove s | seal B | statement B | calldata B | gas used | calldata gas | "
        "execution gas | floor binds | gas/request |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for p in model.singles + [q for curve in model.curves.values() for q in curve.points]:
        lines.append(
            f"| {series_label(p.backend, p.da, p.workload if p.kind == 'batch' else None)} | {p.kind} | {p.members} | {p.trace_rows or '—'} | "
            f"{'—' if p.prove_s is None else f'{p.prove_s:.2f}'} | {p.seal_bytes:,} | {p.statement_bytes:,} | "
            f"{p.calldata_bytes:,} | {p.gas_used:,} | {p.calldata_gas:,} | {p.execution_gas:,} | "
            f"{'yes' if p.floor_binds else 'no'} | {p.gas_per_request:,.0f} |")
    for u in data["unsettled"]:
        needed = f"needs {u.needed_gas:,} gas" if u.needed_gas else "gas beyond the cap not measurable on py-evm"
        lines.append(f"| {series_label(u.backend, u.da, u.workload)} | batch | {u.members} | — | {u.prove_s:.2f} | {u.seal_bytes:,} | "
                     f"{u.statement_bytes:,} | — | over the EIP-7825 cap, not sent ({needed}) | | | | |")
    lines += [
        "",
        "Fitted models (least squares over the batches above; gas(N) = 21,000 + max(4·tokens + execution, 10·tokens)):",
        "",
    ]
    for key, fit in result["curves"].items():
        lines.append(f"* {key.upper()} ({fit['workload']}): execution ≈ {fit['execution_fit']}; calldata ≈ {fit['tokens_fit']}; "
                     f"statement ≈ {fit['statement_fit']}; largest residual {fit['max_relative_residual'] * 100:.2f} % of "
                     f"gasUsed; marginal {fit['marginal_gas_per_member']:,.0f} gas per member.")
    lines += [
        "",
        "Prove-time sweep (single fib receipts, STARK): "
        + ", ".join(f"2^{s['rows'].bit_length() - 1} rows {s['prove_s']:.2f} s ({s['seal_bytes']:,} B)" for s in data["sweep"]) + ".",
        "",
        "## Assumptions and what is missing",
        "",
        "* **Root-only DA** batches are fib-only (the root-only AIR hashes fib journals) and post no member data: their "
        "gas is one verification of a wider proof (23 trace columns, Rescue lane and bus) plus the member count and "
        "root. They are measured only up to the size that proves within `--max-prove-s`.",
        "* **Blob DA** (EIP-4844) is modelled, not measured: the statement moves from calldata to blobs (126,976 usable "
        "bytes per blob, blobs shared between batches, Pectra's target of 6 blobs per block), each batch pays one "
        "point-evaluation call (50,000 gas) to bind the blob, and the rest of its execution is as measured. The AIR "
        "and contract changes that blob DA needs are not built.",
        "* Whole blocks to the rollup and one batch size per block: real blocks are shared, so these are upper bounds.",
        "* Prove times are wall-clock on the machine above, shared with other work; capacity does not depend on them.",
        "",
        f"Reproduce: `{data.get('measured_by') or command}` (add `--l1-rpc URL` to settle on anvil or another node; `--quick` for a small set).",
        "",
    ]
    return "\n".join(lines)


def to_json(data: dict[str, Any], result: dict[str, Any]) -> dict[str, Any]:
    model: CapacityModel = result["model"]
    return {
        "date": data["date"],
        "machine": data["machine"],
        "l1": data["l1"],
        "preset": data["preset"],
        "security_bits": data["security_bits"],
        "statement_max": data["statement_max"],
        "quick": data["quick"],
        "measured_by": data.get("measured_by"),
        "points": [asdict(p) for p in model.singles + [q for c in model.curves.values() for q in c.points]],
        "unsettled": [asdict(u) for u in data["unsettled"]],
        "payload": asdict(data["payload"]),
        "storage": asdict(data["storage"]) | {"gas_per_word": data["storage"].gas_per_word},
        "sweep": data["sweep"],
        "curves": result["curves"],
        "best": [asdict(b["capacity"]) | {"max_members": b["max_members"], "batch_size_limit": b["batch_size_limit"]}
                 for b in result["best"]],
        "targets": [asdict(t) for t in result["targets"]],
        "goal": {"rps": GOAL_RPS, "met": result["goal_met"], "best_60M": asdict(result["claims"]["best60"]["capacity"]),
                 "best_measured_60M": asdict(result["claims"]["best_measured60"])},
        "root_only": result["curves"].get("stark/root"),
        "root_only_short": result["curves"].get(series_key("stark", "root", SHORT.name)),
    }


def load_measurements(path: Path) -> dict[str, Any]:
    """The measurements of an earlier ``report.json``, to analyse and render again without proving anything."""
    from contracts.gas import GasBreakdown
    from prover.stark.params import preset as get_preset

    try:
        raw = json.loads(Path(path).read_text())
        storage = {k: v for k, v in raw["storage"].items() if k != "gas_per_word"}
        return {
            "machine": raw["machine"],
            "l1": raw["l1"],
            "preset": raw["preset"],
            "security_bits": raw.get("security_bits", get_preset(raw["preset"]).security_bits(20)),
            "points": [GasPoint(**p) for p in raw["points"]],
            "unsettled": [Unsettled(**u) for u in raw["unsettled"]],
            "payload": GasBreakdown(**raw["payload"]),
            "storage": StorageCost(**storage),
            "sweep": raw["sweep"],
            "statement_max": raw.get("statement_max") or max_members_by_statement(),
            "date": raw["date"],
            "quick": raw.get("quick", False),
            "measured_by": raw.get("measured_by"),
        }
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CapacityError(f"{path}: not the report.json of a capacity report ({exc})") from exc


def run(args: argparse.Namespace, command: str = "supervm report capacity") -> int:
    """Measure (or load ``--from-json``), analyse and write the report; prints where it went."""
    out = Path(args.out)
    if args.from_json:
        data = load_measurements(Path(args.from_json))
    else:
        data = measure_all(args.l1_rpc, args.quick, args.preset, args.max_prove_s, progress=True)
        data["measured_by"] = command
    out.mkdir(parents=True, exist_ok=True)
    result = analyse(data, args.gas_price_gwei, args.target_rps)
    files = plot_all(data, result, out)
    (out / "report.md").write_text(render_markdown(data, result, files, command))
    (out / "report.json").write_text(json.dumps(to_json(data, result), indent=2, default=str))
    best: Capacity = result["claims"]["best_measured60"]
    print(f"wrote {out / 'report.md'}, report.json and {len(files)} plots")
    print(f"STARK, 60M: best measured batch {series_label(best.backend, best.da, best.workload)}, N = {best.members}: "
          f"{best.requests_per_second:,.1f} requests/s ({'meets' if result['goal_met'] else 'misses'} the "
          f"{GOAL_RPS:,.0f}/s goal)")
    return 0


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``scripts/capacity_report.py``."""
    parser = argparse.ArgumentParser(prog="capacity_report.py", description=__doc__.splitlines()[0])
    add_arguments(parser)
    argv = sys.argv[1:] if argv is None else argv
    return run(parser.parse_args(argv), " ".join(["scripts/capacity_report.py", *argv]))
