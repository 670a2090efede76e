"""``supervm bench gas``: L1 gas of one STARK verification, per program and trace length.

For each program and trace length it proves a STARK receipt, sends one
verification transaction (``StarkVerifier.verify`` through
:meth:`contracts.rollup.Rollup.verify_transaction`) and reports the
transaction's gas split (:class:`contracts.gas.GasBreakdown`), proof and
calldata bytes and how many such verifications fit in one block at the
block gas limits of 2021–2025.  One ``Rollup.submit_batch`` transaction
(verification plus the rollup's bookkeeping) is measured for fib at 2^16.

Block capacity is gas-bound: one verification is one transaction, so a
block of gas limit L holds ``L // gasUsed`` of them, and none when gasUsed
exceeds the EIP-7825 per-transaction cap (such a transaction cannot be sent).
"""

from __future__ import annotations

import json
import sys
import time
from dataclasses import replace
from importlib import metadata
from typing import Any, Sequence

from contracts import gas as G
from contracts.errors import TransactionTooLargeError
from contracts.verifier import verify_calldata
from prover.backends import prove
from prover.bench import inputs_for
from prover.machine import describe_machine
from prover.stark.params import DEFAULT_PRESET, preset

PROGRAMS = ("fib", "mimc", "collatz")
#: Largest trace (log2 rows) measured per program: proving and py-evm time stay bounded.
MAX_LOG_ROWS = {"fib": 20, "mimc": 16, "collatz": 16}
FULL_LOGS = tuple(range(6, 21, 2))
QUICK_LOGS = (6, 10, 16)
QUICK_PROGRAMS = ("fib",)
QUICK_CASES = tuple((name, log) for name in QUICK_PROGRAMS for log in QUICK_LOGS)
BLOCK_GAS_LIMITS = {"30M": 30_000_000, "36M": 36_000_000, "45M": 45_000_000, "60M": 60_000_000}
#: The submit_batch row: program and log2 rows.
SUBMIT_CASE = ("fib", 16)
#: Goal of issue 4: a 2^16-row fib STARK at >= 100 bits verified in one transaction for at most this much gas.
GOAL_GAS = 1_500_000
GOAL_CASE = ("fib", 16)
#: Reference figures (shared/PRODUCT.md), gas per verified proof on Ethereum L1.
REFERENCE = [
    {"system": "Groth16 wrapper (RISC Zero, SP1)", "gas": "~200,000-300,000", "low": 200_000, "high": 300_000,
     "note": "one transaction; RISC Zero verifyProof ~215K, full tx ~316K"},
    {"system": "StarkWare SHARP, direct STARK verification", "gas": "~5,000,000-6,000,000", "low": 5_000_000,
     "high": 6_000_000, "note": "split over several transactions"},
    {"system": "Plonky2 Solidity verifier (Goldilocks, keccak, 50 KB proof)", "gas": "~27,000,000", "low": 27_000_000,
     "high": 27_000_000, "note": "above the EIP-7825 cap"},
]


def cases_for(programs: Sequence[str], logs: Sequence[int]) -> list[tuple[str, int]]:
    """(program, log2 rows) pairs, each program capped at :data:`MAX_LOG_ROWS`."""
    for name in programs:
        if name not in MAX_LOG_ROWS:
            raise ValueError(f"unknown program {name!r}; known: {', '.join(PROGRAMS)}")
    return [(name, log) for name in programs for log in logs if log <= MAX_LOG_ROWS[name]]


