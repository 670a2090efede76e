"""AdaptiveScheduler decisions on synthetic cost models."""

from __future__ import annotations

import pytest

from prover.service.cost_model import CostModel, Fit
from prover.service.scheduler import AdaptiveScheduler, CacheView, WorkItem


def _scheduler(local_s: float, worker_s: float, workers: int = 2, dispatch_s: float = 3e-4) -> AdaptiveScheduler:
    model = CostModel()
    model.set_fit("stark", "fib", Fit(local_s, 0.0, 0.0, 1), mode="local")
    model.set_fit("stark", "fib", Fit(worker_s, 0.0, 0.0, 1), mode="worker")
    return AdaptiveScheduler(model, workers, dispatch_s=dispatch_s, transfer_s=2e-5)


def test_tiny_requests_stay_sequential():
    plan = _scheduler(5e-6, 5e-6).plan([WorkItem("stark", "fib", 32, 330)])
    assert plan.strategy == "sequential"


def test_large_requests_go_parallel():
    plan = _scheduler(0.054, 0.066).plan([WorkItem("stark", "fib", 1 << 14, 10)])
    assert plan.strategy == "parallel"
    assert plan.parallel_s < plan.sequential_s
    assert plan.chunk_size == 1  # expensive requests: one per chunk balances best


def test_parallel_loses_when_workers_are_much_slower_than_local():
    # local proving already uses every core: a worker is 2.5x slower, so 2 workers cannot win
    plan = _scheduler(0.02, 0.05).plan([WorkItem("stark", "fib", 1024, 10)])
    assert plan.strategy == "sequential"


def test_single_request_is_never_split():
    plan = _scheduler(0.05, 0.06).plan([WorkItem("stark", "fib", 1 << 14, 1)])
    assert plan.strategy == "sequential"  # one request cannot use two workers


def test_no_pool_means_sequential():
    plan = _scheduler(0.05, 0.05).plan([WorkItem("stark", "fib", 1 << 14, 10)], pool_available=False)
    assert plan.strategy == "sequential" and plan.reason == "no pool"


def test_chunk_size_amortises_dispatch_for_cheap_requests():
    s = _scheduler(1e-4, 1e-4, dispatch_s=1e-3)
    # dispatch must be <= 5 % of a chunk: 1e-3 / (0.05 * 1e-4) = 200 requests per chunk
    assert s.chunk_size(1e-4, 100_000) == 200
    # but never fewer chunks than 2 per worker
    assert s.chunk_size(1e-4, 400) == 100
    assert s.chunk_size(1.0, 10) == 1


def test_cache_used_above_break_even_only():
    s = _scheduler(0.02, 0.02)
    work = [WorkItem("stark", "fib", 1024, 30)]
    hot = s.plan(work, CacheView(hit_rate=0.67, lookup_s=5e-6, insert_s=5e-6))
    assert hot.use_cache and hot.sequential_s < 0.02 * 30 * 0.5
    cold = s.plan(work, CacheView(hit_rate=0.0, lookup_s=5e-6, insert_s=5e-6))
    assert not cold.use_cache
    # cheap proving: a 50 % hit rate is below the break-even of lookups costing as much as proving
    cheap = _scheduler(2e-6, 2e-6).plan([WorkItem("stark", "fib", 32, 100)], CacheView(0.5, 2e-6, 1e-6))
    assert not cheap.use_cache
    unknown = s.plan(work, CacheView(0.0, 0.0, 0.0, known=False))
    assert unknown.use_cache  # no measurements yet: consult to measure


def test_unknown_keys_fall_back_between_modes():
    model = CostModel()
    model.set_fit("stark", "fib", Fit(0.03, 0.0, 0.0, 1), mode="local")
    s = AdaptiveScheduler(model, 2)
    item = WorkItem("stark", "fib", 1024, 1)
    assert s.cost(item, "worker") == 0.03  # no worker data: use the local estimate
    assert s.cost(WorkItem("stark", "mimc", 1024), "local") > 0


def test_plans_are_remembered_until_the_model_changes():
    s = _scheduler(0.05, 0.06)
    work = [WorkItem("stark", "fib", 1 << 14, 10)]
    first = s.plan(work)
    assert s.plan(list(work)) is first
    assert s.plan(work, CacheView(0.5, 5e-6, 5e-6)) is not first
    s.model.set_fit("stark", "fib", Fit(0.06, 0.0, 0.0, 1), mode="worker")  # refitted (same values): a new version
    assert s.plan(work) is not first
    assert s.plan(work) == first


