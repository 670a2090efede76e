"""Journal and receipt encoding: canonical round trips and bounded, typed rejection."""

from __future__ import annotations

import struct

import pytest

from prover.errors import ProofFormatError
from prover.math.goldilocks import P
from prover.receipt import Backend, Journal, Receipt


def test_journal_round_trip_and_layout():
    journal = Journal(b"\xab" * 32, (1, P - 1), (42,))
    data = journal.to_bytes()
    assert data[:32] == b"\xab" * 32
    assert data[32:36] == struct.pack(">I", 2)
    assert len(data) == 32 + 4 + 16 + 4 + 8
    assert Journal.from_bytes(data) == journal
    assert len(journal.digest) == 32


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: d[:-1],
        lambda d: d + b"\x00",
        lambda d: d[:32] + struct.pack(">I", 10**6) + d[36:],
        lambda d: d[:36] + P.to_bytes(8, "big") + d[44:],
        lambda d: b"",
    ],
)
def test_journal_rejects_malformed(mutate):
    data = Journal(b"\x01" * 32, (5, 6), (7,)).to_bytes()
    with pytest.raises(ProofFormatError):
        Journal.from_bytes(mutate(data))


def test_receipt_round_trip(fib_receipt):
    data = fib_receipt.to_bytes()
    assert data[:4] == b"SVMR"
    assert Receipt.from_bytes(data) == fib_receipt
    assert fib_receipt.is_secure


@pytest.mark.parametrize(
    "mutate",
    [
        lambda d: b"XXXX" + d[4:],
        lambda d: d[:4] + b"\x09" + d[5:],
        lambda d: d[:5] + b"\x07" + d[6:],
        lambda d: d[:-1],
        lambda d: d + b"\x00",
        lambda d: d[:6] + struct.pack(">I", 2**31) + d[10:],
        lambda d: d[:12],
    ],
)
def test_receipt_rejects_malformed(mutate, fib_receipt):
    with pytest.raises(ProofFormatError):
        Receipt.from_bytes(mutate(fib_receipt.to_bytes()))


def test_backend_parse():
    assert Backend.parse("stark") is Backend.STARK
    assert Backend.parse("TRACE") is Backend.TRACE
    with pytest.raises(ValueError):
        Backend.parse("groth16")
