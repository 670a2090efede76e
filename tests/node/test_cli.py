"""The supervm CLI: prove / verify / inspect round trips and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from node.cli import EXIT_INVALID, EXIT_OK, EXIT_USAGE, main


def test_prove_verify_inspect_stark(tmp_path, capsys):
    out = tmp_path / "fib.receipt"
    assert main(["prove", "fib", "100", "--preset", "test", "-o", str(out)]) == EXIT_OK
    assert main(["verify", str(out)]) == EXIT_OK
    text = capsys.readouterr().out
    assert "VALID" in text and "fib(100)" in text and "security" in text
    assert main(["inspect", str(out)]) == EXIT_OK
    info = json.loads(capsys.readouterr().out)
    assert info["program"] == "fib" and info["backend"] == "stark" and info["secure"] is True


def test_trace_backend_warns_and_production_refuses(tmp_path, capsys):
    out = tmp_path / "t.receipt"
    assert main(["prove", "fib", "20", "--backend", "trace", "-o", str(out)]) == EXIT_OK
    assert "NO soundness" in capsys.readouterr().out
    assert main(["verify", str(out)]) == EXIT_OK
    assert "NO soundness" in capsys.readouterr().out
    assert main(["verify", str(out), "--production"]) == EXIT_INVALID


def test_tampered_receipt_exit_code(tmp_path):
    out = tmp_path / "fib.receipt"
    assert main(["prove", "fib", "100", "--preset", "test", "-o", str(out)]) == EXIT_OK
    data = bytearray(out.read_bytes())
    data[-5] ^= 0x40
    out.write_bytes(bytes(data))
    assert main(["verify", str(out)]) == EXIT_INVALID


def test_bad_usage_exit_codes(tmp_path, capsys):
    assert main(["prove", "nope", "1", "-o", str(tmp_path / "x")]) == EXIT_USAGE
    assert main(["prove", "fib", "0", "-o", str(tmp_path / "x")]) == EXIT_USAGE
    assert main(["prove", "fib", "10", "--preset", "nope", "-o", str(tmp_path / "x")]) == EXIT_USAGE
    assert main(["verify", str(tmp_path / "missing")]) == EXIT_USAGE
    (tmp_path / "junk").write_bytes(b"junk")
    assert main(["verify", str(tmp_path / "junk")]) == EXIT_INVALID
    with pytest.raises(SystemExit):
        main(["prove", "fib", "notanumber", "-o", "x"])


def test_console_script_runs_as_subprocess(tmp_path):
    env = dict(os.environ)
    out = tmp_path / "m.receipt"
    cmd = [sys.executable, "-m", "node.cli", "prove", "mimc", "3", "20", "--preset", "test", "-o", str(out)]
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=Path(__file__).parents[2], timeout=300)
    assert result.returncode == 0, result.stderr
    assert out.exists()


def test_bench_quick_json(capsys):
    assert main(["bench", "prover", "--json", "--min-log", "6", "--max-log", "8", "--preset", "test"]) == EXIT_OK
    report = json.loads(capsys.readouterr().out)
    sizes = {(r["backend"], r["log_rows"]) for r in report["rows"]}
    assert ("stark", 6) in sizes and ("trace", 8) in sizes
    assert report["machine"]["cores"] >= 1
    assert "fib/stark" in report["cost_models"]
