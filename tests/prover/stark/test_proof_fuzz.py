"""Malformed and mutated proofs: every one is rejected with a typed error, none crashes or hangs."""

from __future__ import annotations

import random

import pytest

from prover.errors import ProofFormatError, SuperVMError, VerificationError
from prover.programs import get_program
from prover.stark.params import PRESETS
from prover.stark.prover import prove_trace
from prover.receipt import Journal
from prover.stark.verifier import verify_stark

PROGRAM = get_program("fib")


def _mutations(seal: bytes, rng: random.Random, count: int):
    """Yield (kind, mutated bytes): flips, byte sets, truncations, extensions, swaps, splices."""
    n = len(seal)
    for i in range(count):
        kind = ("flip", "set", "truncate", "extend", "swap", "duplicate", "zero")[i % 7]
        data = bytearray(seal)
        if kind == "flip":
            for _ in range(rng.randint(1, 3)):
                pos = rng.randrange(n)
                data[pos] ^= 1 << rng.randrange(8)
        elif kind == "set":
            data[rng.randrange(n)] = rng.choice([0, 0xFF, rng.randrange(256)])
            if data == bytearray(seal):
                data[0] ^= 0x80
        elif kind == "truncate":
            data = data[: rng.randrange(n)]
        elif kind == "extend":
            data += bytes(rng.randrange(256) for _ in range(rng.randint(1, 64)))
        elif kind == "swap":
            size = rng.choice([8, 16, 32])
            a, b = sorted(rng.sample(range(0, n - size), 2))
            if data[a : a + size] == data[b : b + size]:
                data[a] ^= 1
            else:
                data[a : a + size], data[b : b + size] = data[b : b + size], data[a : a + size]
        elif kind == "duplicate":
            size = rng.choice([8, 16, 32])
            a = rng.randrange(0, n - size)
            data[a:a] = data[a : a + size]
        else:
            size = rng.choice([8, 16, 32])
            a = rng.randrange(0, n - size)
            if any(data[a : a + size]):
                data[a : a + size] = bytes(size)
            else:
                data[a] = 1
        yield kind, bytes(data)


@pytest.mark.parametrize(
    "preset_name,n,count,seed",
    [("test", 50, 1200, 1), ("default", 100, 200, 2)],
)
def test_random_mutations_are_all_rejected(preset_name, n, count, seed):
    journal = Journal(PROGRAM.program_id, (n,), PROGRAM.execute((n,)))
    seal = prove_trace(PROGRAM, journal, PROGRAM.generate_trace((n,)), PRESETS[preset_name]).to_bytes()
    verify_stark(PROGRAM, journal, seal)
    rng = random.Random(seed)
    kinds: dict[str, int] = {}
    for kind, mutated in _mutations(seal, rng, count):
        assert mutated != seal
        with pytest.raises((ProofFormatError, VerificationError)):
            verify_stark(PROGRAM, journal, mutated)
        kinds[kind] = kinds.get(kind, 0) + 1
    assert len(kinds) == 7


@pytest.mark.parametrize("data", [b"", b"\x01", b"\x00" * 8, b"\xff" * 100, bytes(range(256)) * 4])
def test_garbage_is_rejected(data):
    journal = Journal(PROGRAM.program_id, (50,), PROGRAM.execute((50,)))
    with pytest.raises(SuperVMError):
        verify_stark(PROGRAM, journal, data)


def test_header_fields_out_of_range_are_format_errors(fib_receipt):
    journal = fib_receipt.journal
    for offset, value in [(0, 2), (1, 40), (2, 0), (2, 9), (3, 0), (4, 0), (4, 33), (5, 99), (6, 30), (7, 0), (7, 5)]:
        data = bytearray(fib_receipt.seal)
        data[offset] = value
        with pytest.raises((ProofFormatError, VerificationError)):
            verify_stark(PROGRAM, journal, bytes(data))


def test_non_bytes_seal_is_a_format_error(fib_receipt):
    with pytest.raises(ProofFormatError):
        verify_stark(PROGRAM, fib_receipt.journal, "not bytes")  # type: ignore[arg-type]
