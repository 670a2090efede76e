"""ProverService: batch, parallel, cached and adaptive proving; verify_batch."""

from __future__ import annotations

from dataclasses import replace

import pytest

from prover.backends import prove
from prover.errors import InvalidInputError, UnknownProgramError, VerificationError
from prover.receipt import Backend
from prover.service import ProveRequest, ProverService, ReceiptCache
from prover.service.cost_model import Fit


@pytest.fixture
def service():
    svc = ProverService(workers=2, cache=ReceiptCache(min_samples=4, probe_every=4))
    yield svc
    svc.close()


def test_prove_batch_matches_single_proves_and_reports_failures_per_request(service):
    requests = [ProveRequest.make("fib", (n,), "trace") for n in (5, 20, 0, 300)]
    requests += [ProveRequest.make("mimc", (3, 40), "trace"), ProveRequest.make("fib", (9,), "stark", "test")]
    requests.append(ProveRequest.make("nope", (1,), "stark", "test"))
    results = service.prove_batch(requests, use_cache=False)
    assert [r.ok for r in results] == [True, True, False, True, True, True, False]
    assert isinstance(results[2].error, InvalidInputError)
    assert isinstance(results[6].error, UnknownProgramError)
    assert results[3].receipt == prove("fib", (300,), Backend.TRACE)
    assert results[4].receipt == prove("mimc", (3, 40), Backend.TRACE)


def test_cache_hits_within_and_across_batches(service):
    requests = [ProveRequest.make("fib", (n,), "stark", "test") for n in (100, 101, 100, 102, 101, 100)]
    results = service.prove_batch(requests, use_cache=True)
    assert [r.cached for r in results] == [False, False, True, False, True, True]
    assert results[2].receipt == results[0].receipt
    stats = service.cache.stats()
    assert (stats.hits, stats.misses, stats.entries) == (3, 3, 3)
    again = service.prove_batch(requests[:2], use_cache=True)
    assert all(r.cached for r in again)
    assert service.cache.stats().hits == 5


def test_failed_requests_are_not_cached(service):
    bad = ProveRequest.make("fib", (0,), "stark", "test")
    service.prove_batch([bad, bad], use_cache=True)
    assert len(service.cache) == 0


def test_bypass_for_cheap_unique_requests(service):
    # cheap Trace requests, every one distinct: hit rate 0 < break-even -> the cache bypasses itself
    service.model.set_fit("trace", "fib", Fit(1e-6, 0.0, 0.0, 1), mode="batch")
    for start in range(0, 64, 16):
        service.prove_batch([ProveRequest.make("fib", (n,), "trace") for n in range(start + 1, start + 17)])
    stats = service.cache.stats()
    assert stats.bypassed > 0
    assert stats.lookups < 64


def test_adaptive_without_pool_is_sequential_and_correct(service):
    requests = [ProveRequest.make("fib", (n,), "trace") for n in range(100, 110)] * 3
    results = service.prove_adaptive(requests)
    assert service.last_plan.strategy == "sequential"
    assert [r.receipt.journal.inputs[0] for r in results] == [r.inputs[0] for r in requests]
    assert service.prove(requests[0]).ok


def test_parallel_and_adaptive_on_a_pool(pool):
    with ProverService(cache=False, pool=pool) as svc:
        requests = [ProveRequest.make("fib", (n,), "stark", "test") for n in range(200, 206)]
        requests.insert(2, ProveRequest.make("fib", (0,), "stark", "test"))
        results = svc.prove_parallel(requests)
        assert [r.ok for r in results] == [True, True, False, True, True, True, True]
        assert results[0].receipt == prove("fib", (200,), Backend.STARK, "test")
        assert svc.model.known("stark", "fib", "worker")
        # synthetic model: workers as fast as local, requests expensive -> the scheduler goes parallel
        svc.model.set_fit("stark", "fib", Fit(0.5, 0.0, 0.0, 1), mode="local")
        svc.model.set_fit("stark", "fib", Fit(0.5, 0.0, 0.0, 1), mode="worker")
        plan = svc.plan(requests)
        assert plan.strategy == "parallel"
    assert pool.ready_count() == 2  # the service did not close a pool it does not own


def test_verify_batch(service):
    good_trace = [prove("fib", (n,), Backend.TRACE) for n in (5, 300)]
    forged = replace(good_trace[0], seal=good_trace[0].seal[:-1] + bytes([good_trace[0].seal[-1] ^ 1]))
    stark = prove("fib", (9,), Backend.STARK, "test")
    results = service.verify_batch([*good_trace, forged, stark], allow_insecure=True)
    assert [r.ok for r in results] == [True, True, False, True]
    assert isinstance(results[2].error, VerificationError)
    strict = service.verify_batch([good_trace[0], stark])
    assert [r.ok for r in strict] == [False, True]


def test_stark_results_carry_the_expected_cost_with_the_search_at_its_mean(service):
    results = service.prove_batch([ProveRequest.make("fib", (n,), "stark", "default") for n in (30, 31, 32)], use_cache=False)
    for r in results:
        assert r.ok and r.expected_seconds is not None and r.expected_seconds >= 0
        assert r.model_seconds == r.expected_seconds
    trace = service.prove_batch([ProveRequest.make("mimc", (3, 40), "trace")], use_cache=False)[0]
    assert trace.expected_seconds is None and trace.model_seconds == trace.seconds  # no search ran


def test_adaptive_replans_the_misses_when_the_cache_serves_most_of_a_workload(service):
    requests = [ProveRequest.make("fib", (1000 + k % 6,), "stark", "test") for k in range(60)]
    unique = {r.cache_key(): r for r in requests}
    served = list(unique)[:5]  # 5 of the 6 distinct requests are cached: 50 of 60 lookups hit
    for key in served:
        r = unique[key]
        service.cache.put(key, prove(r.program, r.inputs, r.backend, r.resolved_options()))
    model = service.model
    model.set_fit("stark", "fib", Fit(0.015, 0.0, 0.0, 1), mode="local")
    for _ in range(5):
        model.observe("stark", "fib", 1024, 0.026, mode="worker", deviation_s=0.025)
    model.set_fit("stark", "fib", Fit(0.026, 0.0, 0.0, 1), mode="worker")
    service.start_pool()
    assert service.plan(requests).strategy == "parallel"  # 60 proofs, cache not measured yet
    results = service.prove_adaptive(requests)
    assert all(r.ok for r in results) and sum(r.cached for r in results) == 50 + 9  # repeats of the miss too
    assert service.last_plan.strategy == "sequential"  # one proof left: the pool does not pay
