"""``supervm bench service``: the original design's prover-service scenarios, measured on this machine.

Scenarios (both backends): 1. fib(100..109) x 3 (30 requests, 67 % repeats)
under no optimisation / batch / parallel / cache / adaptive; 2. fib(300),
fib(500), fib(1000) x 10: sequential vs forced parallel vs adaptive; 3. cache
at 10 / 50 / 90 % hit rate; 4. throughput and p50/p99 latency with 1..20
concurrent clients; 5. the same at 2^14 rows (STARK), where parallel proving
pays, plus 2 workers vs 1.  Also: cost-model error on held-out sizes.
"""

from __future__ import annotations

import math
import random
import statistics
import threading
import time
from typing import Callable, Sequence

from prover.backends import prove
from prover.machine import describe_machine, machine_line
from prover.receipt import Backend
from prover.service.cache import ReceiptCache
from prover.service.cost_model import fit_points, relative_errors
from prover.service.execute import prove_one
from prover.service.pool import WorkerPool
from prover.service.request import ProveRequest
from prover.service.service import ProverService

ORIGINAL = {
    "s1_adaptive": "832 us -> 154 us (5.38x), Trace backend",
    "s2_parallel": "forced parallel 0.23x / 0.66x / 0.82x of sequential",
    "s3_cache": {"10": "0.90x", "50": "1.57x", "90": "4.08x"},
    "s4_trace_throughput": "67K / 74K / 61K proofs/s at 10 / 20 / 50 threads (12 cores, Rust)",
    "cost_estimate_error": "40 % - 190 % (hand-tuned)",
}
CLIENTS = (1, 2, 4, 8, 20)

#: Seconds of repetitions each strategy comparison aims at, and the most repetitions it takes to get there.
ROUNDS_S = 1.5
MAX_REPS = 400


def _time(fn: Callable[[], object], reps: int) -> float:
    times = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def _reqs(ns: Sequence[int], backend: Backend) -> list[ProveRequest]:
    return [ProveRequest.make("fib", (n,), backend) for n in ns]


