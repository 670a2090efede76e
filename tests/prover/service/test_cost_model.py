"""CostModel: fits synthetic n log n data, predicts held-out sizes, refits from observations."""

from __future__ import annotations

import math

import pytest

from prover.service.cost_model import CostModel, Fit, fit_points, relative_errors


def _truth(rows: int) -> float:
    return 2e-3 + 1e-7 * rows + 3e-8 * rows * math.log2(rows)


def test_fit_recovers_a_known_curve_and_predicts_held_out_sizes():
    train = [1 << k for k in range(6, 21, 2)]
    held_out = [1 << k for k in range(7, 21, 2)]
    fit = fit_points(train, [_truth(r) for r in train])
    assert max(relative_errors(fit, held_out, [_truth(r) for r in held_out])) < 0.01


def test_fit_with_noise_stays_within_a_quarter_on_held_out_sizes():
    train = [1 << k for k in range(6, 19, 2)]
    noise = [1.1, 0.92, 1.05, 0.95, 1.08, 0.9, 1.02]
    fit = fit_points(train, [_truth(r) * e for r, e in zip(train, noise)])
    held_out = [1 << k for k in range(7, 19, 2)]
    assert max(relative_errors(fit, held_out, [_truth(r) for r in held_out])) <= 0.25


def test_coefficients_never_negative():
    fit = fit_points([8, 16, 32, 64], [1.0, 0.9, 0.95, 1.0])
    assert min(fit.fixed, fit.per_row, fit.per_row_log) >= 0
    assert fit_points([100], [0.5]).predict(10_000) == pytest.approx(0.5)


def test_observe_refits_per_key():
    model = CostModel()
    assert model.predict("stark", "fib", 1024) is None
    for rows in (64, 256, 1024, 4096):
        model.observe("stark", "fib", rows, _truth(rows))
    assert model.predict("stark", "fib", 16384) == pytest.approx(_truth(16384), rel=0.01)
    assert model.predict("stark", "fib", 1024, mode="worker") is None
    model.observe("stark", "fib", 1 << 15, 10 * _truth(1 << 15))  # the machine got slower: the fit follows
    assert model.predict("stark", "fib", 1 << 15) > 1.2 * _truth(1 << 15)
    model.set_fit("trace", "fib", Fit(1e-6, 0.0, 0.0, 0))
    assert model.predict("trace", "fib", 32) == pytest.approx(1e-6)
    assert "trace/fib/local" in model.describe()


def test_refits_are_throttled_once_a_fit_is_mature_and_bump_the_version():
    model = CostModel(samples_per_size=4, refit_interval_s=3600.0)
    for _ in range(4):
        model.observe("stark", "fib", 64, 1.0)
    assert model.predict("stark", "fib", 64) == pytest.approx(1.0)
    version = model.refresh()
    for _ in range(4):  # a full bucket of new data, but the interval has not passed
        model.observe("stark", "fib", 64, 3.0)
    assert model.refresh() == version
    assert model.fit("stark", "fib").predict(64) == pytest.approx(1.0)  # the curve waits for the interval
    assert model.predict("stark", "fib", 64) == pytest.approx(3.0)  # a timed size follows its recent timings
    eager = CostModel(samples_per_size=4, refit_interval_s=0.0)
    for value in (1.0, 1.0, 1.0, 1.0, 3.0, 3.0, 3.0, 3.0):
        eager.observe("stark", "fib", 64, value)
        eager.predict("stark", "fib", 64)
    assert eager.predict("stark", "fib", 64) == pytest.approx(3.0)  # the bucket keeps the newest 4


def test_the_fit_predicts_the_mean_not_the_median():
    model = CostModel()
    for value in (1.0, 1.0, 1.0, 5.0):  # one long proof-of-work search among short ones
        model.observe("stark", "fib", 64, value)
    assert model.predict("stark", "fib", 64) == pytest.approx(2.0)


def test_refits_are_budgeted_against_the_observed_work():
    model = CostModel(refit_interval_s=0.0, refit_share=0.02)
    for rows in (64, 256, 1024):
        model.observe("trace", "fib", rows, 1e-6 * rows)
    fitted = model.predict("trace", "fib", 1024)
    model.refit_s = 1e-3  # a refit costs 1 ms: it waits for 50 ms of observed work
    version = model.refresh()
    for _ in range(40):
        model.observe("trace", "fib", 1024, 5e-3)  # 40 x 5 ms = 0.2 s of work, but each sample is tiny
        if model.refresh() != version:
            break
    assert model.predict("trace", "fib", 1024) != fitted
    assert model.refresh() == version + 1
    spent = model._new_work  # noqa: SLF001 - the budget counter restarts after a refit
    assert all(v == 0.0 for v in spent.values())
    model.observe("trace", "fib", 1024, 1e-6, work_s=1e-6)  # too little work to pay for a refit
    assert model.refresh() == version + 1


def test_a_timed_size_is_predicted_by_its_own_timings_and_others_by_the_curve():
    model = CostModel()
    truth = {64: 1.0, 128: 1.1, 256: 1.3, 512: 4.0, 1024: 4.4}  # a step between 256 and 512 rows
    for rows, seconds in truth.items():
        model.observe("stark", "fib", rows, seconds)
    for rows, seconds in truth.items():
        assert model.predict("stark", "fib", rows) == pytest.approx(seconds)
    curve = model.fit("stark", "fib")
    assert model.predict("stark", "fib", 2048) == pytest.approx(curve.predict(2048))
