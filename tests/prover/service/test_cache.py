"""ReceiptCache: keys cover the whole input, LRU order, byte bound, stats, break-even bypass."""

from __future__ import annotations

import threading

import pytest

from prover.backends import prove
from prover.receipt import Backend
from prover.service.cache import ReceiptCache, entry_size
from prover.service.request import ProveRequest


def _receipt(n: int):
    return prove("fib", (n,), Backend.TRACE)


def test_inputs_with_a_shared_trace_prefix_never_collide():
    # fib(n) traces for n = 1000..1063 share their first 1000 rows (and all of them share 2^10 rows);
    # the original design keyed on the first five trace states and would have collided on all.
    requests = [ProveRequest.make("fib", (n,), "trace") for n in range(1000, 1064)]
    keys = {r.cache_key() for r in requests}
    assert len(keys) == len(requests)
    cache = ReceiptCache()
    for r in requests:
        cache.put(r.cache_key(), prove("fib", r.inputs, Backend.TRACE))
    for r in requests:
        assert cache.get(r.cache_key()).journal.inputs == r.inputs


def test_key_covers_backend_options_program_and_trace_length():
    base = ProveRequest.make("fib", (100,), "stark", "test")
    variants = [
        base,
        ProveRequest.make("fib", (100,), "trace"),
        ProveRequest.make("fib", (100,), "stark", "default"),
        ProveRequest.make("fib", (100,), "stark", "test", trace_length=256),
        ProveRequest.make("mimc", (100, 7), "stark", "test"),
        ProveRequest.make("collatz", (100,), "stark", "test"),
    ]
    assert len({v.cache_key() for v in variants}) == len(variants)
    assert ProveRequest.make("fib", (100,), "stark", None).cache_key() == ProveRequest.make("fib", (100,), "stark", "default").cache_key()
    assert ProveRequest.make("fib", (-1,), "trace").cache_key() is None
    assert ProveRequest.make("nope", (1,), "trace").cache_key() is None


def test_lru_eviction_order():
    cache = ReceiptCache(max_entries=3)
    for k in (b"a", b"b", b"c"):
        cache.put(k, _receipt(5))
    assert cache.get(b"a") is not None  # a becomes most recent
    cache.put(b"d", _receipt(6))  # evicts b, the least recently used
    assert cache.keys() == [b"c", b"a", b"d"]
    assert b"b" not in cache
    assert cache.stats().evictions == 1


def test_byte_bound():
    size = entry_size(_receipt(5))
    cache = ReceiptCache(max_entries=100, max_bytes=3 * size)
    for i in range(10):
        cache.put(bytes([i]), _receipt(5))
        assert cache.stats().bytes <= 3 * size
    assert len(cache) == 3
    assert cache.keys() == [bytes([7]), bytes([8]), bytes([9])]
    assert cache.stats().evictions == 7
    tiny = ReceiptCache(max_bytes=size - 1)
    tiny.put(b"x", _receipt(5))  # larger than the whole cache: not stored
    assert len(tiny) == 0 and tiny.stats().bytes == 0


def test_stats_count_hits_and_misses():
    cache = ReceiptCache()
    cache.put(b"k", _receipt(5))
    assert cache.get(b"k") is not None
    assert cache.get(b"k") is not None
    assert cache.get(b"missing") is None
    stats = cache.stats()
    assert (stats.hits, stats.misses, stats.lookups) == (2, 1, 3)
    assert stats.hit_rate == pytest.approx(2 / 3)
    assert stats.entries == 1 and stats.bytes == entry_size(_receipt(5))


def test_thread_safety_keeps_bounds_and_counts():
    cache = ReceiptCache(max_entries=50)
    receipt = _receipt(5)

    def work(t: int) -> None:
        for i in range(500):
            key = bytes([t, i % 97])
            if cache.get(key) is None:
                cache.put(key, receipt)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stats = cache.stats()
    assert stats.lookups == 2000
    assert len(cache) <= 50
    assert stats.bytes == len(cache) * entry_size(receipt)


def test_bypass_below_break_even_and_probes():
    cache = ReceiptCache(min_samples=8, probe_every=4)
    cache.record_costs(lookup_s=1e-6, insert_s=1e-6)
    for i in range(16):  # all misses: hit rate 0
        cache.get(bytes([i]))
    # cheap proving (2 us): break-even is 2/3, far above 0 -> bypass, one request in 4 still probes
    assert cache.break_even(2e-6) == pytest.approx(2 / 3)
    assert not cache.worth_it(2e-6)
    mask = cache.consult_mask(12, 2e-6)
    assert sum(mask) == 3 and cache.stats().bypassed == 9
    # expensive proving (10 ms): break-even ~2e-4, still above a 0 % hit rate -> bypass
    assert not cache.worth_it(10e-3)
    cache.put(b"hot", _receipt(5))
    for _ in range(16):
        cache.get(b"hot")
    # now half the recent lookups hit: worth it for expensive proving, not for 2 us
    assert cache.worth_it(10e-3)
    assert not cache.worth_it(2e-6)
    assert cache.consult_mask(5, 10e-3) == [True] * 5


def test_too_few_samples_always_consults():
    cache = ReceiptCache(min_samples=8)
    assert cache.worth_it(1e-9)


def test_recent_hit_rate_tracks_the_window():
    cache = ReceiptCache(window=8)
    outcomes = [True, False, True, True, False, False, True, True, True, False, True, False, False]
    cache.put(b"k" * 32, _receipt(5))
    for hit in outcomes:
        cache.get(b"k" * 32 if hit else b"m" * 32)
    expected = sum(outcomes[-8:]) / 8
    assert cache.recent_hit_rate() == pytest.approx(expected)
    assert cache.recent() == (pytest.approx(expected), len(outcomes))
    assert cache.stats().recent_hit_rate == pytest.approx(expected)


def test_cache_key_is_computed_once_per_request():
    request = ProveRequest.make("fib", (30,), Backend.STARK)
    key = request.cache_key()
    assert request.cache_key() is key
    assert request == ProveRequest.make("fib", (30,), Backend.STARK)  # the memo is not part of equality
    assert ProveRequest.make("fib", (30,), Backend.STARK).cache_key() == key
