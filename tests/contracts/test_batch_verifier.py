"""Batch proofs on L1: the EVM verifier and the Python verifier agree; the rollup records every member.

Valid batches (one program, mixed programs, several sizes) are accepted by
both verifiers, with the same journal root; mutated statements and seals are
rejected by both.  Submitted batches record their member count, and every
member's inclusion proof verifies on L1 while forged ones fail.
"""

from __future__ import annotations

import random
import struct

import pytest

from aggregator import BATCH_ID, BatchReceipt, BatchStatement, inclusion_proof, prove_batch, verify_batch
from contracts.errors import L1Error
from contracts.rollup import deploy_rollup
from contracts.verifier import verify_request
from prover.crypto.keccak import keccak256
from prover.errors import SuperVMError
from prover.math.goldilocks import P
from prover.receipt import Backend
from prover.stark.params import preset

TEST = preset("test")
BATCHES = [
    [("fib", [10])],
    [("fib", [5]), ("fib", [100]), ("fib", [33])],
    [("mimc", [3, 70])],
    [("collatz", [27]), ("collatz", [7]), ("collatz", [9])],
    [("fib", [7]), ("mimc", [3, 70]), ("collatz", [27]), ("fib", [20]), ("collatz", [7]), ("mimc", [5, 3])],
    [("fib", [n]) for n in range(1, 38)],
]

#: Batches cut into L2 blocks (member counts in L2 order): each block is a subtree of the journal tree.
BLOCKED = [
    ([("fib", [n]) for n in range(3, 14)], [3, 1, 5, 2]),
    ([("fib", [7]), ("mimc", [3, 70]), ("collatz", [27]), ("fib", [20]), ("collatz", [7]), ("mimc", [5, 3]), ("fib", [9])], [2, 3, 2]),
]


@pytest.fixture(scope="module")
def batches():
    return [prove_batch(members, options=TEST) for members in BATCHES] + [
        prove_batch(members, options=TEST, blocks=blocks) for members, blocks in BLOCKED
    ]


@pytest.fixture(scope="module")
def anvil_rollup(anvil_url):
    from contracts.chain import RpcL1

    return deploy_rollup(RpcL1(anvil_url), dev_mode=True, min_security_bits=0)


def python_accepts(statement: bytes, seal: bytes) -> bool:
    """The Python verdict; anything but a SuperVMError fails the test."""
    try:
        verify_batch(BatchReceipt(Backend.STARK, BatchStatement.from_bytes(statement), seal))
    except SuperVMError:
        return False
    return True


def evm_accepts(rollup, statement: bytes, seal: bytes) -> bool:
    """The EVM verdict, always through the batch AIR contract (a mutated id must be refused by the verifier)."""
    fn = verify_request(rollup.verifier, rollup.airs[BATCH_ID].address, statement, seal)
    try:
        rollup.chain.call(fn, gas=rollup.chain_call_gas)
    except L1Error:
        return False
    return True


def test_valid_batches_verify_on_the_evm_with_the_same_root(anvil_rollup, batches):
    for batch in batches:
        statement = batch.statement.to_bytes()
        assert python_accepts(statement, batch.seal)
        assert anvil_rollup.verify_call(statement, batch.seal) == TEST.security_bits(batch.seal[1])
        assert anvil_rollup.journal_root(statement) == (batch.journal_root, batch.request_count)