class _Bench:
    def __init__(self, quick: bool, progress: bool) -> None:
        self.quick = quick
        self.progress = progress
        self.svc = ProverService(workers=None, cache=True)

    def log(self, text: str) -> None:
        if self.progress:
            import sys

            print(f"  {text}", file=sys.stderr, flush=True)

    def fresh_cache(self) -> None:
        self.svc.cache = ReceiptCache()

    def reps(self, backend: Backend) -> int:
        return (3 if self.quick else 11) if backend == Backend.STARK else (10 if self.quick else 30)

    # -- cost model ----------------------------------------------------------
    def calibrate(self) -> dict:
        out = {}
        top = 13 if self.quick else 15
        for backend, modes in ((Backend.STARK, ("local", "worker")), (Backend.TRACE, ("local", "batch"))):
            # Trace proofs take microseconds, so they get many short passes: this machine's slow spells
            # last about a second, and a pass must be short enough that one spell slows every size in it.
            budget = (0.4 if self.quick else 1.2) * (1 if backend == Backend.STARK else 2)
            passes = 5 if backend == Backend.STARK else 20
            for mode in modes:
                # Proof-of-work grinding time depends on the transcript and is exponentially distributed,
                # so each size is proven round robin over many distinct inputs with the same row count
                # and the model predicts the mean.  The sizes are measured in passes, one slice of the
                # time budget per size per pass, and each size keeps the median of its passes: a slow
                # spell of the shared machine then spoils one pass of a few sizes, not a size outright.
                runs = [self._calibration_run(backend, mode, log_rows) for log_rows in range(6, top + 1)]
                per_pass: list[list[tuple[float, float]]] = [[] for _ in runs]
                for _ in range(passes):
                    for k, run in enumerate(runs):
                        per_pass[k].append(run(budget / passes))
                sizes = [1 << log_rows for log_rows in range(6, top + 1)]
                times = [statistics.median(e for e, _ in values) for values in per_pass]
                raw = [statistics.median(r for _, r in values) for values in per_pass]
                for size, per in zip(sizes, times):
                    self.svc.model.observe(backend, "fib", size, per, mode)
                train = [k for k, s in enumerate(sizes) if s.bit_length() % 2 == 1]  # even log sizes
                test = [k for k, s in enumerate(sizes) if s.bit_length() % 2 == 0]
                fit = fit_points([sizes[k] for k in train], [times[k] for k in train])
                errors = relative_errors(fit, [sizes[k] for k in test], [times[k] for k in test])
                raw_fit = fit_points([sizes[k] for k in train], [raw[k] for k in train])
                raw_errors = relative_errors(raw_fit, [sizes[k] for k in test], [raw[k] for k in test])
                out[f"{backend.name.lower()}/{mode}"] = {
                    "fit_sizes_log2": [sizes[k].bit_length() - 1 for k in train],
                    "held_out_log2": [sizes[k].bit_length() - 1 for k in test],
                    "held_out_errors": [round(e, 4) for e in errors],
                    "max_held_out_error": max(errors),
                    "mean_held_out_error": statistics.mean(errors),
                    "raw_max_held_out_error": max(raw_errors),
                }
                self.log(f"cost model {backend.name.lower()}/{mode}: max held-out error {max(errors) * 100:.1f} %")
        return out

    def _calibration_run(self, backend: Backend, mode: str, log_rows: int) -> Callable[[float], tuple[float, float]]:
        """A function that proves requests of 2^log_rows rows for a time budget and returns (expected, raw)
        seconds per request (single-worker seconds in ``worker`` mode).  ``expected`` has each proof-of-work
        search's time replaced by its mean (:class:`prover.crypto.keccak.GrindMeter`): the search length is
        random by design, and the model predicts its expectation."""
        top_n = (1 << log_rows) - 1
        span = min(1 << (log_rows - 1), 256)
        workers = self.svc.workers if mode == "worker" else 1

        def excess(results: Sequence) -> float:
            return sum(r.seconds - r.model_seconds for r in results) / workers

        if mode == "batch":
            reqs = [ProveRequest.make("fib", (top_n,), backend)] * 2000
            run = lambda chunk: excess(self.svc.prove_batch(chunk, use_cache=False))  # noqa: E731
            step = len(reqs)
        elif mode == "local":
            reqs = [ProveRequest.make("fib", (top_n - j,), backend) for j in range(span)]
            run = lambda chunk: excess([prove_one(r) for r in chunk])  # noqa: E731
            step = 1 if backend == Backend.STARK else span
        else:
            reqs = [ProveRequest.make("fib", (top_n - j,), backend) for j in range(span)]
            run = lambda chunk: excess(self.svc.pool.map(chunk, 1))  # noqa: E731
            step = 2 * self.svc.workers
        run(reqs[:step])
        cursor = [0]

        def measure(budget: float) -> tuple[float, float]:
            done, spent, over = 0, 0.0, 0.0
            while spent < budget or done < 2 * step:
                chunk = [reqs[(cursor[0] + k) % len(reqs)] for k in range(step)]
                cursor[0] += step
                t0 = time.perf_counter()
                over += run(chunk)
                spent += time.perf_counter() - t0
                done += step
            return (spent - over) / done * workers, spent / done * workers

        return measure

    # -- scenarios -------------------------------------------------------------
    def strategies(self, reqs: list[ProveRequest], backend: Backend, names: Sequence[str], reps: int) -> dict:
        """Median time of each strategy; repetitions are interleaved (one of each in turn, the order rotated),
        so a slow spell of the shared machine costs every strategy alike instead of whichever ran during it."""
        svc = self.svc

        def no_cache_adaptive() -> None:
            saved, svc.cache = svc.cache, None
            try:
                svc.prove_adaptive(reqs)
            finally:
                svc.cache = saved

        table: dict[str, Callable[[], object]] = {
            "none": lambda: [prove(r.program, r.inputs, r.backend, r.resolved_options()) for r in reqs],
            "batch": lambda: svc.prove_batch(reqs, use_cache=False),
            "sequential": lambda: svc.prove_batch(reqs, use_cache=False),
            "parallel": lambda: svc.prove_parallel(reqs, use_cache=False),
            "forced parallel": lambda: svc.prove_parallel(reqs, use_cache=False),
            "cache": lambda: (self.fresh_cache(), svc.prove_batch(reqs, use_cache=True)),
            "adaptive": lambda: (self.fresh_cache(), svc.prove_adaptive(reqs)),
            "adaptive (no cache)": no_cache_adaptive,
        }
        times: dict[str, list[float]] = {name: [] for name in names}
        plans: dict[str, str] = {}
        t0 = time.perf_counter()
        for name in names:
            table[name]()
        # sub-millisecond workloads get more repetitions (up to MAX_REPS), so that every strategy is timed
        # for about ROUNDS_S in all: single runs that short swing by tens of percent on a shared machine
        target = ROUNDS_S / 10 if self.quick else ROUNDS_S
        reps = max(reps, min(MAX_REPS, math.ceil(target / max(time.perf_counter() - t0, 1e-9))))
        for rep in range(reps):
            # rotated each repetition: a strategy run right after a parallel one finds cold caches and a
            # pool thread still winding down, so no strategy may always follow the same one
            for name in names[rep % len(names) :] + names[: rep % len(names)]:
                times[name].append(_time(table[name], 1))
                if name.startswith("adaptive"):
                    plans[name + " plan"] = svc.last_plan.strategy + (" + cache" if svc.last_plan.use_cache else "")
        out: dict = {name: statistics.median(t) for name, t in times.items()}
        out.update(plans)
        # Paired ratios: each repetition runs every strategy within a second or two, so the ratio of an
        # adaptive run to a fixed run of the same repetition shares its slow spells; the median of those
        # ratios is steadier than the ratio of two medians.
        for name in (n for n in names if n.startswith("adaptive")):
            for fixed in (n for n in names if not n.startswith("adaptive")):
                out[f"{name} / {fixed}"] = statistics.median(a / f for a, f in zip(times[name], times[fixed]))
        return out

    def scenario1(self, backend: Backend) -> dict:
        reqs = _reqs([100 + (i % 10) for i in range(30)], backend)
        r = self.strategies(reqs, backend, ("none", "batch", "parallel", "cache", "adaptive"), self.reps(backend))
        return r

    def scenario2(self, backend: Backend) -> dict:
        out = {}
        for n in (300, 500, 1000):
            reqs = _reqs([n] * 10, backend)
            out[f"fib({n})"] = self.strategies(reqs, backend, ("sequential", "forced parallel", "adaptive (no cache)"), self.reps(backend))
        return out

    def scenario3(self, backend: Backend) -> dict:
        total = 60 if backend == Backend.STARK else 3000
        out = {}
        rng = random.Random(7)
        for rate in (10, 50, 90):
            unique = round(total * (100 - rate) / 100)
            ns = list(range(1000, 1000 + unique)) + [1000 + rng.randrange(unique) for _ in range(total - unique)]
            rng.shuffle(ns)
            reqs = _reqs(ns, backend)
            res = self.strategies(reqs, backend, ("batch", "cache", "adaptive"), max(1, self.reps(backend) // 2))
            self.fresh_cache()
            self.svc.prove_batch(reqs, use_cache=True)
            out[f"{rate}%"] = {
                "no cache": res["batch"],
                "cache": res["cache"],
                "adaptive": res["adaptive"],
                "adaptive plan": res["adaptive plan"],
                "speedup": res["batch"] / res["cache"],
                "adaptive / batch": res["adaptive / batch"],
                "adaptive / cache": res["adaptive / cache"],
                "measured hit rate": self.svc.cache.stats().hit_rate,
            }
        return out

    def clients(self, backend: Backend, n: int, per_client: int, batch: int) -> dict:
        out = {}
        for count in CLIENTS:
            latencies: list[float] = []
            lock = threading.Lock()

            def client() -> None:
                for _ in range(per_client):
                    reqs = _reqs([n] * batch, backend)
                    t0 = time.perf_counter()
                    if batch == 1:
                        self.svc.prove(reqs[0])
                    else:
                        self.svc.prove_adaptive(reqs)
                    with lock:
                        latencies.append(time.perf_counter() - t0)

            threads = [threading.Thread(target=client) for _ in range(count)]
            t0 = time.perf_counter()
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.perf_counter() - t0
            latencies.sort()
            out[str(count)] = {
                "receipts_per_s": count * per_client * batch / wall,
                "p50_s": latencies[len(latencies) // 2],
                "p99_s": latencies[min(len(latencies) - 1, int(0.99 * len(latencies)))],
            }
        return out

    def scenario4(self, backend: Backend) -> dict:
        saved, self.svc.cache = self.svc.cache, None
        try:
            if backend == Backend.TRACE:
                big = _reqs([20] * 200_000, Backend.TRACE)
                self.svc.prove_batch(big[:5000], use_cache=False)
                t = _time(lambda: self.svc.prove_batch(big, use_cache=False), 3)
                out = {"fib(20) x 200000 one batch, receipts/s": len(big) / t}
                out["clients (batches of 1000 fib(20))"] = self.clients(backend, 20, 10 if self.quick else 20, 1000)
                return out
            return {"clients (single fib(1000) requests)": self.clients(backend, 1000, 2 if self.quick else 4, 1)}
        finally:
            self.svc.cache = saved

    def scenario5(self) -> dict:
        saved, self.svc.cache = self.svc.cache, None
        try:
            n = (1 << 14) - 1
            count = 8 if self.quick else 32
            reqs = _reqs([n - k for k in range(count)], Backend.STARK)  # distinct inputs: distinct proof-of-work searches
            out = {}
            one, two = [], []
            with WorkerPool(1) as single:
                single.map(reqs[:1])
                for _ in range(1 if self.quick else 5):  # interleaved, so a slow spell hits both alike
                    one.append(_time(lambda: single.map(reqs), 1))
                    two.append(_time(lambda: self.svc.pool.map(reqs), 1))
            t1, t2 = statistics.median(one), statistics.median(two)
            # like the pools above, adaptive gets a first run (its plan is made and measured), then both are
            # timed interleaved
            self.svc.prove_adaptive(reqs)
            local, adaptive = [], []
            for _ in range(1 if self.quick else 3):
                local.append(_time(lambda: self.svc.prove_batch(reqs, use_cache=False), 1))
                adaptive.append(_time(lambda: self.svc.prove_adaptive(reqs), 1))
            tl, ta = statistics.median(local), statistics.median(adaptive)
            out["throughput"] = {
                "1 worker, proofs/s": count / t1,
                f"{self.svc.workers} workers, proofs/s": count / t2,
                "speedup vs 1 worker": statistics.median(a / b for a, b in zip(one, two)),  # paired, like the ratios above
                "in-process sequential (numba threads), proofs/s": count / tl,
                "adaptive, proofs/s": count / ta,
                "adaptive plan": self.svc.last_plan.strategy,
            }
            out["clients (single fib(2^14-1) requests)"] = self.clients(Backend.STARK, n, 1 if self.quick else 2, 1)
            return out
        finally:
            self.svc.cache = saved


def run(quick: bool = False, progress: bool = True) -> dict:
    """Run every scenario and return a JSON-ready report."""
    b = _Bench(quick, progress)
    try:
        b.log("starting warm worker pool")
        b.svc.start_pool()
        prove("fib", (7,), Backend.STARK)
        report: dict = {"benchmark": "service", "machine": describe_machine(), "workers": b.svc.workers, "quick": quick}
        report["pool_overheads"] = {"dispatch_s": b.svc.scheduler.dispatch_s, "transfer_s": b.svc.scheduler.transfer_s}
        report["cost_model"] = b.calibrate()
        for backend in (Backend.TRACE, Backend.STARK):
            name = backend.name.lower()
            for k, fn in (("s1", b.scenario1), ("s2", b.scenario2), ("s3", b.scenario3), ("s4", b.scenario4)):
                b.log(f"{name} scenario {k[1]}")
                report.setdefault(k, {})[name] = fn(backend)
        b.log("stark scenario 5")
        report["s5"] = {"stark": b.scenario5()}
        report["cost_model_fits"] = b.svc.model.describe()
        report["original"] = ORIGINAL
        return report
    finally:
        b.svc.close()


def _t(seconds: float) -> str:
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 1e-3:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.0f} us"


def best_fixed_ratio(row: dict, adaptive: str, fixed: Sequence[str]) -> float:
    """Adaptive against the fixed strategy with the lowest median: the paired ratio where the run has one."""
    best = min(fixed, key=lambda k: row[k])
    return row.get(f"{adaptive} / {best}", row[adaptive] / row[best])


def _best_ratio(row: dict, adaptive: str, fixed: Sequence[str]) -> str:
    return f"{best_fixed_ratio(row, adaptive, fixed):.2f}x best fixed"


def format_report(r: dict) -> str:
    """Plain-text tables beside the original figures."""
    o = r["original"]
    lines = [machine_line(), f"workers: {r['workers']}, pool dispatch {_t(r['pool_overheads']['dispatch_s'])}/chunk, transfer {_t(r['pool_overheads']['transfer_s'])}/request", ""]
    lines.append(
        "cost model: max / mean relative error on held-out sizes (fit on even log2 sizes, tested on odd; "
        "proof-of-work searches at their mean time; raw: as timed)"
    )
    for k, v in r["cost_model"].items():
        raw = f", raw timings {v['raw_max_held_out_error'] * 100:.1f} %" if "raw_max_held_out_error" in v else ""
        lines.append(
            f"  {k:14} {v['max_held_out_error'] * 100:5.1f} % / {v['mean_held_out_error'] * 100:4.1f} %{raw}   (original: {o['cost_estimate_error']})"
        )
    names = ("none", "batch", "parallel", "cache", "adaptive")
    lines += ["", "1. fib(100..109) x 3 = 30 requests (67 % repeats), total time; speed-up vs none", f"   original: {o['s1_adaptive']}"]
    for be, row in r["s1"].items():
        cells = "  ".join(f"{n} {_t(row[n])} ({row['none'] / row[n]:.2f}x)" for n in names)
        lines.append(f"  {be:6} {cells}; adaptive chose {row['adaptive plan']}, {_best_ratio(row, 'adaptive', names[:4])}")
    lines += ["", "2. fib(n) x 10, no cache: sequential / forced parallel / adaptive", f"   original: {o['s2_parallel']}"]
    for be, rows in r["s2"].items():
        for size, row in rows.items():
            seq = row["sequential"]
            lines.append(
                f"  {be:6} {size:10} seq {_t(seq)}  parallel {_t(row['forced parallel'])} ({seq / row['forced parallel']:.2f}x)  "
                f"adaptive {_t(row['adaptive (no cache)'])} ({seq / row['adaptive (no cache)']:.2f}x, {row['adaptive (no cache) plan']}, "
                f"{_best_ratio(row, 'adaptive (no cache)', ('sequential', 'forced parallel'))})"
            )
    lines += ["", "3. cache at a given hit rate: speed-up vs no cache (sequential)"]
    for be, rows in r["s3"].items():
        for rate, row in rows.items():
            lines.append(
                f"  {be:6} {rate:>4} hits: no cache {_t(row['no cache'])}  cache {_t(row['cache'])} ({row['speedup']:.2f}x, original {o['s3_cache'][rate[:-1]]})  "
                f"adaptive {_t(row['adaptive'])} ({row['no cache'] / row['adaptive']:.2f}x, {row['adaptive plan']}, "
                f"{_best_ratio({**row, 'batch': row['no cache']}, 'adaptive', ('batch', 'cache'))})"
            )
    lines += ["", "4. concurrent clients: throughput, p50 / p99 latency per call", f"   original: {o['s4_trace_throughput']}"]
    for be, block in r["s4"].items():
        for label, val in block.items():
            if isinstance(val, dict):
                lines.append(f"  {be:6} {label}")
                for c, row in val.items():
                    lines.append(f"    {c:>3} clients: {row['receipts_per_s']:>10,.0f} receipts/s  p50 {_t(row['p50_s'])}  p99 {_t(row['p99_s'])}")
            else:
                lines.append(f"  {be:6} {label}: {val:,.0f}")
    lines += ["", "5. STARK at 2^14 rows (fib(16383)), default preset"]
    for label, val in r["s5"]["stark"].items():
        if label == "throughput":
            for k, v in val.items():
                lines.append(f"  {k}: {v:.2f}" if isinstance(v, float) else f"  {k}: {v}")
        else:
            lines.append(f"  {label}")
            for c, row in val.items():
                lines.append(f"    {c:>3} clients: {row['receipts_per_s']:>8.1f} proofs/s  p50 {_t(row['p50_s'])}  p99 {_t(row['p99_s'])}")
    return "\n".join(lines)
