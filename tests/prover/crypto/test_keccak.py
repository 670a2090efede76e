"""numba keccak256 kernels against pycryptodome, and proof-of-work grinding."""

from __future__ import annotations

import hashlib
import random

import numba
import numpy as np
import pytest
from Crypto.Hash import keccak as reference

from prover.crypto.keccak import GrindMeter, grind, hash_pairs, keccak256, keccak256_rows, keccak_f, keccak_f4, pow_ok

rng = random.Random(5)

EMPTY = "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"
ABC = "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"


def ref(data: bytes) -> bytes:
    return reference.new(digest_bits=256, data=data).digest()


def random_rows(count: int, length: int) -> np.ndarray:
    return np.frombuffer(rng.randbytes(count * length), dtype=np.uint8).reshape(count, length)


def test_known_vectors():
    assert keccak256(b"").hex() == EMPTY
    assert keccak256(b"abc").hex() == ABC
    assert keccak256_rows(np.zeros((1, 0), dtype=np.uint8))[0].tobytes().hex() == EMPTY
    assert keccak256_rows(np.frombuffer(b"abc", dtype=np.uint8).reshape(1, 3))[0].tobytes().hex() == ABC


def test_differs_from_sha3():
    assert keccak256(b"") != hashlib.sha3_256(b"").digest()


def test_permutation_of_zero_state():
    single = np.zeros(25, dtype=np.uint64)
    keccak_f(single)
    assert single[0] == 0xF1258F7940E1DDE7 and single[1] == 0x84D5CCF933C0478A
    four = np.zeros(100, dtype=np.uint64)
    keccak_f4(four)
    for j in range(4):
        assert np.array_equal(four[j::4], single)


def test_four_way_permutation_matches_four_scalar_ones():
    states = np.array([rng.getrandbits(64) for _ in range(100)], dtype=np.uint64)
    together = states.copy()
    keccak_f4(together)
    for j in range(4):
        alone = states[j::4].copy()
        keccak_f(alone)
        assert np.array_equal(alone, together[j::4])


@pytest.mark.parametrize("length", list(range(301)))
def test_rows_match_reference_for_every_length(length):
    data = random_rows(5, length)
    out = keccak256_rows(data)
    assert out.shape == (5, 32) and out.dtype == np.uint8
    for i in range(5):
        assert out[i].tobytes() == ref(data[i].tobytes())


@pytest.mark.parametrize("count", [0, 1, 2, 3, 4, 5, 2047, 2048, 3075])
def test_rows_any_count(count):
    data = random_rows(count, 40)
    out = keccak256_rows(data)
    assert out.shape == (count, 32)
    assert all(out[i].tobytes() == ref(data[i].tobytes()) for i in range(count))


def test_rows_accept_non_contiguous_and_reject_other_types():
    data = random_rows(16, 50)
    view = data[::2, 3:40]
    out = keccak256_rows(view)
    assert all(out[i].tobytes() == ref(view[i].tobytes()) for i in range(8))
    with pytest.raises(ValueError):
        keccak256_rows(np.zeros((4, 2), dtype=np.uint64))
    with pytest.raises(ValueError):
        keccak256_rows(np.zeros(8, dtype=np.uint8))


@pytest.mark.parametrize("count", [1, 2, 5, 64, 2048, 3001])
def test_hash_pairs(count):
    nodes = random_rows(2 * count, 32)
    out = hash_pairs(nodes)
    assert out.shape == (count, 32)
    for i in range(count):
        assert out[i].tobytes() == ref(nodes[2 * i].tobytes() + nodes[2 * i + 1].tobytes())


def test_hash_pairs_unaligned_empty_and_bad_shapes():
    buffer = np.frombuffer(rng.randbytes(1 + 32 * 6), dtype=np.uint8)
    nodes = buffer[1:].reshape(6, 32)
    out = hash_pairs(nodes)
    assert all(out[i].tobytes() == ref(nodes[2 * i].tobytes() + nodes[2 * i + 1].tobytes()) for i in range(3))
    assert hash_pairs(np.zeros((0, 32), dtype=np.uint8)).shape == (0, 32)
    for bad in (np.zeros((3, 32), dtype=np.uint8), np.zeros((2, 31), dtype=np.uint8), np.zeros((2, 4), dtype=np.uint64)):
        with pytest.raises(ValueError):
            hash_pairs(bad)


