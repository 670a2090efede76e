"""Differential tests: the EVM STARK verifier accepts exactly what the Python verifier accepts.

Every case runs through both verifiers; they must agree.  Valid proofs of
every program at several sizes are accepted by both; hundreds of mutated
proofs, journals and program ids are rejected by both, the Python verifier
with a typed error (never a crash), the contract with a revert.
"""

from __future__ import annotations

import random
import struct

import pytest
from eth_tester.exceptions import TransactionFailed
from web3 import Web3
from web3.exceptions import ContractLogicError

from contracts.verifier import DeployedVerifier, deploy_verifier, verify_calldata
from prover.backends.stark import verify_stark_seal
from prover.errors import SuperVMError
from prover.math.goldilocks import P
from prover.programs import get_program, program_by_id
from prover.receipt import Journal
from prover.stark.params import ProofOptions, preset
from prover.stark.prover import prove_trace

TEST = preset("test")
#: Valid statements proved once per module: (program, inputs, options, trace rows or None).
CASES = [
    ("fib", (5,), TEST, None),
    ("fib", (100,), TEST, 128),
    ("fib", (30,), ProofOptions(log_blowup=3, log_folding=3, num_queries=6, grinding_bits=2, log_max_remainder=2), 64),
    ("fib", (9,), ProofOptions(log_blowup=1, log_folding=1, num_queries=3, grinding_bits=0, log_max_remainder=0), None),
    ("fib", (20,), ProofOptions(log_blowup=10, log_folding=3, num_queries=3, grinding_bits=0, log_max_remainder=2), 32),
    ("mimc", (7, 20), TEST, None),
    ("mimc", (3, 100), ProofOptions(log_blowup=2, log_folding=4, num_queries=4, grinding_bits=0, log_max_remainder=3), None),
    # A first FRI fold smaller and larger than the later ones (header byte 7).
    ("fib", (40,), ProofOptions(log_blowup=3, log_folding=3, num_queries=5, grinding_bits=1, log_max_remainder=2, log_first_folding=2), 128),
    ("collatz", (27,), ProofOptions(log_blowup=2, log_folding=1, num_queries=5, grinding_bits=0, log_max_remainder=1, log_first_folding=4), None),
    # Fewer than f points left after the last fold (8 rows at 2x blowup): no FRI layer follows it.
    ("fib", (5,), ProofOptions(log_blowup=1, log_folding=4, num_queries=2, grinding_bits=0, log_max_remainder=8), None),
    ("fib", (5,), ProofOptions(log_blowup=1, log_folding=3, num_queries=2, grinding_bits=0, log_max_remainder=0, log_first_folding=1), None),
    ("collatz", (6,), TEST, None),
]
REVERTED = (ContractLogicError, TransactionFailed)


def make_proof(name, inputs, options, rows):
    program = get_program(name)
    outputs = program.execute(inputs)
    journal = Journal(program.program_id, inputs, outputs)
    trace = program.generate_trace(inputs, rows)
    return journal.to_bytes(), prove_trace(program, journal, trace, options).to_bytes()


@pytest.fixture(scope="module")
def proofs():
    return [make_proof(*case) for case in CASES]


def python_accepts(journal: bytes, seal: bytes) -> bool:
    """The Python verifier's verdict; any exception other than a SuperVMError fails the test."""
    try:
        parsed = Journal.from_bytes(journal)
        verify_stark_seal(program_by_id(parsed.program_id), parsed, seal)
    except SuperVMError:
        return False
    return True


def evm_accepts(deployed: DeployedVerifier, journal: bytes, seal: bytes) -> bool:
    air = deployed.air_for(journal[:32])
    if air is None:
        return False  # the rollup refuses program ids it has no AIR for
    try:
        deployed.verifier.w3.eth.call({"to": deployed.verifier.address, "data": verify_calldata(air.address, journal, seal), "gas": 30_000_000})
    except REVERTED:
        return False
    return True


