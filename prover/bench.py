"""Prover benchmark: prove/verify time, proof size and security against trace length.

Prints a table beside the reference figures of ``shared/PRODUCT.md`` and a
fitted cost model (prove time = fixed + per-row * rows), or JSON.
"""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import asdict, dataclass
from typing import Callable, Sequence

import numpy as np

from prover.backends import prove, verify
from prover.machine import describe_machine, machine_line
from prover.programs import get_program
from prover.receipt import Backend
from prover.stark.params import preset

#: Reference figures from the original design and public anchors (see shared/PRODUCT.md).
REFERENCE = {
    "risc0_prove_fib_s": "10.3-12.4 s for fib(10..100)",
    "risc0_seal": "215 KB, verify 24.5 ms",
    "trace_backend": "prove 5-14 us, verify 2 us, ~100 B",
    "winterfell_rescue": "2^16 steps: 2.5 s, 94 KB (8 cores, 96-bit); 2^20: 50 s, 128 KB",
}


@dataclass
class BenchRow:
    program: str
    backend: str
    log_rows: int
    prove_s: float
    verify_s: float
    proof_bytes: int
    security_bits: int


def inputs_for(program: str, log_rows: int) -> tuple[tuple[int, ...], int | None]:
    """Inputs (and forced trace length) giving a trace of exactly 2^log_rows rows."""
    rows = 1 << log_rows
    if program == "fib":
        return (rows - 1,), None
    if program == "mimc":
        return (3, rows - 1), None
    if program == "collatz":
        return (27,), rows
    raise ValueError(program)


def _median_time(fn: Callable[[], object], budget_s: float, max_reps: int) -> tuple[float, object]:
    times = []
    result = None
    start = time.perf_counter()
    while len(times) < max_reps:
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
        if time.perf_counter() - start > budget_s:
            break
    return statistics.median(times), result


def bench_one(program: str, backend: Backend, log_rows: int, preset_name: str) -> BenchRow | None:
    inputs, trace_length = inputs_for(program, log_rows)
    prog = get_program(program)
    if trace_length is not None and trace_length < prog.trace_rows(inputs):
        return None
    if backend == Backend.TRACE and trace_length is not None:
        return None
    options = preset(preset_name)
    budget = 2.0 if log_rows <= 16 else 0.0
    reps = 50 if backend == Backend.TRACE else 5
    prove_s, receipt = _median_time(lambda: prove(prog, inputs, backend, options, trace_length), budget, reps)
    verify_s, info = _median_time(lambda: verify(receipt, allow_insecure=True), budget, reps)
    return BenchRow(program, backend.name.lower(), log_rows, prove_s, verify_s, len(receipt.seal), info.security_bits)


def fit_cost_model(rows: Sequence[BenchRow]) -> dict:
    """Least-squares fit prove_s = fixed + per_row * 2^log_rows, with relative errors."""
    if len(rows) < 2:
        return {}
    x = np.array([1 << r.log_rows for r in rows], dtype=float)
    y = np.array([r.prove_s for r in rows])
    weights = 1.0 / y  # fit relative error, so small sizes count
    a = np.stack([np.ones_like(x), x], axis=1) * weights[:, None]
    fixed, per_row = np.linalg.lstsq(a, y * weights, rcond=None)[0]
    predicted = fixed + per_row * x
    errors = np.abs(predicted - y) / y
    return {"fixed_s": float(fixed), "per_row_s": float(per_row), "max_rel_error": float(errors.max())}


def run(
    log_sizes: Sequence[int],
    programs: Sequence[str] = ("fib",),
    backends: Sequence[Backend] = (Backend.STARK, Backend.TRACE),
    preset_name: str = "default",
    progress: bool = True,
) -> dict:
    """Run the benchmark grid and return a JSON-ready report."""
    prove(get_program("fib"), (7,), Backend.STARK, preset(preset_name))  # warm up numba and caches
    rows: list[BenchRow] = []
    for program in programs:
        for backend in backends:
            for log_rows in log_sizes:
                if progress:
                    print(f"  {program:8} {backend.name.lower():6} 2^{log_rows} ...", file=sys.stderr, end="", flush=True)
                row = bench_one(program, backend, log_rows, preset_name)
                if progress:
                    print(" skipped" if row is None else f" {row.prove_s:.4f} s", file=sys.stderr)
                if row is not None:
                    rows.append(row)
    models = {}
    for program in programs:
        for backend in backends:
            subset = [r for r in rows if r.program == program and r.backend == backend.name.lower()]
            models[f"{program}/{backend.name.lower()}"] = fit_cost_model(subset)
    options = preset(preset_name)
    return {
        "benchmark": "prover",
        "machine": describe_machine(),
        "preset": preset_name,
        "options": asdict(options),
        "rows": [asdict(r) for r in rows],
        "cost_models": models,
        "reference": REFERENCE,
    }


def _fmt_bytes(n: int) -> str:
    return f"{n / 1024:.1f} KB" if n >= 1024 else f"{n} B"


def format_table(report: dict) -> str:
    lines = [machine_line(), f"preset: {report['preset']} {report['options']}", ""]
    header = f"{'program':8} {'backend':7} {'rows':>7} {'prove':>10} {'verify':>10} {'proof':>10} {'bits':>5}"
    lines += [header, "-" * len(header)]
    for r in report["rows"]:
        lines.append(
            f"{r['program']:8} {r['backend']:7} {'2^' + str(r['log_rows']):>7} "
            f"{_fmt_time(r['prove_s']):>10} {_fmt_time(r['verify_s']):>10} {_fmt_bytes(r['proof_bytes']):>10} {r['security_bits']:>5}"
        )
    lines += ["", "cost model (prove time = fixed + per_row * rows, weighted least squares):"]
    for key, model in report["cost_models"].items():
        if model:
            lines.append(
                f"  {key:16} fixed {_fmt_time(model['fixed_s'])}, per row {model['per_row_s'] * 1e6:.3f} us, "
                f"max rel. error {model['max_rel_error'] * 100:.0f}%"
            )
    lines += ["", "reference figures (shared/PRODUCT.md):"]
    lines += [f"  {k}: {v}" for k, v in report["reference"].items()]
    return "\n".join(lines)


def _fmt_time(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.0f} us"
