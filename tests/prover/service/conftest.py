"""Fixtures for the prover service: one warm two-worker pool per test session, always closed."""

from __future__ import annotations

import pytest

from prover.service.pool import WorkerPool


@pytest.fixture(scope="session")
def pool():
    pool = WorkerPool(2).start()
    yield pool
    pool.close()
