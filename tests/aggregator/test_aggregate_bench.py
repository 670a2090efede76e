"""`supervm bench aggregate` end to end on the embedded L1 with tiny batches: the report's rows and table."""

from __future__ import annotations

from aggregator import bench


def test_the_aggregate_bench_measures_every_row_and_prints_them():
    report = bench.run(sizes=(1, 4), preset_name="test", mixed_sizes=(3,), progress=False, root_sizes=(1, 4))
    rows = report["batches"]
    assert [(r["batch"], r["members"]) for r in rows] == [("fib", 1), ("fib", 4), ("mixed", 3)]
    for r in rows:
        assert r["gas_used"] > 21_000 and r["fits_cap"] and r["gas_per_member"] == r["gas_used"] // r["members"]
    assert rows[1]["gas_per_member"] < rows[0]["gas_per_member"]  # one verification shared by four members
    assert report["machine"]["cores"] >= 1
    root = report["root_only"]  # root-only rows: settled on L1, no member data, blowup raised to 8 for the lane
    assert [r["members"] for r in root] == [1, 4] and all(r["fits_cap"] and r["gas_used"] > 21_000 for r in root)
    assert root[1]["gas_used"] < 2 * root[0]["gas_used"] and root[1]["calldata_mode_gas_per_member"] == rows[1]["gas_per_member"]
    goal = report["goal"]  # the prove-ratio goal is read off the largest fib batch
    assert goal["prove_ratio_n"] == 4 and goal["prove_ratio_measured"] == rows[1]["prove_ratio"] > 0
    assert goal["prove_ratio_met"] == (rows[1]["prove_ratio"] <= bench.GOAL_PROVE_RATIO)
    table = bench.format_report(report)
    assert "fib        4" in table and "NOT met" in table and "prove ratio <= 1.2 (fib, N = 4)" in table
