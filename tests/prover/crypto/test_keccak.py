"""numba keccak256 against pycryptodome, and proof-of-work grinding."""

from __future__ import annotations

import random

import numpy as np
import pytest
from Crypto.Hash import keccak as reference

from prover.crypto.keccak import grind, hash_pairs, keccak256, keccak256_rows, pow_ok

rng = random.Random(5)


def ref(data: bytes) -> bytes:
    return reference.new(digest_bits=256, data=data).digest()


def test_known_vectors():
    assert keccak256(b"").hex() == "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
    assert keccak256(b"abc").hex() == "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"
    rows = np.frombuffer(b"abc", dtype=np.uint8).reshape(1, 3)
    assert keccak256_rows(rows)[0].tobytes() == keccak256(b"abc")


def test_differs_from_sha3():
    import hashlib

    assert keccak256(b"") != hashlib.sha3_256(b"").digest()


@pytest.mark.parametrize("length", list(range(0, 301)))
def test_rows_match_reference_for_every_length(length):
    data = np.frombuffer(bytes(rng.randrange(256) for _ in range(3 * length)), dtype=np.uint8).reshape(3, length)
    out = keccak256_rows(np.ascontiguousarray(data))
    for i in range(3):
        assert out[i].tobytes() == ref(data[i].tobytes())


def test_hash_pairs():
    nodes = np.frombuffer(bytes(rng.randrange(256) for _ in range(32 * 64)), dtype=np.uint8).reshape(64, 32)
    out = hash_pairs(nodes)
    for i in range(32):
        assert out[i].tobytes() == ref(nodes[2 * i].tobytes() + nodes[2 * i + 1].tobytes())


@pytest.mark.parametrize("bits", [0, 1, 3, 8, 12])
def test_grind_finds_the_smallest_nonce(bits):
    for _ in range(5):
        seed = bytes(rng.randrange(256) for _ in range(32))
        nonce = grind(seed, bits)
        assert pow_ok(seed, nonce, bits)
        assert not any(pow_ok(seed, k, bits) for k in range(nonce))
        digest = int.from_bytes(ref(seed + nonce.to_bytes(8, "big")), "big")
        assert digest < 1 << (256 - bits)


def test_grind_rejects_bad_arguments():
    with pytest.raises(ValueError):
        grind(b"short", 4)
    with pytest.raises(ValueError):
        grind(bytes(32), 65)
