"""Prometheus exposition: counters, histograms, gauges from the collector, label escaping."""

from __future__ import annotations

import re

from node.metrics import Counter, Histogram, NodeMetrics

LINE = re.compile(r'^[a-z_][a-z0-9_]*(\{[a-z_]+="[^"\n]*"(,[a-z_]+="[^"\n]*")*\})? [-+0-9.eInf]+$')


def test_histogram_buckets_are_cumulative():
    h = Histogram("x_seconds", "help", [1, 5])
    for v in (0.5, 2, 2, 10):
        h.observe(v)
    text = "\n".join(h.render())
    assert 'x_seconds_bucket{le="1"} 1' in text and 'x_seconds_bucket{le="5"} 3' in text
    assert 'x_seconds_bucket{le="+Inf"} 4' in text and "x_seconds_count 4" in text and "x_seconds_sum 14.5" in text


def test_counter_labels_are_escaped():
    c = Counter("y_total", "help", "error")
    c.inc(label='bad "name"\nnext')
    assert 'y_total{error="bad \\"name\\" next"} 1' in "\n".join(c.render())


def test_node_metrics_render_valid_lines():
    m = NodeMetrics()
    m.accepted.inc(3)
    m.batch_gas.observe(1_234_567)
    m.collector = lambda: {"requests": {"pending": 2, "verified": 5}, "batches": {"verified": 1}, "block": 3, "batch": 0,
                           "cache": {"hits": 1, "misses": 4, "hitRate": 0.2}, "proving_rate": 12.5, "settlement_retries": 2}
    text = m.render()
    assert "supervm_requests_accepted_total 3" in text and 'supervm_requests{status="verified"} 5' in text
    assert "supervm_execution_cache_hit_ratio 0.2" in text and "supervm_settlement_retries_total 2" in text
    for line in text.splitlines():
        assert line.startswith("# HELP ") or line.startswith("# TYPE ") or LINE.match(line), line