def machine() -> dict[str, Any]:
    """CPU, cores, memory, Python and the EVM / compiler versions the gas was measured with."""
    info = describe_machine()
    for package in ("py-evm", "eth-tester", "vyper", "web3"):
        try:
            info[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            info[package] = None
    return info


def block_capacity(gas_used: int | None, fits_cap: bool) -> dict[str, int]:
    """Verifications per block for each limit in :data:`BLOCK_GAS_LIMITS` (0 when over the EIP-7825 cap)."""
    if gas_used is None or not fits_cap:
        return {label: 0 for label in BLOCK_GAS_LIMITS}
    return {label: limit // gas_used for label, limit in BLOCK_GAS_LIMITS.items()}


def gas_fields(breakdown: G.GasBreakdown) -> dict[str, Any]:
    """The JSON fields of one transaction's gas split."""
    return {
        "calldata_bytes": breakdown.calldata_bytes,
        "gas_used": breakdown.gas_used,
        "intrinsic": breakdown.intrinsic,
        "calldata_gas": breakdown.calldata_gas,
        "floor_gas": breakdown.floor_gas,
        "floor_binds": breakdown.floor_binds,
        "execution_gas": breakdown.execution_gas,
        "execution_exact": breakdown.execution_exact,
        "fits_cap": breakdown.fits_cap,
        "per_block": block_capacity(breakdown.gas_used, breakdown.fits_cap),
    }


def _over_cap_fields(data: bytes) -> dict[str, Any]:
    zero, nonzero = G.calldata_counts(data)
    return {
        "calldata_bytes": len(data), "gas_used": None, "intrinsic": G.intrinsic_gas(data),
        "calldata_gas": G.calldata_gas(data), "floor_gas": G.floor_gas(data), "floor_binds": None,
        "execution_gas": None, "execution_exact": False, "fits_cap": False, "per_block": block_capacity(None, False),
    }


def run(
    cases: Sequence[tuple[str, int]] = QUICK_CASES,
    preset_name: str = DEFAULT_PRESET,
    l1_rpc: str | None = None,
    submit_case: tuple[str, int] | None = SUBMIT_CASE,
    progress: bool = True,
    breakdown_case: tuple[str, int] | None = None,
) -> dict[str, Any]:
    """Prove and verify each case on an L1 (embedded py-evm unless ``l1_rpc``); returns a JSON-ready report.

    ``breakdown_case``: also profile where the gas of that case's verification
    goes (:mod:`contracts.profile`, on anvil or on ``l1_rpc``).
    """
    from contracts.chain import EmbeddedL1, RpcL1
    from contracts.rollup import DEFAULT_MIN_SECURITY_BITS, deploy_rollup

    def say(text: str) -> None:
        if progress:
            print(f"[bench gas] {text}", file=sys.stderr, flush=True)

    options = preset(preset_name)
    chain = RpcL1(l1_rpc) if l1_rpc else EmbeddedL1()
    l1_name = l1_rpc or "embedded py-evm (eth-tester, Prague)"
    min_bits = DEFAULT_MIN_SECURITY_BITS if all(options.security_bits(log) >= DEFAULT_MIN_SECURITY_BITS for _, log in cases) else 0
    say(f"deploying the verifier and rollup on {l1_name} ...")
    rollup = deploy_rollup(chain, dev_mode=False, min_security_bits=min_bits)
    prove("fib", (7,), "stark", replace(options, grinding_bits=min(options.grinding_bits, 8)))  # load the numba kernels before timing
    rows: list[dict[str, Any]] = []
    receipts: dict[tuple[str, int], Any] = {}
    total = len(cases)
    for number, (name, log) in enumerate(cases, 1):
        inputs, forced = inputs_for(name, log)
        say(f"{number}/{total} {name} 2^{log}: proving ...")
        started = time.perf_counter()
        receipt = prove(name, inputs, "stark", options, forced)
        prove_s = time.perf_counter() - started
        if receipt.seal[1] != log:
            raise RuntimeError(f"{name} {inputs} gave a 2^{receipt.seal[1]} trace, expected 2^{log}")
        receipts[(name, log)] = receipt
        journal = receipt.journal.to_bytes()
        say(f"{number}/{total} {name} 2^{log}: verifying on L1 ({len(receipt.seal):,} B proof) ...")
        started = time.perf_counter()
        try:
            result = rollup.verify_transaction(journal, receipt.seal)
            fields = gas_fields(result.gas)
        except TransactionTooLargeError:
            fields = _over_cap_fields(verify_calldata(rollup.airs[bytes(journal[:32])].address, journal, receipt.seal))
        l1_s = time.perf_counter() - started
        rows.append({
            "program": name, "inputs": list(inputs), "log_rows": log, "rows": 1 << log,
            "security_bits": options.security_bits(log), "proof_bytes": len(receipt.seal), "journal_bytes": len(journal),
            **fields, "prove_s": round(prove_s, 3), "l1_s": round(l1_s, 2),
        })
        say(f"{number}/{total} {name} 2^{log}: {fields['gas_used'] or 0:,} gas ({l1_s:.1f} s on L1)")
    def receipt_for(case: tuple[str, int]):
        """The receipt proven for ``case`` in the sweep, or a new one if the sweep skipped it."""
        if case in receipts:
            return receipts[case]
        inputs, forced = inputs_for(*case)
        return prove(case[0], inputs, "stark", options, forced)

    submit = None
    if submit_case is not None:
        receipt = receipt_for(submit_case)
        say(f"Rollup.submit_batch of {submit_case[0]} 2^{submit_case[1]} ...")
        result = rollup.submit_batch(rollup.batch_count(), receipt)
        verify_row = next((r for r in rows if (r["program"], r["log_rows"]) == submit_case), None)
        submit = {
            "program": submit_case[0], "log_rows": submit_case[1], "security_bits": options.security_bits(submit_case[1]),
            "proof_bytes": len(receipt.seal),
            "statement_bytes": len(receipt.journal.to_bytes()), **gas_fields(result.gas),
            "over_verify_gas": result.gas.gas_used - verify_row["gas_used"] if verify_row and verify_row["gas_used"] else None,
        }
    profile = None
    if breakdown_case is not None:
        from contracts.profile import profile_receipt

        receipt = receipt_for(breakdown_case)
        say(f"gas breakdown of {breakdown_case[0]} 2^{breakdown_case[1]}: tracing on {l1_rpc or 'a local anvil'} "
            "(a JavaScript tracer: about a minute per 4M gas) ...")
        profile = profile_receipt(receipt, l1_rpc).to_dict()
    goal_row = next((r for r in rows if (r["program"], r["log_rows"]) == GOAL_CASE), None)
    measured = goal_row["gas_used"] if goal_row else None
    return {
        "machine": machine(),
        "l1": l1_name,
        "preset": preset_name,
        "options": {"blowup": options.blowup, "folding": options.folding, "first_folding": options.first_folding,
                    "queries": options.num_queries,
                    "grinding_bits": options.grinding_bits, "max_remainder": 1 << options.log_max_remainder},
        "max_log_rows": {name: MAX_LOG_ROWS[name] for name in dict.fromkeys(n for n, _ in cases)},
        "eip7825_cap": G.MAX_TX_GAS,
        "block_gas_limits": BLOCK_GAS_LIMITS,
        "rows": rows,
        "submit_batch": submit,
        "goal": {
            "case": f"{GOAL_CASE[0]} 2^{GOAL_CASE[1]} at >= 100 bits",
            "max_gas": GOAL_GAS,
            "measured": measured,
            "security_bits": goal_row["security_bits"] if goal_row else None,
            "met": None if measured is None else bool(measured <= GOAL_GAS and goal_row["security_bits"] >= 100),
        },
        "reference": REFERENCE,
        "breakdown": profile,
    }


def _n(value: Any) -> str:
    return "-" if value is None else f"{value:,}"


def format_report(report: dict[str, Any]) -> str:
    """The table, the submit_batch row, the goal and the reference figures."""
    m = report["machine"]
    o = report["options"]
    caps = ", ".join(f"{k} to 2^{v}" for k, v in report["max_log_rows"].items())
    lines = [
        f"machine: {m['cpu']}, {m['cores']} cores, {m.get('memory_gib')} GiB, Python {m['python']}, "
        f"py-evm {m.get('py-evm')}, eth-tester {m.get('eth-tester')}, vyper {m.get('vyper')}",
        f"L1: {report['l1']}; preset {report['preset']} (blowup {o['blowup']}, folding {o['folding']} (first {o['first_folding']}), "
        f"{o['queries']} queries, {o['grinding_bits']} grinding bits); traces: {caps}",
        "gas = intrinsic (21,000 + EIP-2028 calldata) + execution, or the EIP-7623 floor when it binds;"
        f" cap = EIP-7825 ({report['eip7825_cap']:,}); per block = limit // gasUsed",
        "",
        f"{'program':8} {'rows':>5} {'bits':>4} {'proof B':>8} {'calldata B':>10} {'gasUsed':>11} {'intrinsic':>10} "
        f"{'floor':>5} {'execution':>11} {'cap':>4} {'30M':>4} {'36M':>4} {'45M':>4} {'60M':>4} {'prove s':>8} {'L1 s':>6}",
    ]

    def line(r: dict[str, Any], label: str) -> str:
        floor = "-" if r["floor_binds"] is None else ("yes" if r["floor_binds"] else "no")
        per = r["per_block"]
        return (f"{label:8} {'2^' + str(r['log_rows']):>5} {r.get('security_bits', ''):>4} {r['proof_bytes']:>8,} "
                f"{r['calldata_bytes']:>10,} {_n(r['gas_used']):>11} {_n(r['intrinsic']):>10} {floor:>5} "
                f"{_n(r['execution_gas']):>11} {'yes' if r['fits_cap'] else 'NO':>4} {per['30M']:>4} {per['36M']:>4} "
                f"{per['45M']:>4} {per['60M']:>4}")

    for r in report["rows"]:
        lines.append(line(r, r["program"]) + f" {r['prove_s']:>8.2f} {r['l1_s']:>6.1f}")
    s = report["submit_batch"]
    if s:
        lines += ["", f"one Rollup.submit_batch transaction ({s['program']} 2^{s['log_rows']}: verification, batch record, event):",
                  line(s, "submit") + (f"   (+{s['over_verify_gas']:,} over verify alone)" if s["over_verify_gas"] is not None else "")]
    goal = report["goal"]
    lines.append("")
    if goal["measured"] is None:
        lines.append(f"goal: {goal['case']} <= {goal['max_gas']:,} gas: not measured in this run")
    else:
        verdict = "met" if goal["met"] else "NOT met"
        lines.append(f"goal: {goal['case']} <= {goal['max_gas']:,} gas: measured {goal['measured']:,} "
                     f"({goal['measured'] / goal['max_gas']:.2f}x the goal) -> {verdict}")
    lines.append("reference (shared/PRODUCT.md), gas per verified proof:")
    for ref in report["reference"]:
        ratio = ""
        if goal["measured"]:
            ratio = f"; {report['goal']['case'].split(' at')[0]} here is {goal['measured'] / ref['high']:.1f}x-{goal['measured'] / ref['low']:.1f}x" \
                if ref["low"] != ref["high"] else f"; here {goal['measured'] / ref['low']:.2f}x"
        lines.append(f"  {ref['system']}: {ref['gas']} ({ref['note']}{ratio})")
    if report.get("breakdown"):
        from contracts.profile import format_profile_dict

        lines += ["", format_profile_dict(report["breakdown"])]
    return "\n".join(lines)


def main_json(report: dict[str, Any]) -> str:
    return json.dumps(report, indent=2)
