"""Prometheus metrics of the node, in the text exposition format (version 0.0.4), served at ``GET /metrics``.

Counters and histograms are updated by the stages as things happen; gauges
that mirror stored state (requests by status, block and batch numbers) are
read by a collector callback at scrape time.
"""

from __future__ import annotations

import math
import threading
from typing import Callable, Iterable

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def _labels(labels: dict[str, str]) -> str:
    if not labels:
        return ""
    body = ",".join(f'{k}="{str(v).replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34)).replace(chr(10), " ")}"'
                    for k, v in sorted(labels.items()))
    return "{" + body + "}"


def _num(value: float) -> str:
    if value == math.inf:
        return "+Inf"
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


class Counter:
    """A monotonically increasing count, optionally per label set."""

    def __init__(self, name: str, help_text: str, label: str | None = None):
        self.name, self.help, self.label = name, help_text, label
        self._values: dict[str, float] = {}
        self._lock = threading.Lock()

    def inc(self, amount: float = 1.0, label: str = "") -> None:
        with self._lock:
            self._values[label] = self._values.get(label, 0.0) + amount

    def value(self, label: str = "") -> float:
        return self._values.get(label, 0.0)

    def render(self) -> Iterable[str]:
        yield f"# HELP {self.name} {self.help}"
        yield f"# TYPE {self.name} counter"
        with self._lock:
            items = sorted(self._values.items()) or [("", 0.0)]
        for label, value in items:
            labels = {self.label: label} if self.label and label else {}
            yield f"{self.name}{_labels(labels)} {_num(value)}"


class Histogram:
    """Observations in cumulative buckets, with their sum and count."""

    def __init__(self, name: str, help_text: str, buckets: Iterable[float]):
        self.name, self.help = name, help_text
        self.buckets = sorted(buckets) + [math.inf]
        self._counts = [0] * len(self.buckets)
        self._sum = 0.0
        self._count = 0
        self._lock = threading.Lock()

    def observe(self, value: float) -> None:
        with self._lock:
            self._sum += value
            self._count += 1
            for i, bound in enumerate(self.buckets):
                if value <= bound:
                    self._counts[i] += 1
                    break

    @property
    def count(self) -> int:
        return self._count

    def render(self) -> Iterable[str]:
        yield f"# HELP {self.name} {self.help}"
        yield f"# TYPE {self.name} histogram"
        with self._lock:
            running = 0
            for bound, n in zip(self.buckets, self._counts):
                running += n
                yield f'{self.name}_bucket{{le="{_num(bound)}"}} {running}'
            yield f"{self.name}_sum {_num(self._sum)}"
            yield f"{self.name}_count {self._count}"


def _gauge(name: str, help_text: str, values: dict[str, float] | float, label: str | None = None) -> list[str]:
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
    if isinstance(values, dict):
        for key, value in sorted(values.items()):
            lines.append(f"{name}{_labels({label or 'label': key})} {_num(value)}")
    else:
        lines.append(f"{name} {_num(values)}")
    return lines


class NodeMetrics:
    """Every metric the node exports."""

    def __init__(self) -> None:
        self.accepted = Counter("supervm_requests_accepted_total", "Requests accepted (stored as pending).")
        self.rejected = Counter("supervm_requests_rejected_total", "Requests refused at submission, by error.", "error")
        self.rpc_calls = Counter("supervm_rpc_calls_total", "JSON-RPC calls answered, by method.", "method")
        self.rpc_errors = Counter("supervm_rpc_errors_total", "JSON-RPC error responses, by code.", "code")
        self.batches_proven = Counter("supervm_batches_proven_total", "Batches proven.")
        self.batches_verified = Counter("supervm_batches_verified_total", "Batches verified on L1.")
        self.prove_seconds = Histogram(
            "supervm_batch_prove_seconds", "Wall time to prove one batch.", [0.01, 0.05, 0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300]
        )
        self.batch_size = Histogram("supervm_batch_requests", "Requests per proven batch.", [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096])
        self.batch_gas = Histogram(
            "supervm_batch_gas_used", "L1 gas used by one verified batch.",
            [1e5, 2.5e5, 5e5, 1e6, 2e6, 3e6, 4e6, 6e6, 8e6, 1.2e7, 16_777_216],
        )
        self.request_gas = Histogram("supervm_request_gas", "L1 gas per request (batch gas / batch requests).",
                                     [100, 250, 500, 1000, 2000, 5000, 1e4, 5e4, 1e5, 1e6, 1e7])
        self.latency = Histogram("supervm_request_latency_seconds", "From acceptance to verified on L1.",
                                 [0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600])
        self.last_batch_gas = 0.0
        self.collector: Callable[[], dict] | None = None

    def render(self) -> str:
        lines: list[str] = []
        for metric in (self.accepted, self.rejected, self.rpc_calls, self.rpc_errors, self.batches_proven,
                       self.batches_verified, self.prove_seconds, self.batch_size,
                       self.batch_gas, self.request_gas, self.latency):
            lines.extend(metric.render())
        lines += _gauge("supervm_last_batch_gas_used", "L1 gas used by the latest verified batch.", self.last_batch_gas)
        if self.collector is not None:
            state = self.collector()
            lines += _gauge("supervm_requests", "Requests by lifecycle status.", state["requests"], "status")
            lines += _gauge("supervm_batches", "Batches by status.", state["batches"], "status")
            lines += _gauge("supervm_l2_block_number", "Latest L2 block.", state["block"])
            lines += _gauge("supervm_batch_number", "Latest batch.", state["batch"])
            cache = state.get("cache") or {}
            lines += _gauge("supervm_execution_cache_hits", "Execution cache hits (prover service receipt cache).", cache.get("hits", 0))
            lines += _gauge("supervm_execution_cache_misses", "Execution cache misses.", cache.get("misses", 0))
            lines += _gauge("supervm_execution_cache_hit_ratio", "Execution cache hit ratio.", cache.get("hitRate", 0.0))
            lines += _gauge("supervm_proving_requests_per_second", "Requests proven per second of proving.", state["proving_rate"])
            lines += ["# HELP supervm_settlement_retries_total L1 submissions retried (unreachable L1 or errors).",
                      "# TYPE supervm_settlement_retries_total counter",
                      f"supervm_settlement_retries_total {state.get('settlement_retries', 0)}"]
        return "\n".join(lines) + "\n"