def _first_valid_nonce(seed: bytes, bits: int, limit: int) -> int | None:
    """Brute force with the batch kernel: the smallest nonce below ``limit`` meeting ``bits``."""
    nonces = np.arange(limit, dtype=">u8").view(np.uint8).reshape(limit, 8)
    rows = np.hstack([np.tile(np.frombuffer(seed, dtype=np.uint8), (limit, 1)), nonces])
    digests = keccak256_rows(rows)
    top = digests[:, :8].copy().view(">u8").ravel()
    hits = np.nonzero(top >> np.uint64(64 - bits) == 0)[0]
    return int(hits[0]) if hits.size else None


@pytest.mark.parametrize("bits", [1, 3, 8, 12])
def test_grind_finds_the_smallest_nonce(bits):
    for _ in range(5):
        seed = rng.randbytes(32)
        nonce = grind(seed, bits)
        assert pow_ok(seed, nonce, bits)
        assert not any(pow_ok(seed, k, bits) for k in range(nonce))
        assert int.from_bytes(ref(seed + nonce.to_bytes(8, "big")), "big") < 1 << (256 - bits)


@pytest.mark.parametrize("bits", [14, 16])
def test_grind_smallest_nonce_across_chunks(bits):
    for _ in range(3):
        seed = rng.randbytes(32)
        nonce = grind(seed, bits)
        assert pow_ok(seed, nonce, bits)
        assert _first_valid_nonce(seed, bits, nonce + 1) == nonce


def test_grind_does_not_depend_on_thread_count():
    seed = rng.randbytes(32)
    expected = grind(seed, 13)
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        assert grind(seed, 13) == expected
    finally:
        numba.set_num_threads(threads)


def test_grind_meter_keeps_actual_and_expected_search_time_per_thread():
    meter = GrindMeter()
    assert meter.totals() == (0.0, 0.0) and meter.mean_seconds(16) is None
    meter.record(16, 0.010)
    meter.record(16, 0.030)  # the mean is now 0.020: this search counts 0.030 actual, 0.020 expected
    assert meter.totals() == pytest.approx((0.040, 0.030))
    assert meter.mean_seconds(16) == pytest.approx(0.020)
    seen = []
    import threading

    other = threading.Thread(target=lambda: (meter.record(16, 0.050), seen.append(meter.totals())))
    other.start()
    other.join()
    assert seen == [pytest.approx((0.050, 0.030))]  # the process-wide mean, the thread's own totals
    assert meter.totals() == pytest.approx((0.040, 0.030))


def test_grind_feeds_the_process_meter():
    from prover.crypto.keccak import GRIND_METER

    before = GRIND_METER.totals()
    grind(rng.randbytes(32), 12)
    after = GRIND_METER.totals()
    assert after[0] > before[0] and after[1] > before[1]
    assert GRIND_METER.mean_seconds(12) > 0


def test_grind_zero_bits_and_bad_arguments():
    assert grind(bytes(32), 0) == 0
    with pytest.raises(ValueError):
        grind(b"short", 4)
    with pytest.raises(ValueError):
        grind(bytes(32), 65)
    with pytest.raises(ValueError):
        grind(bytes(32), -1)


def test_pow_ok():
    seed = rng.randbytes(32)
    nonce = grind(seed, 10)
    assert pow_ok(seed, nonce, 10)
    assert pow_ok(seed, nonce, 0)
    assert pow_ok(seed, 12345, 0)
    digest = int.from_bytes(ref(seed + nonce.to_bytes(8, "big")), "big")
    zeros = 256 - digest.bit_length()
    assert pow_ok(seed, nonce, zeros) and not pow_ok(seed, nonce, zeros + 1)
    assert not pow_ok(seed, -1, 0)
    assert not pow_ok(seed, 1 << 64, 0)
    with pytest.raises(ValueError):
        pow_ok(seed, 0, 65)
