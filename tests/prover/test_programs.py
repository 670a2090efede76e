"""Programs: ids, native execution, traces that satisfy their own AIR, input bounds."""

from __future__ import annotations

import pytest

from prover.air.air import TransitionDegree
from prover.errors import InvalidInputError, UnknownProgramError
from prover.math import goldilocks as gl
from prover.programs import PROGRAMS, get_program, program_by_id
from prover.programs.collatz import collatz_values


def test_program_ids_are_distinct_and_stable():
    ids = {p.program_id for p in PROGRAMS.values()}
    assert len(ids) == len(PROGRAMS)
    for program in PROGRAMS.values():
        assert len(program.program_id) == 32
        assert program_by_id(program.program_id) is program


def test_unknown_names_and_ids():
    with pytest.raises(UnknownProgramError):
        get_program("sha256")
    with pytest.raises(UnknownProgramError):
        program_by_id(b"\x00" * 32)


def test_fib_values():
    fib = get_program("fib")
    assert fib.execute((10,)) == (55,)
    assert fib.execute((1,)) == (1,)
    big = fib.execute((100,))[0]
    assert big == 354224848179261915075 % gl.P


def test_collatz_values():
    collatz = get_program("collatz")
    assert collatz.execute((1,)) == (0,)
    assert collatz.execute((27,)) == (111,)
    assert collatz_values(6) == [6, 3, 10, 5, 16, 8, 4, 2, 1]


def _check_trace(program, inputs, length=None):
    """Evaluate the AIR on the generated trace with plain ints: all constraints vanish."""
    trace = program.generate_trace(inputs, length)
    width, rows = trace.shape
    assert width == program.width
    periodic = [col[: min(len(col), rows)] for col in program.periodic_columns()]
    for i in range(rows - 1):
        cur = [int(v) for v in trace[:, i]]
        nxt = [int(v) for v in trace[:, i + 1]]
        per = [col[i % len(col)] for col in periodic]
        values = program.evaluate_transition(cur, nxt, per)
        assert all(v % gl.P == 0 for v in values), (program.name, i)
    outputs = program.execute(inputs)
    for a in program.assertions(inputs, outputs, rows):
        assert int(trace[a.column, a.row]) == a.value % gl.P


@pytest.mark.parametrize("name,inputs", [("fib", (30,)), ("mimc", (7, 70)), ("collatz", (27,)), ("collatz", (1,))])
def test_generated_traces_satisfy_their_air(name, inputs):
    _check_trace(get_program(name), inputs)


def test_padded_collatz_trace_satisfies_air():
    _check_trace(get_program("collatz"), (7,), 1 << 10)


@pytest.mark.parametrize(
    "name,inputs",
    [
        ("fib", (0,)),
        ("fib", (1 << 22,)),
        ("fib", (1, 2)),
        ("fib", ("7",)),
        ("fib", (-1,)),
        ("mimc", (gl.P, 5)),
        ("mimc", (1, 0)),
        ("collatz", (0,)),
        ("collatz", (1 << 32,)),
    ],
)
def test_inputs_out_of_bounds_are_rejected(name, inputs):
    with pytest.raises(InvalidInputError):
        get_program(name).validate_inputs(inputs)


def test_transition_degree_counts_periodic_cycles():
    assert TransitionDegree(1).evaluation_degree(16) == 15
    assert TransitionDegree(3).evaluation_degree(16) == 45
    assert TransitionDegree(1, (8,)).evaluation_degree(16) == 15 + 2 * 7


def test_composition_columns():
    assert get_program("fib").composition_columns(1 << 10) == 1
    assert get_program("mimc").composition_columns(1 << 10) == 2
    assert get_program("collatz").composition_columns(1 << 10) == 3
