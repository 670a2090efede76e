"""FieldVector: operators agree with plain modular arithmetic, and a repeating (periodic) vector acts as its tiling."""

from __future__ import annotations

import numpy as np
import pytest

from prover.air.vectors import FieldVector
from prover.math.goldilocks import P

RNG = np.random.default_rng(5)


def _vec(n: int) -> np.ndarray:
    return RNG.integers(0, P, size=n, dtype=np.uint64)


def _ints(v: np.ndarray) -> list[int]:
    return [int(x) for x in v]


@pytest.mark.parametrize("period", [1, 4, 64, 256])
def test_a_short_vector_acts_as_its_tiling(period):
    n = 256
    full, short = _vec(n), _vec(period)
    a, b, tiled = FieldVector(full), FieldVector(short), FieldVector(np.tile(short, n // period))
    for got, want in (
        (a + b, a + tiled), (b + a, tiled + a),
        (a - b, a - tiled), (b - a, tiled - a),
        (a * b, a * tiled), (b * a, tiled * a),
    ):
        assert got.values.shape == (n,) and _ints(got.values) == _ints(want.values)
    assert _ints((b * b).full(n)) == _ints((tiled * tiled).values)  # short with short stays short until expanded
    assert (b * b).values.shape == (period,)


def test_operators_match_python_ints():
    x, y = _vec(32), _vec(32)
    a, b = FieldVector(x), FieldVector(y)
    xs, ys = _ints(x), _ints(y)
    assert _ints((a + b).values) == [(p + q) % P for p, q in zip(xs, ys)]
    assert _ints((a - b).values) == [(p - q) % P for p, q in zip(xs, ys)]
    assert _ints((a * b).values) == [p * q % P for p, q in zip(xs, ys)]
    assert _ints((3 - a).values) == [(3 - p) % P for p in xs]
    assert _ints((a ** 3).values) == [pow(p, 3, P) for p in xs]
