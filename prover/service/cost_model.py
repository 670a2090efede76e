"""Prove-time cost model: seconds as a function of trace rows, per (backend, program, mode).

Fitted by weighted least squares (relative error) on the per-size means of
observed timings (a STARK's proof-of-work term is exponentially distributed,
so a median would underestimate the expected cost), with features 1, rows and
rows·log2(rows) (an NTT/Merkle prover is n log n; the Trace backend is linear).  Negative coefficients are
dropped and the fit repeated, so predictions stay positive and monotone.  The
service feeds every timing it observes back with :meth:`CostModel.observe`,
so the model follows the machine it runs on.  ``mode`` separates where the
work ran: ``local`` (in the service's process), ``worker`` (one pool worker,
single-threaded), ``batch`` (per request inside a batched kernel, in the
service's process, where it uses every core) and ``worker-batch`` (the same
kernel inside one single-threaded worker).
"""

from __future__ import annotations

import math
import statistics
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

ModelKey = tuple[str, str, str]

#: Modes in which one timing is one proof (the batch modes time a share of a batched kernel call).
ONE_PROOF_MODES = frozenset({"local", "worker"})


def model_key(backend: object, program: str, mode: str = "local") -> ModelKey:
    """Normalised key: backend name in lower case, program name, mode."""
    name = backend.name.lower() if hasattr(backend, "name") else str(backend).lower()
    return (name, program, mode)


@dataclass(frozen=True)
class Fit:
    """seconds(rows) = fixed + per_row·rows + per_row_log·rows·log2(rows)."""

    fixed: float
    per_row: float
    per_row_log: float
    samples: int

    def predict(self, rows: int) -> float:
        rows = max(1, rows)
        return self.fixed + self.per_row * rows + self.per_row_log * rows * math.log2(rows)


def _features(rows: np.ndarray) -> np.ndarray:
    return np.stack([np.ones_like(rows), rows, rows * np.log2(np.maximum(rows, 1.0))], axis=1)


def fit_points(rows: Sequence[int], seconds: Sequence[float]) -> Fit:
    """Fit the model to (rows, seconds) points, minimising relative error; needs at least one point."""
    x = np.asarray(rows, dtype=float)
    y = np.asarray(seconds, dtype=float)
    if x.size == 0:
        raise ValueError("no points to fit")
    distinct = np.unique(x).size
    active = [0, 1, 2][: max(1, min(3, distinct))]
    if distinct == 1:  # one size: a constant is all the data supports
        return Fit(float(np.mean(y)), 0.0, 0.0, int(x.size))
    weights = 1.0 / np.maximum(y, 1e-12)
    a_all = _features(x) * weights[:, None]
    while True:
        coef = np.linalg.lstsq(a_all[:, active], y * weights, rcond=None)[0]
        negative = [f for f, c in zip(active, coef) if c < 0]
        if not negative or len(active) == 1:
            break
        active = [f for f in active if f not in negative[:1]]
    full = [0.0, 0.0, 0.0]
    for f, c in zip(active, coef):
        full[f] = max(0.0, float(c))
    return Fit(full[0], full[1], full[2], int(x.size))


def relative_errors(fit: Fit, rows: Iterable[int], seconds: Iterable[float]) -> list[float]:
    """|predicted − measured| / measured for each point."""
    return [abs(fit.predict(r) - s) / s for r, s in zip(rows, seconds)]


