"""The keccak tree of member journals: roots, inclusion proofs, forgeries."""

from __future__ import annotations

import pytest

from aggregator.journal_tree import InclusionError, inclusion_proof, journal_root, verify_inclusion
from prover.crypto.keccak import keccak256
from prover.programs import get_program
from prover.receipt import Journal

FIB = get_program("fib").program_id


def journals(count: int) -> list[Journal]:
    return [Journal(FIB, (n,), (n * 7,)) for n in range(1, count + 1)]


def test_single_journal_is_its_own_root():
    (j,) = journals(1)
    assert journal_root([j]) == j.digest == keccak256(j.to_bytes())
    assert inclusion_proof([j], 0) == []


@pytest.mark.parametrize("count", [2, 3, 5, 8, 13])
def test_every_member_has_a_valid_path_and_forgeries_fail(count):
    members = journals(count)
    root = journal_root(members)
    for position, member in enumerate(members):
        path = inclusion_proof(members, position)
        assert verify_inclusion(root, member.digest, position, path)
        assert not verify_inclusion(root, member.digest, position ^ 1, path)
        assert not verify_inclusion(root, keccak256(b"forged"), position, path)
        if path:
            bad = list(path)
            bad[0] = bytes(32) if bad[0] != bytes(32) else b"\x01" * 32
            assert not verify_inclusion(root, member.digest, position, bad)


def test_padding_leaves_are_zero_words():
    a, b, c = journals(3)
    left = keccak256(a.digest + b.digest)
    right = keccak256(c.digest + bytes(32))
    assert journal_root([a, b, c]) == keccak256(left + right)


def test_order_changes_the_root():
    members = journals(4)
    assert journal_root(members) != journal_root(members[::-1])


def test_position_outside_the_batch_is_refused():
    with pytest.raises(InclusionError):
        inclusion_proof(journals(3), 3)
    with pytest.raises(InclusionError):
        journal_root([])
