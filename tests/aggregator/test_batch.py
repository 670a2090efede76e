"""Batch proofs: every member bound by the AIR, tampering refused, receipts round-trip."""

from __future__ import annotations

from dataclasses import replace

import pytest

from aggregator import BATCH_ID, BatchAir, BatchReceipt, BatchStatement, DAMode, prove_batch, verify_batch
from aggregator.statement import Group
from prover.air.air import SegmentAssertion
from prover.backends import prove, verify
from prover.math.goldilocks import P
from prover.errors import (
    InsecureReceiptError,
    InvalidInputError,
    InvalidParametersError,
    ProofFormatError,
    SuperVMError,
    TraceError,
    VerificationError,
)
from prover.programs import get_program
from prover.receipt import Backend, Journal
from prover.stark.params import preset
from prover.stark.prover import prove_trace

TEST = preset("test")
MIXED = [("fib", [7]), ("mimc", [3, 70]), ("collatz", [27]), ("fib", [20]), ("collatz", [7]), ("mimc", [5, 3])]


@pytest.fixture(scope="module")
def mixed():
    return prove_batch(MIXED, options=TEST)


def with_statement(receipt: BatchReceipt, statement: BatchStatement) -> BatchReceipt:
    return replace(receipt, statement=statement)


def test_mixed_batch_verifies_and_groups_by_program(mixed):
    assert verify_batch(mixed) == TEST.security_bits(mixed.seal[1])
    names = [get_program_name(j) for j in mixed.journals]
    assert names == ["fib", "fib", "mimc", "mimc", "collatz", "collatz"]
    assert mixed.request_count == len(MIXED)
    for journal in mixed.journals:
        program = get_program(get_program_name(journal))
        assert tuple(program.execute(journal.inputs)) == journal.outputs


def get_program_name(journal: Journal) -> str:
    for name in ("fib", "mimc", "collatz"):
        if get_program(name).program_id == journal.program_id:
            return name
    raise AssertionError("unknown program")


def test_receipt_round_trips(mixed):
    again = BatchReceipt.from_bytes(mixed.to_bytes())
    assert again == mixed
    assert verify_batch(again) > 0


@pytest.mark.parametrize("edit", ["alter", "reorder", "drop", "duplicate", "drop_group", "swap_value"])
def test_tampered_member_journals_are_rejected(mixed, edit):
    groups = list(mixed.statement.groups)
    fib = groups[0]
    a, b = fib.members
    if edit == "alter":
        groups[0] = Group(fib.form, (a, Journal(b.program_id, b.inputs, (b.outputs[0] + 1,))))
    elif edit == "reorder":
        groups[0] = Group(fib.form, (b, a))
    elif edit == "drop":
        groups[0] = Group(fib.form, (a,))
    elif edit == "duplicate":
        groups[0] = Group(fib.form, (a, b, b))
    elif edit == "drop_group":
        groups = groups[:2]
    else:
        groups[0] = Group(fib.form, (Journal(a.program_id, b.inputs, a.outputs), b))
    with pytest.raises((VerificationError, ProofFormatError)):
        verify_batch(with_statement(mixed, BatchStatement(BATCH_ID, tuple(groups))))


def cheat(statement: BatchStatement, trace_statement: BatchStatement, air_type=BatchAir) -> BatchReceipt:
    """What a cheating prover sends: the trace of one statement, proven against another."""
    trace = BatchAir(trace_statement).generate_trace()
    proof = prove_trace(air_type(statement), statement, trace, TEST, refuse_invalid=False)
    return BatchReceipt(Backend.STARK, statement, proof.to_bytes())


def fib_statement(*pairs: tuple[int, int]) -> BatchStatement:
    fib = get_program("fib").program_id
    return BatchStatement.from_journals(BATCH_ID, [Journal(fib, (n,), (out,)) for n, out in pairs])


def test_a_batch_with_an_invalid_member_cannot_be_proven_or_verified():
    honest = fib_statement((7, 13), (9, 34))
    lying = fib_statement((7, 13), (9, 35))
    air = BatchAir(lying)
    with pytest.raises(TraceError):
        prove_trace(air, lying, air.generate_trace(), TEST)
    with pytest.raises(VerificationError):
        verify_batch(cheat(lying, honest))


def test_a_fib_input_is_bound_by_its_entry_row():
    # F(1) = F(2) = 1: the outputs agree, so only the entry row (L - 1 - n) tells the inputs apart.
    honest = fib_statement((1, 1), (9, 34))
    lying = fib_statement((2, 1), (9, 34))
    air = BatchAir(lying)
    with pytest.raises(TraceError):
        prove_trace(air, lying, BatchAir(honest).generate_trace(), TEST)
    with pytest.raises(VerificationError):
        verify_batch(cheat(lying, honest))