def mutate_statement(data: bytes, rng: random.Random) -> bytes:
    """A statement edit that keeps the bytes parseable more often than not."""
    kind = rng.randrange(6)
    body = bytearray(data)
    if kind == 0:  # flip a byte of a member value
        at = rng.randrange(72, len(body))
        body[at] ^= 1 << rng.randrange(8)
    elif kind == 1:  # member count off by one
        body[68:72] = struct.pack(">I", struct.unpack(">I", body[68:72])[0] + rng.choice([-1, 1]))
    elif kind == 2:  # truncate or extend
        return bytes(body[:-8]) if rng.random() < 0.5 else bytes(body) + b"\x00" * 8
    elif kind == 3:  # a non-canonical value
        at = 72 + 8 * rng.randrange((len(body) - 72) // 8)
        body[at : at + 8] = (P + rng.randrange(1000)).to_bytes(8, "big")
    elif kind == 4:  # another batch id
        body[rng.randrange(32)] ^= 0x40
    else:  # swap two member records of the first group
        if len(body) >= 72 + 32:
            a, b = body[72:88], body[88:104]
            body[72:88], body[88:104] = b, a
        else:
            body[-1] ^= 1
    return bytes(body)


def test_mutated_statements_and_seals_are_rejected_by_both(anvil_rollup, batches):
    rng = random.Random(1234)
    cases = 0
    for _ in range(60):
        batch = rng.choice(batches[1:])
        statement = batch.statement.to_bytes()
        seal = batch.seal
        if rng.random() < 0.5:
            statement = mutate_statement(statement, rng)
        else:
            seal = bytearray(seal)
            seal[rng.randrange(len(seal))] ^= 1 << rng.randrange(8)
            seal = bytes(seal)
        if statement == batch.statement.to_bytes() and seal == batch.seal:
            continue
        py = python_accepts(statement, seal)
        evm = evm_accepts(anvil_rollup, statement, seal)
        assert py == evm, f"verifiers disagree (python {py}, evm {evm})"
        assert not py
        cases += 1
    assert cases >= 50


def test_proofs_of_another_trace_are_rejected_by_both(anvil_rollup):
    """A cheating prover's seal: the trace of one statement proven against another (entry row, output)."""
    from aggregator import BatchAir
    from prover.programs import get_program
    from prover.receipt import Journal
    from prover.stark.prover import prove_trace

    fib = get_program("fib").program_id

    def statement(*pairs):
        return BatchStatement.from_journals(BATCH_ID, [Journal(fib, (n,), (out,)) for n, out in pairs])

    honest = statement((1, 1), (9, 34), (4, 3))
    for lying in (statement((2, 1), (9, 34), (4, 3)), statement((1, 1), (9, 35), (4, 3))):
        seal = prove_trace(BatchAir(lying), lying, BatchAir(honest).generate_trace(), TEST, refuse_invalid=False).to_bytes()
        assert not python_accepts(lying.to_bytes(), seal)
        assert not evm_accepts(anvil_rollup, lying.to_bytes(), seal)
    seal = prove_trace(BatchAir(honest), honest, BatchAir(honest).generate_trace(), TEST).to_bytes()
    assert python_accepts(honest.to_bytes(), seal) and evm_accepts(anvil_rollup, honest.to_bytes(), seal)


def test_submitted_batch_records_members_and_serves_inclusion(l1, batches):
    rollup = deploy_rollup(l1, dev_mode=True, min_security_bits=0)
    batch = batches[4]
    result = rollup.submit_batch(0, batch)
    recorded = rollup.batch(0)
    assert recorded["journal_root"] == batch.journal_root
    assert recorded["request_count"] == batch.request_count == 6
    assert result.gas_used > 0
    for position, journal in enumerate(batch.journals):
        path = inclusion_proof(batch.journals, position)
        assert rollup.journal_in_batch(0, journal.to_bytes(), position, path)
        assert not rollup.journal_in_batch(0, journal.to_bytes(), (position + 1) % 6, path)
    forged = batch.journals[0].to_bytes()[:-1] + b"\x00"
    assert not rollup.journal_in_batch(0, forged, 0, inclusion_proof(batch.journals, 0))
    # Neither an inner node's 64-byte preimage with the shorter path above it, nor a padding slot.
    js = batch.journals  # 6 members: tree positions 6 and 7 are zero leaves
    short = inclusion_proof(js, 0)[1:]
    assert not rollup.journal_in_batch(0, js[0].digest + js[1].digest, 0, short)
    assert not rollup.journal_in_batch(0, bytes(32), 6, [bytes(32)] + inclusion_proof(js, 4)[1:])
    # A Trace batch in dev mode records the same root and count.
    trace = prove_batch(BATCHES[4], backend="trace")
    rollup.submit_batch(1, trace)
    assert rollup.batch(1)["journal_root"] == batch.journal_root
    assert rollup.batch(1)["request_count"] == 6


def test_each_l2_block_is_a_subtree_proven_on_l1(l1, batches):
    rollup = deploy_rollup(l1, dev_mode=True, min_security_bits=0)
    batch = batches[-1]  # three programs in L2 blocks of 2, 3 and 2 members
    assert len(batch.statement.blocks) == 3
    rollup.submit_batch(0, batch)
    assert rollup.batch(0)["journal_root"] == batch.journal_root
    layout = batch.statement.layout
    for journal, position in zip(batch.journals, batch.positions):
        path = batch.inclusion_path(position)
        assert rollup.journal_in_batch(0, journal.to_bytes(), position, path)
        block, _ = layout.block_of(position)
        node = journal.digest  # the path passes through the block's root
        for level, sibling in enumerate(path[: layout.block_level(block)]):
            node = keccak256(sibling + node) if (position >> level) & 1 else keccak256(node + sibling)
        assert node == batch.block_root(block)
    gaps = sorted(set(range(max(batch.positions) + 1)) - set(batch.positions))
    assert gaps, "the block of 3 leaves a padding leaf to check"
    with pytest.raises(SuperVMError):
        batch.inclusion_path(gaps[0])


def test_block_tables_that_do_not_fit_the_members_are_refused_by_both(anvil_rollup, batches):
    batch = batches[-2]  # fib only, blocks of 5, 3, 2 and 1 in tree order
    data = batch.statement.to_bytes()
    table = len(data) - 4 * 4
    cases = {
        "rows swapped out of tree order": data[:table] + data[table + 4 : table + 8] + data[table : table + 4] + data[table + 8 :],
        "a member moved between blocks": data[:table] + struct.pack(">4I", 4, 4, 2, 1),
        "an empty block": data[:table] + struct.pack(">4I", 5, 3, 3, 0),
        "counts that do not add up": data[:table] + struct.pack(">4I", 5, 3, 2, 2),
        "no blocks": data[: table - 4] + struct.pack(">I", 0),
        "a block count past the table": data[: table - 4] + struct.pack(">I", 5) + data[table:],
    }
    for name, statement in cases.items():
        py, evm = python_accepts(statement, batch.seal), evm_accepts(anvil_rollup, statement, batch.seal)
        assert (py, evm) == (False, False), name
    # moving a member to another block is a well-formed statement with another tree: the transcript
    # absorbs the table, so the seal does not carry over
    moved = BatchStatement.from_bytes(data[:table] + struct.pack(">4I", 4, 4, 2, 1))
    assert moved.journals == batch.journals and moved.journal_root != batch.journal_root


def test_production_rollup_refuses_trace_batches(anvil_url):
    from contracts.chain import RpcL1
    from contracts.errors import TransactionRevertedError

    rollup = deploy_rollup(RpcL1(anvil_url), dev_mode=False, min_security_bits=0)
    with pytest.raises(TransactionRevertedError):
        rollup.submit_batch(0, prove_batch([("fib", [3])], backend="trace"))
    assert rollup.batch_count() == 0
    assert BATCH_ID in rollup.airs
