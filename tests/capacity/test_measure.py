"""Measurement helpers: the statement limit of a batch, and what the measured points carry."""

from __future__ import annotations

from capacity.measure import fib_members, max_members_by_statement, statement_size
from capacity.model import MAX_STATEMENT_BYTES


def test_statement_limit_is_the_largest_batch_the_contract_takes():
    n = max_members_by_statement()
    assert statement_size(fib_members(n)) <= MAX_STATEMENT_BYTES < statement_size(fib_members(n + 1))


def test_points_are_mined_transactions_with_their_split(measured):
    for p in measured["points"]:
        assert p.gas_used == 21_000 + p.calldata_gas + p.execution_gas  # no floor: verification dominates
        assert p.calldata_gas == 4 * p.tokens and p.calldata_bytes > p.statement_bytes > 0
        assert p.gas_used <= 16_777_216
    stark = [p for p in measured["points"] if p.backend == "stark"]
    assert all(p.trace_rows and p.prove_s is not None for p in stark)