def test_fib_segments_run_the_recurrence_and_end_on_the_output():
    statement = fib_statement((5, 5), (13, 233), (0, 0))
    air = BatchAir(statement)
    trace = air.generate_trace()
    length = air.segment_rows
    for j, (n, out) in enumerate([(5, 5), (13, 233), (0, 0)]):
        a, b = trace[0, j * length : (j + 1) * length], trace[1, j * length : (j + 1) * length]
        start = length - 1 - n
        assert (int(a[start]), int(b[start])) == (0, 1) and int(a[-1]) == out
        assert all(int(a[i + 1]) == int(b[i]) and int(b[i + 1]) == (int(a[i]) + int(b[i])) % P for i in range(length - 1))
    rows = {r.rows for r in air.row_set_assertions(air.min_trace_length)}
    assert rows == {tuple(j * length + length - 1 - n for j, n in enumerate([5, 13, 0, 0]))}


class TranscriptOnlyAir(BatchAir):
    """A batch AIR that leaves member values out of its constraints: the statement is only hashed."""

    def segment_assertions(self, trace_length: int) -> list[SegmentAssertion]:
        return [a for a in super().segment_assertions(trace_length) if len(set(a.values)) == 1]


def test_values_absorbed_only_in_the_transcript_bind_nothing():
    honest = fib_statement((7, 13), (9, 34))
    lying = fib_statement((7, 13), (9, 35))
    forged = cheat(lying, honest, TranscriptOnlyAir)
    # Under an AIR that does not constrain the values the forged statement verifies ...
    from prover.stark.verifier import verify_stark

    assert verify_stark(TranscriptOnlyAir(lying), lying, forged.seal).security_bits >= 0
    # ... and the real batch AIR refuses it.
    with pytest.raises(VerificationError):
        verify_batch(forged)


def test_batch_of_one_proves_the_same_statement_as_a_single_receipt():
    single = prove("fib", (30,), "stark", TEST)
    batch = prove_batch([("fib", [30])], options=TEST)
    assert batch.journals == (single.journal,)
    assert batch.journal_root == single.journal.digest
    assert verify(single).journal == batch.journals[0]
    assert verify_batch(batch) > 0


def test_members_can_be_given_as_journals_or_requests():
    from_requests = prove_batch([("fib", [12]), ("collatz", [6])], backend="trace")
    from_journals = prove_batch(list(from_requests.journals), backend="trace")
    assert from_requests == from_journals


def test_trace_batches_need_allow_insecure_and_match_re_execution():
    batch = prove_batch(MIXED, backend="trace")
    assert len(batch.seal) == 34
    with pytest.raises(InsecureReceiptError):
        verify_batch(batch)
    assert verify_batch(batch, allow_insecure=True) == 0
    j = batch.journals[0]
    bad = BatchStatement.from_journals(BATCH_ID, [Journal(j.program_id, j.inputs, (j.outputs[0] + 1,))] + list(batch.journals[1:]))
    with pytest.raises(VerificationError):
        verify_batch(with_statement(batch, bad), allow_insecure=True)


def test_bad_members_and_modes_are_refused_with_typed_errors():
    with pytest.raises(InvalidInputError):
        prove_batch([("fib", [0])], backend="trace")
    with pytest.raises(SuperVMError):
        prove_batch([("nope", [1])], backend="trace")
    with pytest.raises(InvalidParametersError, match="STARK backend"):
        prove_batch([("fib", [3])], backend="trace", da="root")
    with pytest.raises(InvalidParametersError, match="fib members only"):
        prove_batch([("fib", [3]), ("mimc", [3, 70])], da="root")
    with pytest.raises(InvalidParametersError):
        prove_batch([("fib", [3])], da="blob")
    with pytest.raises(ProofFormatError):
        prove_batch([], backend="trace")


@pytest.mark.parametrize(
    "data",
    [b"", b"\x00" * 35, BATCH_ID + b"\x00\x00\x00\x00", BATCH_ID + b"\x00\x00\x00\x01" + b"\x11" * 32 + b"\x00\x00\x00\x01"],
)
def test_malformed_statements_are_refused(data):
    with pytest.raises(ProofFormatError):
        BatchStatement.from_bytes(data)


def test_statement_encoding_is_canonical(mixed):
    data = mixed.statement.to_bytes()
    assert BatchStatement.from_bytes(data) == mixed.statement
    with pytest.raises(ProofFormatError):
        BatchStatement.from_bytes(data + b"\x00")
    # groups out of canonical order
    fib, mimc, collatz = mixed.statement.groups
    swapped = BatchStatement(BATCH_ID, (mimc, fib, collatz)).to_bytes()
    with pytest.raises(ProofFormatError):
        BatchStatement.from_bytes(swapped)
    with pytest.raises(ProofFormatError):
        BatchReceipt.from_bytes(mixed.to_bytes()[:-1])
    assert DAMode.parse("calldata") == DAMode.CALLDATA