def test_batchable_work_in_workers_uses_the_worker_batch_timings():
    model = CostModel()
    model.set_fit("trace", "fib", Fit(1e-5, 0.0, 0.0, 1), mode="batch")  # in-process kernel, every core
    s = AdaptiveScheduler(model, 2, dispatch_s=1e-4, transfer_s=0.0)
    work = [WorkItem("trace", "fib", 1024, 10_000, True)]
    assert s.plan(work).strategy == "parallel"  # no worker timings yet: assumed as fast as in-process
    model.set_fit("trace", "fib", Fit(4e-5, 0.0, 0.0, 1), mode="worker-batch")  # measured: 4x slower there
    assert s.plan(work).strategy == "sequential"


def test_a_few_noisy_proofs_stay_sequential_where_steady_ones_go_parallel():
    # 6 proofs: locally 15 ms each, 26 ms in a worker; two workers finish in 78 ms of work plus a tail
    steady = _scheduler(0.015, 0.026)
    work = [WorkItem("stark", "fib", 1024, 6)]
    assert steady.plan(work).strategy == "parallel"
    noisy = _scheduler(0.015, 0.026)
    for _ in range(20):  # proof-of-work searches off their mean by ~25 ms, as in a single-threaded worker
        noisy.model.observe("stark", "fib", 1024, 0.026, mode="worker", deviation_s=0.025)
    noisy.model.set_fit("stark", "fib", Fit(0.026, 0.0, 0.0, 1), mode="worker")
    assert noisy.model.spread("stark", "fib", "worker") == pytest.approx(0.025)
    plan = noisy.plan(work)
    assert plan.strategy == "sequential" and plan.parallel_s > steady.plan(work).parallel_s
    many = noisy.plan([WorkItem("stark", "fib", 1024, 200)])  # the tail is one chunk: with many, parallel pays
    assert many.strategy == "parallel"


def test_a_close_call_tries_the_other_strategy_then_keeps_the_faster():
    s = _scheduler(0.02, 0.045)  # sequential 0.2 s predicted, parallel ~0.23 s: a close call
    work = [WorkItem("stark", "fib", 1024, 10)]
    first = s.plan(work)
    assert first.strategy == "sequential"
    s.record(first, 0.2)
    trial = s.plan(work)
    assert trial.strategy == "parallel" and "trying" in trial.reason
    s.record(trial, 0.1)  # this workload's proofs run faster on the workers than the model expects
    kept = s.plan(work)
    assert kept.strategy == "parallel" and "measured" in kept.reason
    s.record(kept, 0.6)  # the pool got slow: its moving average passes the sequential run measured before
    assert s.plan(work).strategy == "sequential"


def test_a_clear_and_accurate_choice_is_not_second_guessed():
    s = _scheduler(5e-6, 5e-6)
    work = [WorkItem("stark", "fib", 32, 330)]
    plan = s.plan(work)
    assert plan.strategy == "sequential"
    s.record(plan, plan.sequential_s * 1.1)
    assert s.plan(work).strategy == "sequential"


def test_a_run_far_from_its_prediction_has_the_other_strategy_tried():
    s = _scheduler(5e-6, 5e-6)
    work = [WorkItem("stark", "fib", 32, 330)]
    plan = s.plan(work)
    s.record(plan, plan.sequential_s * 3)  # the model was badly wrong for this workload
    assert s.plan(work).strategy == "parallel"
    other_work = [WorkItem("stark", "fib", 32, 331)]
    assert s.plan(other_work).strategy == "sequential"  # runs are filed per workload


def test_without_a_pool_no_parallel_trial():
    s = _scheduler(0.02, 0.045)
    work = [WorkItem("stark", "fib", 1024, 10)]
    plan = s.plan(work, pool_available=False)
    s.record(plan, 1.0)
    assert s.plan(work, pool_available=False).strategy == "sequential"


def test_a_close_loser_is_tried_again_a_few_times_then_left_alone():
    s = _scheduler(0.02, 0.045)
    work = [WorkItem("stark", "fib", 1024, 10)]
    choices = []
    for _ in range(16):
        plan = s.plan(work)
        choices.append(plan.strategy)
        s.record(plan, 0.2 if plan.strategy == "sequential" else 0.25)  # parallel 25 % slower, every run
    assert choices.count("parallel") == 3  # its first trial and two retries, RETRY_EVERY runs apart
    assert choices[-6:] == ["sequential"] * 6
    first, second = [i for i, c in enumerate(choices) if c == "parallel"][:2]
    assert second - first >= 3
