"""The keccak tree of member journals: roots, inclusion proofs, forgeries."""

from __future__ import annotations

import pytest

from aggregator.journal_tree import ZERO_LEAF, InclusionError, inclusion_proof, journal_root, verify_inclusion
from prover.crypto.keccak import keccak256
from prover.errors import ProofFormatError
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
        assert verify_inclusion(root, member.to_bytes(), position, path)
        assert not verify_inclusion(root, member.to_bytes(), position ^ 1, path)
        assert not verify_inclusion(root, member.to_bytes()[:-1] + bytes([member.to_bytes()[-1] ^ 1]), position, path)
        if path:
            bad = list(path)
            bad[0] = bytes(32) if bad[0] != bytes(32) else b"\x01" * 32
            assert not verify_inclusion(root, member.to_bytes(), position, bad)


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


def test_blocks_are_aligned_subtrees_widest_first():
    from aggregator.blocks import BlockLayout, width

    sizes_l2 = [3, 1, 5, 2, 1]
    order = BlockLayout.tree_order(sizes_l2)
    assert [sizes_l2[k] for k in order] == [5, 3, 2, 1, 1]
    layout = BlockLayout(tuple(sizes_l2[k] for k in order))
    assert layout.starts == (0, 8, 12, 14, 15)
    assert layout.end == 16 and layout.member_count == 12
    for k, (start, size) in enumerate(zip(layout.starts, layout.sizes)):
        assert start % width(size) == 0  # aligned: the node above the run is the block root
        assert layout.block_of(start + size - 1) == (k, size - 1)
    with pytest.raises(ProofFormatError):
        layout.block_of(5)  # padding after the block of 5
    with pytest.raises(ProofFormatError):
        BlockLayout((2, 5))  # not widest first


def test_a_blocked_tree_is_the_tree_of_its_block_roots():
    from aggregator.journal_tree import journal_root, journal_tree_node

    js = journals(6)
    positions = [0, 1, 2, 4, 5, 6]  # blocks of 3 and 2 members, then 1
    root = journal_root(js, positions)
    block_roots = [journal_tree_node(js, positions, 2, 0), journal_tree_node(js, positions, 1, 2), journal_tree_node(js, positions, 0, 6)]
    assert block_roots[0] == journal_root(js[:3])
    assert block_roots[1] == journal_root(js[3:5])
    assert block_roots[2] == js[5].digest
    assert root == keccak256(block_roots[0] + keccak256(block_roots[1] + keccak256(block_roots[2] + ZERO_LEAF)))
    for position, j in zip(positions, js):
        assert verify_inclusion(root, j.to_bytes(), position, inclusion_proof(js, position, positions))
    with pytest.raises(InclusionError):
        inclusion_proof(js, 3, positions)  # the padding leaf after the block of 3


def _climb(node: bytes, position: int, path: list[bytes]) -> bytes:
    for sibling in path:
        node = keccak256(sibling + node) if position & 1 else keccak256(node + sibling)
        position >>= 1
    return node


def test_inner_nodes_and_padding_leaves_are_not_members():
    """A hash-only rule would accept an inner node with a shorter path, or a padding slot's zero leaf."""
    js = journals(5)
    root = journal_root(js)
    node_preimage = js[0].digest + js[1].digest  # the 64 bytes under inner node (level 1, index 0)
    short_path = inclusion_proof(js, 0)[1:]
    padding_path = [js[4].digest] + inclusion_proof(js, 4)[1:]  # tree position 5 holds no member
    assert _climb(keccak256(node_preimage), 0, short_path) == root
    assert _climb(ZERO_LEAF, 5, padding_path) == root
    assert not verify_inclusion(root, node_preimage, 0, short_path)
    assert not verify_inclusion(root, ZERO_LEAF, 5, padding_path)
