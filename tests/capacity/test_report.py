"""The capacity report renders from this run's measurements: Markdown with relative image links, JSON, PNG plots."""

from __future__ import annotations

import json
import re

import pytest

from capacity.model import PROFILES, best_capacity, capacity
from capacity.report import GOAL_RPS, analyse, plot_all, render_markdown, to_json


def test_report_renders_with_relative_plots_and_an_honest_goal(measured, model, tmp_path):
    result = analyse(measured, gas_price_gwei=1.0, target_rps=GOAL_RPS)
    files = plot_all(measured, result, tmp_path)
    text = render_markdown(measured, result, files, "supervm report capacity")
    for name in files.values():
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert sorted(links) == sorted(files.values()) and not any("/" in link for link in links)
    # the verdict rests on measured batches only: the best of every STARK series at its measured sizes
    sixty = PROFILES["60M"]
    measured_rps = [capacity(curve, sixty, p.members).requests_per_second
                    for key, curve in model.curves.items() if key[0] == "stark" for p in curve.points]
    assert result["goal_met"] == (max(measured_rps) >= GOAL_RPS)
    assert ("**Met**" if result["goal_met"] else "**Not met**") in text
    assert f"{max(measured_rps):,.1f} requests/s" in text
    best, _, _ = best_capacity(model.curve("stark"), sixty)
    assert f"{best.requests_per_second:,.1f}" in text  # the calldata series' best is in the table
    for workload in ("mixed", "short"):  # root-only batches of both workloads, measured in the same run
        root = model.curve("stark", "root", workload)
        assert [p.members for p in root.points] == [1, 4] and all(p.statement_bytes == 80 for p in root.points)
    assert "STARK, root" in text and "root-only" in text and "STARK, root, fib(100..110)" in text and "STARK, root, fib(100..1000)" in text
    assert measured["machine"]["cpu"] in text
    assert f"{measured['payload'].gas_used:,} gas" in text
    data = json.loads(json.dumps(to_json(measured, result), default=str))
    assert data["goal"]["met"] == result["goal_met"]
    assert {p["gas_used"] for p in data["points"]} == {p.gas_used for p in model.singles} | {
        p.gas_used for c in model.curves.values() for p in c.points}


def test_cli_has_the_report_command():
    from node.cli import build_parser

    args = build_parser().parse_args(["report", "capacity", "--quick", "--out", "x", "--l1-rpc", "http://127.0.0.1:1"])
    assert args.suite == "capacity" and args.quick and args.out == "x" and args.l1_rpc == "http://127.0.0.1:1"


def test_a_report_renders_again_from_its_json(measured, tmp_path):
    """``--from-json`` re-analyses the measurements of an earlier report.json: the same points, the same verdict."""
    from capacity.errors import CapacityError
    from capacity.report import load_measurements

    result = analyse(measured, gas_price_gwei=1.0, target_rps=GOAL_RPS)
    path = tmp_path / "report.json"
    path.write_text(json.dumps(to_json(measured | {"measured_by": "the fixture"}, result), default=str))
    loaded = load_measurements(path)
    assert loaded["points"] == measured["points"] and loaded["payload"] == measured["payload"]
    assert loaded["storage"] == measured["storage"] and loaded["measured_by"] == "the fixture"
    again = analyse(loaded, gas_price_gwei=2.0, target_rps=GOAL_RPS)
    assert again["goal_met"] == result["goal_met"]
    assert again["claims"]["best_measured60"].eth_per_request == 2 * result["claims"]["best_measured60"].eth_per_request
    text = render_markdown(loaded, again, plot_all(loaded, again, tmp_path), "supervm report capacity --from-json x")
    assert "by `the fixture`" in text and "; rendered by `supervm report capacity --from-json x`." in text
    assert "Reproduce: `the fixture`" in text
    path.write_text('{"points": []}')
    with pytest.raises(CapacityError, match="not the report.json"):
        load_measurements(path)
    with pytest.raises(CapacityError):
        load_measurements(tmp_path / "missing.json")
