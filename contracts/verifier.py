"""Python bindings of the EVM STARK verifier: deploy it with its AIR contracts and call it.

``StarkVerifier.vy`` verifies every program's proofs; the program-specific
out-of-domain constraints live in one small AIR contract per program
(``contracts/air/<name>.vy``), looked up here by program id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from eth_abi import encode as abi_encode

from contracts.compiler import CONTRACTS_DIR, compile_contract
from prover.crypto.keccak import keccak256

#: Programs with an AIR contract, by registry name.
AIR_PROGRAMS = ("fib", "mimc", "collatz")
#: Every AIR contract a verifier deployment registers: the programs, then batch statements.
AIR_CONTRACTS = AIR_PROGRAMS + ("batch", "root_batch")
VERIFIER_SOURCE = CONTRACTS_DIR / "StarkVerifier.vy"
QUERY_PHASE_SOURCE = CONTRACTS_DIR / "StarkQueryPhase.vy"


#: Selector of StarkVerifier.verify: its third word is the ABI offset of the seal, not a copied argument.
VERIFY_SELECTOR = keccak256(b"verify(address,bytes,uint256)")[:4]


def verify_calldata(air: str, journal: bytes, seal: bytes) -> bytes:
    """Calldata of StarkVerifier.verify: (address, bytes journal, bytes seal) ABI-encoded under its selector."""
    return VERIFY_SELECTOR + abi_encode(["address", "bytes", "bytes"], [air, bytes(journal), bytes(seal)])


def verify_request(verifier: Any, air: str, journal: bytes, seal: bytes) -> dict:
    """A raw call/transaction dict (``to``, ``data``) for :class:`contracts.chain.L1Chain`."""
    return {"to": verifier.address, "data": verify_calldata(air, journal, seal)}


def air_source(name: str):
    return CONTRACTS_DIR / "air" / f"{name}.vy"


def deploy_contract(w3: Any, source, sender: str, *args: Any, gas: int = 15_000_000, journal_bound: str = "large") -> Any:
    """Compile (cached) and deploy one contract; returns the web3 contract object."""
    artifact = compile_contract(source, journal_bound=journal_bound)
    factory = w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
    tx = factory.constructor(*args).transact({"from": sender, "gas": gas})
    receipt = w3.eth.wait_for_transaction_receipt(tx)
    if receipt.status != 1:
        raise RuntimeError(f"deploying {source} failed")
    return w3.eth.contract(address=receipt.contractAddress, abi=artifact.abi)


@dataclass
class DeployedVerifier:
    """The verifier contract and the AIR contract of each program (keyed by program id)."""

    verifier: Any
    airs: dict[bytes, Any]

    def air_for(self, program_id: bytes) -> Any | None:
        return self.airs.get(bytes(program_id))

    def call_verify(self, journal: bytes, seal: bytes, gas: int = 30_000_000) -> int:
        """Security bits of an accepted proof; raises whatever the node raises on a revert."""
        air = self.air_for(journal[:32])
        if air is None:
            raise LookupError("no AIR contract for this program id")
        data = verify_calldata(air.address, journal, seal)
        result = self.verifier.w3.eth.call({"to": self.verifier.address, "data": data, "gas": gas})
        return int.from_bytes(bytes(result)[:32], "big")


def deploy_verifier(w3: Any, sender: str, journal_bound: str = "large") -> DeployedVerifier:
    """Deploy StarkVerifier.vy (with its query phase) compiled with ``journal_bound``
    (contracts/compiler.py) and one AIR contract per program."""
    query_phase = deploy_contract(w3, QUERY_PHASE_SOURCE, sender, journal_bound=journal_bound)
    verifier = deploy_contract(w3, VERIFIER_SOURCE, sender, query_phase.address, journal_bound=journal_bound)
    airs = {}
    for name in AIR_CONTRACTS:
        air = deploy_contract(w3, air_source(name), sender)
        airs[bytes(air.functions.PROGRAM_ID().call())] = air
    return DeployedVerifier(verifier, airs)
