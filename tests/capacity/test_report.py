"""The capacity report renders from this run's measurements: Markdown with relative image links, JSON, PNG plots."""

from __future__ import annotations

import json
import re

from capacity.model import PROFILES, best_capacity
from capacity.report import GOAL_RPS, analyse, plot_all, render_markdown, to_json


def test_report_renders_with_relative_plots_and_an_honest_goal(measured, model, tmp_path):
    result = analyse(measured, gas_price_gwei=1.0, target_rps=GOAL_RPS)
    files = plot_all(measured, result, tmp_path)
    text = render_markdown(measured, result, files, "supervm report capacity")
    for name in files.values():
        assert (tmp_path / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    links = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", text)
    assert sorted(links) == sorted(files.values()) and not any("/" in link for link in links)
    best, _, _ = best_capacity(model.curve("stark"), PROFILES["60M"])
    assert result["goal_met"] == (best.requests_per_second >= GOAL_RPS)
    assert ("**Met.**" if result["goal_met"] else "**Not met.**") in text
    assert f"{best.requests_per_second:,.1f} requests/s" in text
    root = model.curve("stark", "root")  # root-only batches, measured in the same run
    assert [p.members for p in root.points] == [1, 4] and all(p.statement_bytes == 80 for p in root.points)
    assert "STARK, root" in text and "root-only" in text
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
