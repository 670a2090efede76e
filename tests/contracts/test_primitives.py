"""The Vyper field, transcript and Merkle modules agree with the Python prover's."""

from __future__ import annotations

import random

import numpy as np
import pytest
from eth_tester.exceptions import TransactionFailed
from web3.exceptions import ContractLogicError

from prover.crypto.merkle import MerkleTree
from prover.crypto.transcript import Transcript
from prover.math.goldilocks import P
from prover.math.goldilocks_ext import Ext

rng = random.Random(13)
REVERTED = (ContractLogicError, TransactionFailed)


def test_extension_arithmetic(harness):
    for _ in range(20):
        a = Ext(rng.randrange(P), rng.randrange(P))
        b = Ext(rng.randrange(P), rng.randrange(P))
        assert tuple(harness.functions.ext_mul(a.c0, a.c1, b.c0, b.c1).call()) == ((a * b).c0, (a * b).c1)
        inv = a.inverse()
        assert tuple(harness.functions.ext_inv(a.c0, a.c1).call()) == (inv.c0, inv.c1)
    assert harness.functions.inv(P - 1).call() == P - 1
    with pytest.raises(REVERTED):
        harness.functions.inv(0).call()


def test_transcript_draws(harness):
    t = Transcript(b"seed")
    state = t.state
    e = t.draw_ext()
    new_state, c0, c1 = harness.functions.draw_ext(state).call()
    assert new_state == t.state and (c0, c1) == (e.c0, e.c1)


def test_multiproof_matches_python(harness):
    leaves = np.frombuffer(bytes(rng.randrange(256) for _ in range(256 * 16)), dtype=np.uint8).reshape(256, 16)
    tree = MerkleTree(leaves)
    for _ in range(5):
        idx = sorted(rng.sample(range(256), rng.randint(1, 30)))
        nodes = tree.multiproof(idx)
        hashes = [tree.leaf_hash(i) for i in idx]
        used = harness.functions.verify_multiproof(tree.root, tree.depth, idx, hashes, b"".join(nodes)).call()
        assert used == 32 * len(nodes)
        bad = bytearray(b"".join(nodes))
        bad[rng.randrange(len(bad))] ^= 1
        with pytest.raises(REVERTED):
            harness.functions.verify_multiproof(tree.root, tree.depth, idx, hashes, bytes(bad)).call()