class CostModel:
    """Observed timings per key, refitted lazily whenever new observations arrive."""

    def __init__(self, samples_per_size: int = 32, refit_interval_s: float = 1.0, refit_share: float = 0.02) -> None:
        self._samples: dict[ModelKey, dict[int, deque[float]]] = defaultdict(dict)
        self._fits: dict[ModelKey, Fit] = {}
        self._dirty: set[ModelKey] = set()
        #: Dirty keys whose new observations are enough for a refit (only the interval may still hold it back).
        self._due: set[ModelKey] = set()
        #: Moving average of squared deviations of single proofs from their expected cost.
        self._variance: dict[ModelKey, float] = {}
        self._new: dict[ModelKey, int] = defaultdict(int)
        self._new_work: dict[ModelKey, float] = defaultdict(float)
        self._lock = threading.Lock()
        self._per_size = samples_per_size
        #: Least time between two refits of one key once its fit rests on a full bucket (a refit costs ~0.1 ms).
        self._interval = refit_interval_s
        #: Largest share of the observed proving time that refits of a key may cost: a refit waits until
        #: the work observed since the last one is at least (measured refit cost) / refit_share.
        self._refit_share = refit_share
        #: Measured seconds of one refit (moving average), what the share above is charged against.
        self.refit_s = 0.0
        self._fitted_at: dict[ModelKey, float] = {}
        #: Before this time every due key is held back by its refit interval, so :meth:`refresh` skips them.
        self._quiet_until = 0.0
        #: Bumped on every change of a fit, so a caller may reuse decisions made under the same version.
        self.version = 0

    def observe(
        self,
        backend: object,
        program: str,
        rows: int,
        seconds: float,
        mode: str = "local",
        work_s: float | None = None,
        deviation_s: float | None = None,
    ) -> None:
        """Record one measured prove time; ``work_s`` is the proving time the sample stands for (a batch's
        per-request time stands for the whole batch), which is what refits are budgeted against;
        ``deviation_s`` is how far the timed proof fell from its expected cost (its proof-of-work search
        against the mean search), which feeds :meth:`spread`."""
        key = model_key(backend, program, mode)
        with self._lock:
            if deviation_s is not None:
                square = deviation_s * deviation_s
                old = self._variance.get(key)
                self._variance[key] = square if old is None else 0.9 * old + 0.1 * square
            bucket = self._samples[key].setdefault(int(rows), deque(maxlen=self._per_size))
            bucket.append(float(seconds))
            self._new[key] += 1
            self._new_work[key] += float(seconds if work_s is None else work_s)
            self._dirty.add(key)
            fitted = self._fits.get(key)
            if fitted is None or (
                self._new[key] * 8 >= max(1, fitted.samples) and self._new_work[key] * self._refit_share >= self.refit_s
            ):
                if key not in self._due:
                    self._quiet_until = 0.0  # a newly due key is looked at by the next refresh
                self._due.add(key)

    def observe_many(self, backend: object, program: str, rows: int, total_s: float, count: int, mode: str) -> None:
        """Record ``count`` requests of ``rows`` rows that took ``total_s`` together."""
        if count > 0:
            self.observe(backend, program, rows, total_s / count, mode, total_s)

    def set_fit(self, backend: object, program: str, fit: Fit, mode: str = "local") -> None:
        """Install a fit directly (synthetic models in tests, or one loaded from a report)."""
        key = model_key(backend, program, mode)
        with self._lock:
            self._fits[key] = fit
            self._dirty.discard(key)
            self._due.discard(key)
            self.version += 1

    def fit(self, backend: object, program: str, mode: str = "local") -> Fit | None:
        """The current fit for a key, refitted if observations arrived since; None if nothing is known."""
        key = model_key(backend, program, mode)
        with self._lock:
            if key in self._dirty:
                self._maybe_refit(key, time.monotonic())
            return self._fits.get(key)

    def refresh(self) -> int:
        """Refit every key that is due; returns :attr:`version`, which changes whenever a fit does."""
        with self._lock:
            if self._due:  # keys whose new data can pay for a refit (marked by observe): planning stays O(1)
                now = time.monotonic()
                if now >= self._quiet_until:
                    for key in list(self._due):
                        self._maybe_refit(key, now)
                    # keys still due wait only for their interval: no refresh needs to look before it ends
                    held = [self._fitted_at.get(k, 0.0) + self._interval for k in self._due]
                    self._quiet_until = min(held) if held else 0.0
            return self.version

    def _maybe_refit(self, key: ModelKey, now: float) -> None:
        # refit when new data can matter (no fit yet, or new observations >= 1/8 of those fitted), when the
        # work observed since the last fit pays for the refit within the share, and once a fit rests on a
        # full bucket of samples, at most once per interval (caller holds the lock)
        fitted = self._fits.get(key)
        if fitted is not None and not (
            self._new[key] * 8 >= max(1, fitted.samples)
            and self._new_work[key] * self._refit_share >= self.refit_s
            and (fitted.samples < self._per_size or now - self._fitted_at.get(key, 0.0) >= self._interval)
        ):
            return
        t0 = time.perf_counter()
        buckets = self._samples[key]
        sizes = sorted(buckets)
        fit = fit_points(sizes, [statistics.fmean(buckets[s]) for s in sizes])
        self._fits[key] = Fit(fit.fixed, fit.per_row, fit.per_row_log, sum(len(b) for b in buckets.values()))
        self._dirty.discard(key)
        self._due.discard(key)
        self._new[key] = 0
        self._new_work[key] = 0.0
        self._fitted_at[key] = now
        self.version += 1
        spent = time.perf_counter() - t0
        self.refit_s = spent if self.refit_s == 0.0 else 0.8 * self.refit_s + 0.2 * spent

    def predict(self, backend: object, program: str, rows: int, mode: str = "local") -> float | None:
        """Predicted seconds to prove ``rows`` rows, or None if the key has no data.

        In the one-proof modes (``local``, ``worker``) a size the service has already timed is predicted
        by the mean of its recent timings: a prover's cost has steps (cache sizes, thread thresholds) that
        a three-term curve smooths over.  The fitted curve covers the sizes not seen yet, and the batch
        modes, whose per-request cost also depends on the batch size.
        """
        fit = self.fit(backend, program, mode)
        if fit is None:
            return None
        if mode in ONE_PROOF_MODES:
            with self._lock:
                bucket = self._samples.get(model_key(backend, program, mode), {}).get(int(rows))
                if bucket:
                    return statistics.fmean(bucket)
        return fit.predict(rows)

    def spread(self, backend: object, program: str, mode: str = "local") -> float | None:
        """Standard deviation (seconds) of one proof's time around its expected cost, or None if unmeasured.

        For a STARK this is mostly the proof-of-work search, whose length is exponentially distributed:
        its standard deviation equals its mean, tens of milliseconds in a single-threaded worker.
        """
        with self._lock:
            variance = self._variance.get(model_key(backend, program, mode))
        return None if variance is None else math.sqrt(variance)

    def known(self, backend: object, program: str, mode: str = "local") -> bool:
        return self.fit(backend, program, mode) is not None

    def keys(self) -> list[ModelKey]:
        with self._lock:
            return sorted(set(self._samples) | set(self._fits))

    def describe(self) -> dict:
        """JSON-ready fits."""
        out = {}
        for key in self.keys():
            fit = self.fit(key[0], key[1], key[2])
            if fit is not None:
                out["/".join(key)] = {
                    "fixed_s": fit.fixed,
                    "per_row_s": fit.per_row,
                    "per_row_log_s": fit.per_row_log,
                    "samples": fit.samples,
                }
        return out
