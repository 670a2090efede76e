"""Shared fixtures: programs, presets and cached receipts (proving is the slow part)."""

from __future__ import annotations

import pytest

from prover.backends import prove
from prover.receipt import Backend
from prover.stark.params import preset


@pytest.fixture(scope="session")
def test_options():
    """Fast, insecure options for tests that exercise logic rather than security."""
    return preset("test")


@pytest.fixture(scope="session")
def default_options():
    return preset("default")


@pytest.fixture(scope="session")
def fib_receipt(test_options):
    """A STARK receipt of fib(50) under the test preset."""
    return prove("fib", (50,), Backend.STARK, test_options)


@pytest.fixture(scope="session")
def fib_receipt_default(default_options):
    """A STARK receipt of fib(100) under the default (>= 100-bit) preset."""
    return prove("fib", (100,), Backend.STARK, default_options)
