"""Fixtures for the capacity tests: one set of real measurements on anvil, shared by every test.

Proofs use the insecure ``test`` preset (fast); the gas is what anvil
reports for the mined transactions, so every figure a test checks comes from
this run.
"""

from __future__ import annotations

import pytest

from capacity.model import CapacityModel

#: Batch sizes measured for the tests (each backend).
SIZES = (1, 4, 16, 64)


@pytest.fixture(scope="session")
def measured(anvil_url):
    """:func:`capacity.report.measure_all` on anvil: singles, batches of SIZES, a 215 KB payload, a storage write."""
    from capacity.report import measure_all

    return measure_all(anvil_url, quick=True, preset="test", max_prove_s=0.0, progress=False, sizes=SIZES, sweep_rows=(10, 12))


@pytest.fixture(scope="session")
def model(measured) -> CapacityModel:
    return CapacityModel(measured["points"])


@pytest.fixture(scope="session")
def rollup(anvil_url):
    """A dev-mode rollup of its own on the shared anvil."""
    from contracts.chain import RpcL1
    from contracts.rollup import deploy_rollup

    return deploy_rollup(RpcL1(anvil_url), dev_mode=True, min_security_bits=0)
