"""Two-stage proofs on the EVM: the verifier contract accepts exactly what the Python verifier accepts.

The AIR is the permutation check of tests/prover/stark/test_aux.py, as a test-only Vyper contract
(tests/contracts/permutation_air.vy) deployed beside the real verifier.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from contracts.compiler import compile_contract
from contracts.errors import L1Error
from contracts.rollup import deploy_rollup
from contracts.verifier import verify_request
from prover.errors import SuperVMError
from prover.stark.params import preset
from prover.stark.prover import prove_trace
from prover.stark.verifier import verify_stark
from tests.prover.stark.test_aux import JOURNAL, PermutationAir, _trace

AIR_SOURCE = Path(__file__).with_name("permutation_air.vy")


@pytest.fixture(scope="module")
def setup():
    from contracts.chain import EmbeddedL1

    chain = EmbeddedL1()
    rollup = deploy_rollup(chain, dev_mode=True, min_security_bits=0)
    air = chain.deploy(compile_contract(AIR_SOURCE), sender=chain.accounts[0])
    return chain, rollup.verifier, air


def _evm(setup, seal: bytes) -> bool:
    chain, verifier, air = setup
    try:
        chain.call(verify_request(verifier, air.address, JOURNAL.to_bytes(), seal), gas=30_000_000)
    except L1Error:
        return False
    return True


def _python(seal: bytes) -> bool:
    try:
        verify_stark(PermutationAir(), JOURNAL, seal)
    except SuperVMError:
        return False
    return True


def test_both_verifiers_accept_a_permutation_and_reject_a_non_permutation(setup):
    honest = prove_trace(PermutationAir(), JOURNAL, _trace(), preset("test")).to_bytes()
    assert _python(honest) and _evm(setup, honest)
    cheat = prove_trace(PermutationAir(), JOURNAL, _trace(permuted=False), preset("test"), refuse_invalid=False).to_bytes()
    assert not _python(cheat) and not _evm(setup, cheat)


def test_both_verifiers_agree_on_mutated_two_stage_proofs(setup):
    honest = prove_trace(PermutationAir(), JOURNAL, _trace(seed=5), preset("test")).to_bytes()
    rng = random.Random(11)
    aux_root = range(40, 72)  # header 8, trace root 32, then the auxiliary root
    for trial in range(40):
        bad = bytearray(honest)
        at = rng.choice(aux_root) if trial < 10 else rng.randrange(len(bad))
        bad[at] ^= 1 << rng.randrange(8)
        assert _python(bytes(bad)) == _evm(setup, bytes(bad)) == False  # noqa: E712
