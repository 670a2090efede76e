"""The Trace backend: development-only, insecure, and refused in production settings."""

from __future__ import annotations

import pytest

from prover.backends import prove, verify
from prover.errors import InsecureReceiptError, ProofFormatError, VerificationError
from prover.programs import get_program
from prover.receipt import Backend, Journal, Receipt


@pytest.mark.parametrize(
    "name,inputs",
    [
        ("fib", (5,)),
        ("fib", (255,)),
        ("fib", (4095,)),
        ("fib", (65535,)),
        ("mimc", (9, 7)),
        ("mimc", (1, 300)),
        ("mimc", (2**63, 65535)),
        ("collatz", (1,)),
        ("collatz", (27,)),
    ],
)
def test_trace_receipts_verify_by_re_execution(name, inputs):
    receipt = prove(name, inputs, Backend.TRACE)
    assert not receipt.is_secure
    result = verify(receipt, allow_insecure=True)
    assert result.journal.outputs == get_program(name).execute(inputs)
    assert result.security_bits == 0


def test_trace_receipts_are_refused_by_default():
    receipt = prove("fib", (20,), Backend.TRACE)
    with pytest.raises(InsecureReceiptError):
        verify(receipt)


def test_trace_receipt_same_serialization_as_stark():
    receipt = prove("fib", (20,), Backend.TRACE)
    assert Receipt.from_bytes(receipt.to_bytes()) == receipt


def test_trace_receipt_with_wrong_output_fails():
    receipt = prove("fib", (20,), Backend.TRACE)
    forged = Journal(receipt.journal.program_id, receipt.journal.inputs, (1,))
    with pytest.raises(VerificationError):
        verify(Receipt(forged, Backend.TRACE, receipt.seal), allow_insecure=True)


def test_trace_receipt_with_tampered_commitment_fails():
    receipt = prove("fib", (20,), Backend.TRACE)
    seal = receipt.seal[:-1] + bytes([receipt.seal[-1] ^ 1])
    with pytest.raises(VerificationError):
        verify(Receipt(receipt.journal, Backend.TRACE, seal), allow_insecure=True)


@pytest.mark.parametrize("seal", [b"", b"\x01", b"\x02" + b"\x00" * 33, b"\x01" * 40])
def test_malformed_trace_seal(seal):
    receipt = prove("fib", (20,), Backend.TRACE)
    with pytest.raises(ProofFormatError):
        verify(Receipt(receipt.journal, Backend.TRACE, seal), allow_insecure=True)
