"""Deploy the rollup (verifier, AIR contracts, Rollup.vy) on an L1 and settle receipts on it.

Data flows one way: receipts made by the prover come in, L1 transactions and
their gas go out.  Every transaction goes through :class:`contracts.chain.L1Chain`,
so it carries a full gas breakdown and respects the EIP-7825 cap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aggregator.batch import BatchReceipt, DAMode
from contracts.chain import L1Chain, TxResult
from contracts.compiler import JOURNAL_BOUNDS, compile_contract
from contracts.verifier import AIR_CONTRACTS, QUERY_PHASE_SOURCE, VERIFIER_SOURCE, air_source, verify_request
from prover.crypto.keccak import keccak256
from prover.receipt import Backend, Receipt

ROLLUP_SOURCE = VERIFIER_SOURCE.parent / "Rollup.vy"
#: Statements up to this length go to the verifier compiled with contracts/bounds/single (Rollup.SINGLE_JOURNAL).
SINGLE_JOURNAL_BYTES = 1064


def statement_bytes(receipt: "Receipt | BatchReceipt") -> bytes:
    """What the verifier checks the seal against: a single journal, a batch statement, or a root-only statement."""
    if isinstance(receipt, BatchReceipt):
        return receipt.root_statement.to_bytes() if receipt.da == DAMode.ROOT else receipt.statement.to_bytes()
    return receipt.journal.to_bytes()


#: Conjectured security a production rollup demands of every STARK batch.
DEFAULT_MIN_SECURITY_BITS = 100


@dataclass
class Rollup:
    """Handles on the deployed contracts and the calls the node makes."""

    chain: L1Chain
    verifier: Any
    rollup: Any
    airs: dict[bytes, Any] = field(default_factory=dict)
    dev_mode: bool = False
    #: The verifier compiled for statements up to SINGLE_JOURNAL_BYTES (None: only the general one).
    single_verifier: Any = None

    def verifier_for(self, statement: bytes) -> Any:
        """The verifier deployment the rollup contract sends ``statement`` to: the single-journal one when it fits."""
        if self.single_verifier is not None and len(statement) <= SINGLE_JOURNAL_BYTES:
            return self.single_verifier
        return self.verifier

    @property
    def address(self) -> str:
        return self.rollup.address

    def batch_count(self) -> int:
        return int(self.chain.call(self.rollup.functions.batch_count()))

    def batch(self, index: int) -> dict:
        root, count, backend, bits, block = self.chain.call(self.rollup.functions.batches(index))
        return {"journal_root": bytes(root), "request_count": count, "backend": backend, "security_bits": bits, "l1_block": block}

    def submit_batch(
        self, index: int, receipt: "Receipt | BatchReceipt", sender: str | None = None, gas: int | None = None
    ) -> TxResult:
        """Verify and record ``receipt`` (one execution, or a batch in either DA mode) as batch ``index``,
        sent by the sequencer unless ``sender``.  A root-only batch posts only its member count and Rescue root."""
        if isinstance(receipt, BatchReceipt) and receipt.da == DAMode.ROOT:
            fn = self.rollup.functions.submit_root_batch(index, receipt.tree_slots, receipt.journal_root, receipt.seal)
            return self.chain.transact(fn, sender=sender or self.sequencer, gas=gas)
        fn = self.rollup.functions.submit_batch(index, int(receipt.backend), statement_bytes(receipt), receipt.seal)
        return self.chain.transact(fn, sender=sender or self.sequencer, gas=gas)

    def root_only(self, index: int) -> bool:
        """Whether batch ``index`` was settled root-only."""
        return bool(self.chain.call(self.rollup.functions.root_only(index)))

    def journal_in_root_batch(self, index: int, journal: bytes, position: int, path: list[bytes]) -> bool:
        """Rescue inclusion of a member journal in a verified root-only batch (eth_call; packed digests, leaf level first)."""
        fn = self.rollup.functions.journal_in_root_batch(index, journal, position, path)
        return bool(self.chain.call(fn))

    def journal_root(self, statement: bytes) -> tuple[bytes, int]:
        """(journal root, member count) the rollup would record for ``statement`` (eth_call)."""
        air = self.airs[bytes(statement[:32])]
        root, count = self.chain.call(air.functions.journal_root(statement))
        return bytes(root), int(count)

    def verify_transaction(self, journal: bytes, seal: bytes, sender: str | None = None) -> TxResult:
        """One transaction that only verifies a proof (StarkVerifier.verify): the gas of verification alone."""
        air = self.airs[bytes(journal[:32])]
        return self.chain.transact(verify_request(self.verifier_for(journal), air.address, journal, seal), sender=sender)

    def verify_call(self, journal: bytes, seal: bytes) -> int:
        """Security bits the EVM verifier grants (eth_call); raises TransactionRevertedError when it rejects."""
        air = self.airs[bytes(journal[:32])]
        result = self.chain.call(verify_request(self.verifier_for(journal), air.address, journal, seal), gas=self.chain_call_gas)
        return int.from_bytes(result[:32], "big")

    def journal_in_batch(self, index: int, journal: bytes, position: int, path: list[bytes]) -> bool:
        fn = self.rollup.functions.journal_in_batch(index, journal, position, path)
        return bool(self.chain.call(fn))

    @property
    def sequencer(self) -> str:
        return self.chain.call(self.rollup.functions.sequencer())

    chain_call_gas: int = 16_777_216


def deploy_rollup(
    chain: L1Chain,
    *,
    sequencer: str | None = None,
    owner: str | None = None,
    dev_mode: bool = False,
    min_security_bits: int = DEFAULT_MIN_SECURITY_BITS,
) -> Rollup:
    """Deploy the STARK verifier (twice: the general and the single-journal bound, each with its query
    phase), one AIR contract per program and the rollup; register every program."""
    owner = owner or chain.accounts[0]
    sequencer = sequencer or owner
    verifiers = {}
    for bound in JOURNAL_BOUNDS:
        query_phase = chain.deploy(compile_contract(QUERY_PHASE_SOURCE, journal_bound=bound), sender=owner)
        verifiers[bound] = chain.deploy(compile_contract(VERIFIER_SOURCE, journal_bound=bound), query_phase.address, sender=owner)
    verifier, single = verifiers["large"], verifiers["single"]
    rollup = chain.deploy(compile_contract(ROLLUP_SOURCE), verifier.address, single.address, sequencer, dev_mode, min_security_bits,
                          sender=owner)
    airs = {}
    for name in AIR_CONTRACTS:
        air = chain.deploy(compile_contract(air_source(name)), sender=owner)
        program_id = bytes(chain.call(air.functions.PROGRAM_ID()))
        chain.transact(rollup.functions.register_program(program_id, air.address), sender=owner)
        airs[program_id] = air
    return Rollup(chain, verifier, rollup, airs, dev_mode, single)


__all__ = ["Backend", "DEFAULT_MIN_SECURITY_BITS", "Rollup", "deploy_rollup"]