def _mutate_seal(rng: random.Random, seal: bytes, others: list[bytes]) -> bytes:
    data = bytearray(seal)
    kind = rng.randrange(9)
    if kind <= 2:  # flip one bit anywhere
        i = rng.randrange(len(data))
        data[i] ^= 1 << rng.randrange(8)
    elif kind == 3:  # header byte set to another value
        i = rng.randrange(8)
        data[i] = (data[i] + rng.randrange(1, 256)) % 256
    elif kind == 4:  # a commitment or out-of-domain value (front of the proof)
        i = 8 + rng.randrange(min(400, len(data) - 8))
        data[i] ^= 0xFF
    elif kind == 5:  # non-canonical field element: an aligned 8-byte word set to >= p
        i = 8 * rng.randrange(9, len(data) // 8)
        data[i : i + 8] = (P + rng.randrange(2**32 - 1)).to_bytes(8, "big")
    elif kind == 6:  # truncated
        data = data[: rng.randrange(len(data))]
    elif kind == 7:  # trailing bytes
        data += bytes(rng.randrange(256) for _ in range(rng.randint(1, 40)))
    else:  # a valid proof of another statement, or a splice of two proofs
        other = rng.choice(others)
        cut = rng.randrange(min(len(other), len(data)))
        data = bytearray(other) if rng.random() < 0.3 else data[:cut] + bytearray(other[cut:])
    return bytes(data)


def _mutate_journal(rng: random.Random, journal: bytes) -> bytes:
    parsed = Journal.from_bytes(journal)
    kind = rng.randrange(6)
    if kind == 0:  # another output
        outputs = ((parsed.outputs[0] + rng.randrange(1, 1000)) % P,) + parsed.outputs[1:]
        return Journal(parsed.program_id, parsed.inputs, outputs).to_bytes()
    if kind == 1:  # another input
        inputs = ((parsed.inputs[0] + 1) % P,) + parsed.inputs[1:]
        return Journal(parsed.program_id, inputs, parsed.outputs).to_bytes()
    if kind == 2:  # another program id (registered or not)
        others = [get_program(n).program_id for n in ("fib", "mimc", "collatz")]
        new_id = rng.choice([p for p in others if p != parsed.program_id] + [bytes(32), bytes([1]) * 32])
        return new_id + journal[32:]
    if kind == 3:  # one bit of the encoding
        data = bytearray(journal)
        data[rng.randrange(len(data))] ^= 1 << rng.randrange(8)
        return bytes(data)
    if kind == 4:  # wrong number of values
        return Journal(parsed.program_id, parsed.inputs + (1,), parsed.outputs).to_bytes()
    return journal[: rng.randrange(len(journal))]


def mutations(proofs: list[tuple[bytes, bytes]], count: int, seed: int) -> list[tuple[bytes, bytes]]:
    rng = random.Random(seed)
    seals = [s for _, s in proofs]
    out = []
    for _ in range(count):
        journal, seal = rng.choice(proofs)
        if rng.random() < 0.75:
            out.append((journal, _mutate_seal(rng, seal, seals)))
        else:
            out.append((_mutate_journal(rng, journal), seal))
    return out


@pytest.fixture(scope="module")
def embedded(w3) -> DeployedVerifier:
    return deploy_verifier(w3, w3.eth.accounts[0])


@pytest.fixture(scope="module")
def single(w3) -> DeployedVerifier:
    """The same verifier compiled with the single-journal statement bound (1,064 bytes)."""
    return deploy_verifier(w3, w3.eth.accounts[0], journal_bound="single")


@pytest.fixture(scope="module")
def on_anvil(anvil_url) -> DeployedVerifier:
    w3 = Web3(Web3.HTTPProvider(anvil_url, request_kwargs={"timeout": 120}))
    return deploy_verifier(w3, w3.eth.accounts[0])


def test_every_program_verifies_on_the_embedded_evm(embedded, proofs):
    for (journal, seal), case in zip(proofs, CASES):
        assert python_accepts(journal, seal), case
        bits = embedded.call_verify(journal, seal)
        options = case[2]
        assert bits == options.security_bits(seal[1]), case


def test_secure_fib_proof_verifies(embedded):
    journal, seal = make_proof("fib", (1000,), preset("default"), None)
    assert python_accepts(journal, seal)
    assert embedded.call_verify(journal, seal) == preset("default").security_bits(seal[1]) >= 100


@pytest.mark.parametrize("log_blowup, accepted", [(9, False), (10, True), (11, False), (0, False)])
def test_blowup_header_limit_agrees(embedded, proofs, log_blowup, accepted):
    """The header's log_blowup byte (third byte): 10 is the largest both verifiers accept."""
    index = next(i for i, case in enumerate(CASES) if case[2].log_blowup == 10)
    journal, seal = proofs[index]
    tampered = seal[:2] + bytes([log_blowup]) + seal[3:]
    assert python_accepts(journal, tampered) == accepted
    assert evm_accepts(embedded, journal, tampered) == accepted
    if log_blowup > 10:
        with pytest.raises(REVERTED, match="bad proof options: log_blowup"):
            embedded.call_verify(journal, tampered)


@pytest.mark.parametrize("log_first, accepted", [(2, True), (3, False), (1, False), (0, False), (5, False)])
def test_first_folding_header_byte_agrees(embedded, proofs, log_first, accepted):
    """The header's last byte is the first FRI round's log folding, 1..4; any other value than the
    prover's changes the transcript and the openings' shape, and 0 or 5 is out of range for both."""
    index = next(i for i, case in enumerate(CASES) if case[2].log_first_folding == 2 and case[2].log_folding == 3)
    journal, seal = proofs[index]
    tampered = seal[:7] + bytes([log_first]) + seal[8:]
    assert python_accepts(journal, tampered) == accepted
    assert evm_accepts(embedded, journal, tampered) == accepted
    if log_first in (0, 5):
        with pytest.raises(REVERTED, match="bad proof options: log_first_folding"):
            embedded.call_verify(journal, tampered)


def test_query_count_limit_agrees(embedded):
    """32 queries (the bound) verify on both; a header claiming 33 is refused by both, by the EVM for that reason."""
    journal, seal = make_proof("fib", (12,), ProofOptions(log_blowup=2, log_folding=2, num_queries=32, grinding_bits=0, log_max_remainder=2), None)
    assert python_accepts(journal, seal) and evm_accepts(embedded, journal, seal)
    tampered = seal[:4] + bytes([33]) + seal[5:]
    assert not python_accepts(journal, tampered) and not evm_accepts(embedded, journal, tampered)
    with pytest.raises(REVERTED, match="bad proof options: num_queries"):
        embedded.call_verify(journal, tampered)


def test_mutations_agree_on_the_embedded_evm(embedded, proofs):
    cases = mutations(proofs, 40, seed=1)
    for journal, seal in cases:
        python = python_accepts(journal, seal)
        assert evm_accepts(embedded, journal, seal) == python
        assert not python or (journal, seal) in proofs


def test_mutations_agree_on_anvil(on_anvil, proofs):
    cases = mutations(proofs, 320, seed=2)
    rejected = 0
    for journal, seal in cases:
        python = python_accepts(journal, seal)
        assert evm_accepts(on_anvil, journal, seal) == python, (journal.hex(), len(seal))
        rejected += not python
    valid = [(j, s) for j, s in proofs]
    for journal, seal in valid:
        assert evm_accepts(on_anvil, journal, seal)
    assert rejected >= 300


def test_single_journal_deployment_agrees(single, proofs):
    """The single-journal deployment accepts every valid proof and agrees with Python on mutations."""
    for journal, seal in proofs:
        assert evm_accepts(single, journal, seal)
    for journal, seal in mutations(proofs, 60, seed=3):
        assert evm_accepts(single, journal, seal) == python_accepts(journal, seal)


def test_single_journal_deployment_refuses_longer_statements(single, embedded, proofs):
    """A statement past 1,064 bytes is refused by the single deployment's ABI decoder, not misread;
    the general deployment rejects the same bytes for what they are (a malformed journal)."""
    journal, seal = proofs[0]
    long = journal + bytes(1065 - len(journal))
    assert not evm_accepts(single, long, seal)
    assert not evm_accepts(embedded, long, seal) and not python_accepts(long, seal)


def test_journal_value_list_edge_cases(embedded, proofs):
    journal, seal = proofs[0]
    program_id = journal[:32]
    for bad in (
        program_id + struct.pack(">I", 65) + bytes(8 * 65) + struct.pack(">I", 0),
        program_id + struct.pack(">I", 1) + P.to_bytes(8, "big") + struct.pack(">I", 1) + bytes(8),
        program_id + struct.pack(">I", 0) + struct.pack(">I", 0),
        journal + b"\x00",
    ):
        assert not python_accepts(bad, seal)
        assert not evm_accepts(embedded, bad, seal)
