"""Structured logs: fields of a record appear in text and JSON lines."""

from __future__ import annotations

import io
import json
import logging

from node.logs import setup_logging


def test_json_and_text_lines_carry_fields():
    stream = io.StringIO()
    setup_logging("json", stream)
    logging.getLogger("supervm.test").info("batch proven", extra={"batch": 7, "prove_s": 0.25})
    record = json.loads(stream.getvalue().splitlines()[-1])
    assert record["event"] == "batch proven" and record["batch"] == 7 and record["level"] == "info"
    stream = io.StringIO()
    setup_logging("text", stream)
    logging.getLogger("supervm.test").warning("L1 unavailable", extra={"retry_in_s": 2})
    line = stream.getvalue().splitlines()[-1]
    assert "WARNING test: L1 unavailable retry_in_s=2" in line
