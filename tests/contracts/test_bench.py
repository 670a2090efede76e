"""``supervm bench gas`` on one tiny case: report shape, and the gas split adds up."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from contracts import bench
from contracts import gas as G
from contracts.chain import EmbeddedL1
from contracts.rollup import deploy_rollup
from prover.backends import prove
from prover.bench import inputs_for
from prover.stark.params import preset


@pytest.fixture(scope="module")
def report():
    """fib 2^6 under the insecure test preset, verified and submitted on the embedded L1."""
    return bench.run([("fib", 6)], "test", submit_case=("fib", 6), progress=False)


def _check_gas_row(row: dict) -> None:
    assert row["fits_cap"] and row["gas_used"] <= G.MAX_TX_GAS
    assert row["intrinsic"] == G.TX_BASE_GAS + row["calldata_gas"]
    assert row["floor_gas"] >= G.TX_BASE_GAS
    if row["floor_binds"]:
        assert row["gas_used"] == row["floor_gas"] > row["intrinsic"] + row["execution_gas"]
    else:
        assert row["gas_used"] == row["intrinsic"] + row["execution_gas"] >= row["floor_gas"]
    assert row["per_block"] == {label: limit // row["gas_used"] for label, limit in bench.BLOCK_GAS_LIMITS.items()}


def test_rows_are_consistent(report):
    (row,) = report["rows"]
    assert (row["program"], row["log_rows"], row["rows"]) == ("fib", 6, 64)
    assert row["security_bits"] == 16  # the test preset: insecure, tests only
    assert row["calldata_bytes"] > row["proof_bytes"] + row["journal_bytes"]  # plus selector, address, ABI heads
    assert row["execution_exact"]
    _check_gas_row(row)


def test_submit_batch_costs_more_than_verify_alone(report):
    submit = report["submit_batch"]
    _check_gas_row(submit)
    assert submit["over_verify_gas"] == submit["gas_used"] - report["rows"][0]["gas_used"] > 0


def test_goal_and_metadata(report):
    assert report["goal"]["measured"] is None and report["goal"]["met"] is None  # fib 2^16 not in this run
    assert report["machine"]["py-evm"] and report["machine"]["vyper"]
    assert report["options"]["queries"] == 8 and report["eip7825_cap"] == G.MAX_TX_GAS
    assert json.loads(bench.main_json(report)) == report
    text = bench.format_report(report)
    assert "fib" in text and "submit" in text and "not measured" in text and "Groth16" in text


def test_l1_preset_verifies_for_less_gas_than_compact():
    """Fewer queries (8 against 13, at 512x blowup) and a first FRI fold by 4 make fewer Merkle paths,
    DEEP points and proof bytes.  Both proofs are made without grinding to keep the test fast: the
    nonce's value changes nothing the verifier computes, and both presets are at 100 bits with it."""
    assert preset("l1").security_bits(10) == preset("compact").security_bits(10) == 100
    chain = EmbeddedL1()
    rollup = deploy_rollup(chain, dev_mode=False, min_security_bits=0)
    inputs, rows = inputs_for("fib", 10)
    gas, size = {}, {}
    for name in ("compact", "l1"):
        receipt = prove("fib", inputs, "stark", replace(preset(name), grinding_bits=0), rows)
        size[name] = len(receipt.seal)
        gas[name] = rollup.verify_transaction(receipt.journal.to_bytes(), receipt.seal).gas.gas_used
    assert size["l1"] < size["compact"]
    assert gas["l1"] < gas["compact"]


def test_block_capacity_respects_the_cap():
    assert bench.block_capacity(2_000_000, True) == {"30M": 15, "36M": 18, "45M": 22, "60M": 30}
    assert bench.block_capacity(G.MAX_TX_GAS + 1, False) == {"30M": 0, "36M": 0, "45M": 0, "60M": 0}


def test_cases_cap_trace_lengths_per_program():
    cases = bench.cases_for(["fib", "mimc"], range(14, 21, 2))
    assert cases == [("fib", 14), ("fib", 16), ("fib", 18), ("fib", 20), ("mimc", 14), ("mimc", 16)]
    with pytest.raises(ValueError):
        bench.cases_for(["nope"], [6])


def test_cli_bench_gas_json(capsys):
    from node.cli import EXIT_OK, main

    argv = ["bench", "gas", "--json", "--preset", "test", "--programs", "mimc", "--min-log", "6", "--max-log", "6"]
    assert main(argv) == EXIT_OK
    report = json.loads(capsys.readouterr().out)
    assert [(r["program"], r["log_rows"]) for r in report["rows"]] == [("mimc", 6)]
    assert (report["submit_batch"]["program"], report["submit_batch"]["log_rows"]) == ("mimc", 6)
    assert report["breakdown"] is None
