"""The batch AIR's shape: segments, widths, composition columns (mirrored by contracts/air/batch.vy)."""

from __future__ import annotations

import pytest

from aggregator import BATCH_ID, BatchAir, BatchStatement
from aggregator.segments import FORMS
from prover.receipt import Journal


def statement(forms: tuple[int, ...], members: int) -> BatchStatement:
    journals = []
    for k in forms:
        form = FORMS[k]
        journals += [Journal(form.program.program_id, form.padding_inputs, form.padding_outputs)] * members
    return BatchStatement.from_journals(BATCH_ID, journals)


def contract_comp_columns(forms: tuple[int, ...], segments: int) -> int:
    """The rule contracts/air/batch.vy (_comp_columns) applies."""
    comp = 1
    if 1 in forms:
        comp = 4 if segments > 2 else 3
    if 2 in forms:
        comp = max(comp, 3)
    return comp


@pytest.mark.parametrize("forms", [(0,), (1,), (2,), (0, 1), (0, 2), (1, 2), (0, 1, 2)])
@pytest.mark.parametrize("members", [1, 2, 3, 4, 9])
def test_composition_columns_match_the_contract_rule(forms, members):
    air = BatchAir(statement(forms, members))
    assert air.segments(air.min_trace_length) == 1 << (members - 1).bit_length()
    assert air.width == sum(FORMS[k].width for k in forms)
    for scale in (1, 4):
        assert air.composition_columns(air.min_trace_length * scale) == contract_comp_columns(forms, air.segment_count)


def test_segment_length_covers_the_longest_member_and_mimc_cycle():
    fib = FORMS[0].program.program_id
    mimc = FORMS[1].program.program_id
    air = BatchAir(BatchStatement.from_journals(BATCH_ID, [Journal(fib, (100,), (0,)), Journal(fib, (3,), (2,))]))
    assert air.segment_rows == 128 and air.min_trace_length == 256
    air = BatchAir(BatchStatement.from_journals(BATCH_ID, [Journal(fib, (3,), (2,)), Journal(mimc, (1, 2), (0,))]))
    assert air.segment_rows == 64


def test_generated_trace_satisfies_every_segment_assertion():
    air = BatchAir(statement((0, 1, 2), 3))
    trace = air.generate_trace()
    segment = trace.shape[1] // air.segment_count
    for a in air.segment_assertions(trace.shape[1]):
        assert [int(v) for v in trace[a.column, a.offset :: segment]] == list(a.values)
