"""The L1 the rollup settles on: an embedded py-evm chain or any JSON-RPC node.

:class:`L1Chain` deploys contracts, sends transactions and makes calls the
same way on both targets, with gas accounting for every transaction
(:class:`contracts.gas.GasBreakdown`) and one error type per failure
(:mod:`contracts.errors`).

Gas limits.  Every transaction is sent with an explicit gas limit, checked
against the EIP-7825 cap *before* sending (neither py-evm nor anvil under
Prague enforces it):

* :class:`EmbeddedL1` never runs py-evm's ``estimate_gas`` (a binary search
  of full executions at ~1.6M gas/s, which also ignores the EIP-7623 floor).
  It executes the transaction once on a throw-away copy of the latest state
  with the cap as gas limit — this detects reverts (with their reason), a
  transaction that would need more than the cap, and measures the execution
  gas exactly — then sends it with ``max(floor, intrinsic + execution +
  margin)``.  One dry run costs as much as the transaction itself.
* :class:`RpcL1` asks the node (``eth_estimateGas``; anvil and geth include
  the floor), raised to the floor in case a node does not, plus 1/64.

Execution gas when the EIP-7623 floor binds is not visible in the receipt
(see :mod:`contracts.gas`); it comes from the dry run on the embedded chain
and from traces on an RPC node (``trace_transaction``: the top call's
``gasUsed``, which excludes intrinsic gas but not refunds; refunds from a
JavaScript tracer when the transaction touched storage); a node without
these methods gives the upper bound, flagged ``execution_exact = False``.
"""

from __future__ import annotations

import contextlib
from abc import ABC, abstractmethod
from dataclasses import dataclass
from typing import Any, Iterator, Sequence

from eth_abi import decode as abi_decode
from eth_utils import to_checksum_address
from web3 import Web3
from web3.contract import Contract

from contracts import gas as G
from contracts.compiler import Artifact
from contracts.errors import L1Error, L1UnavailableError, TransactionRevertedError, TransactionTooLargeError

DEFAULT_BLOCK_GAS_LIMIT = 60_000_000
ERROR_SELECTOR = bytes.fromhex("08c379a0")  # Error(string)
PANIC_SELECTOR = bytes.fromhex("4e487b71")  # Panic(uint256)


@dataclass(frozen=True)
class TxResult:
    """A mined, successful transaction: hash, receipt, gas limit it was sent with and its gas breakdown."""

    tx_hash: str
    receipt: Any
    gas: G.GasBreakdown
    gas_limit: int

    @property
    def gas_used(self) -> int:
        return self.gas.gas_used

    @property
    def block_number(self) -> int:
        return self.receipt["blockNumber"]

    @property
    def contract_address(self) -> str | None:
        return self.receipt.get("contractAddress")

    @property
    def logs(self) -> list:
        return list(self.receipt["logs"])


def decode_revert(data: bytes) -> str | None:
    """The reason of a revert: Error(string) text, ``Panic(0x..)``, ``None`` for no data, else the hex."""
    data = bytes(data or b"")
    if not data:
        return None
    if data[:4] == ERROR_SELECTOR:
        try:
            return abi_decode(["string"], data[4:])[0]
        except Exception:  # malformed payload: fall through to hex
            pass
    if data[:4] == PANIC_SELECTOR and len(data) == 36:
        return f"Panic(0x{int.from_bytes(data[4:], 'big'):02x})"
    return "0x" + data.hex()


def _hex_to_bytes(value: Any) -> bytes:
    if value is None:
        return b""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    if isinstance(value, dict):  # some nodes nest it
        value = value.get("data", "")
    text = str(value)
    try:
        return bytes.fromhex(text.removeprefix("0x"))
    except ValueError:
        return b""


def _reverted_from_exception(exc: BaseException) -> TransactionRevertedError | None:
    """Normalise a revert raised by web3 (ContractLogicError) or eth-tester (TransactionFailed)."""
    from eth_tester.exceptions import TransactionFailed
    from web3.exceptions import ContractLogicError

    if isinstance(exc, ContractLogicError):
        data = _hex_to_bytes(exc.data)
        reason = decode_revert(data) if data else None
        if reason is None and exc.message:
            text = str(exc.message).removeprefix("execution reverted").lstrip(": ").strip()
            reason = text or None
        return TransactionRevertedError(reason, data=data)
    if isinstance(exc, TransactionFailed):
        arg = exc.args[0] if exc.args else ""
        if isinstance(arg, Exception):
            arg = arg.args[0] if arg.args else ""
        if isinstance(arg, (bytes, bytearray)):
            return TransactionRevertedError(decode_revert(arg), data=bytes(arg))
        text = str(arg).removeprefix("execution reverted").lstrip(": ").strip()
        if text in ("", "Revert(b'')", "b''"):
            text = ""
        return TransactionRevertedError(text or None)
    return None


@dataclass(frozen=True)
class _Tx:
    sender: str
    to: str | None
    data: bytes
    value: int

    @property
    def create(self) -> bool:
        return self.to is None

    def params(self) -> dict:
        out: dict = {"from": self.sender, "data": "0x" + self.data.hex(), "value": self.value}
        if self.to is not None:
            out["to"] = self.to
        return out


class L1Chain(ABC):
    """An L1 with deploy / transact / call, explicit gas limits, the EIP-7825 cap and typed errors."""

    w3: Web3
    accounts: list[str]

    # -- public API ---------------------------------------------------------

    @property
    def chain_id(self) -> int:
        with self._node():
            return int(self.w3.eth.chain_id)

    @property
    def block_gas_limit(self) -> int:
        with self._node():
            return int(self.w3.eth.get_block("latest")["gasLimit"])

    def contract(self, artifact: Artifact, address: str) -> Contract:
        """A handle on an already deployed contract."""
        return self.w3.eth.contract(address=to_checksum_address(address), abi=artifact.abi)

    def deploy(self, artifact: Artifact, *args: Any, sender: str | None = None, gas: int | None = None) -> Contract:
        """Deploy ``artifact`` with constructor ``args``; returns the web3 contract."""
        return self.deploy_with_result(artifact, *args, sender=sender, gas=gas)[0]

    def deploy_with_result(
        self, artifact: Artifact, *args: Any, sender: str | None = None, gas: int | None = None
    ) -> tuple[Contract, TxResult]:
        """Deploy ``artifact``; returns the contract and the deployment's :class:`TxResult`."""
        factory = self.w3.eth.contract(abi=artifact.abi, bytecode=artifact.bytecode)
        result = self.transact(factory.constructor(*args), sender=sender, gas=gas)
        return self.contract(artifact, result.contract_address), result

    def transact(self, fn: Any, sender: str | None = None, gas: int | None = None, value: int = 0) -> TxResult:
        """Send a transaction and wait for it.

        ``fn`` is a bound contract function (``c.functions.f(x)``), a
        constructor (``factory.constructor(...)``) or a raw dict with ``to``
        (absent or None for a creation), ``data`` and optionally ``value``.
        Raises :class:`TransactionTooLargeError` (nothing sent) when the gas
        needed, or the ``gas`` given, exceeds the EIP-7825 cap, and
        :class:`TransactionRevertedError` when it reverts.
        """
        tx = self._build(fn, sender, value)
        floor_limit = G.min_gas_limit(tx.data, tx.create)
        G.check_cap(floor_limit, "transaction (intrinsic gas / EIP-7623 floor)")
        execution = None
        if gas is None:
            gas, execution = self._estimate(tx)
        elif gas < floor_limit:
            raise L1Error(f"gas limit {gas:,} is below the intrinsic gas / EIP-7623 floor {floor_limit:,}")
        G.check_cap(gas)
        from web3.exceptions import TimeExhausted, Web3RPCError

        with self._node():
            try:
                tx_hash = self._send(tx, gas)
            except Web3RPCError as exc:  # nonce, funds, fee, size: the node refused it
                raise L1Error(f"the node rejected the transaction: {exc}") from exc
            try:
                receipt = self.w3.eth.wait_for_transaction_receipt(tx_hash, timeout=120)
            except TimeExhausted as exc:
                raise L1UnavailableError(f"transaction {Web3.to_hex(tx_hash)} not mined within 120 s") from exc
        tx_hex = Web3.to_hex(tx_hash)
        if receipt["status"] != 1:
            reason = self._reason_of_failed(tx, receipt)
            raise TransactionRevertedError(reason, tx_hash=tx_hex, gas_used=receipt["gasUsed"])
        gas_used = int(receipt["gasUsed"])
        if gas_used <= G.floor_gas(tx.data) and execution is None:
            execution = self._execution_of_mined(tx, tx_hex, receipt, gas)
        try:
            breakdown = G.breakdown(tx.data, gas_used, create=tx.create, execution_gas=execution)
        except ValueError:  # a measurement inconsistent with the receipt (e.g. refunds in a trace): drop it
            breakdown = G.breakdown(tx.data, gas_used, create=tx.create)
        return TxResult(tx_hex, receipt, breakdown, gas)

    def call(self, fn: Any, sender: str | None = None, block: Any = "latest", gas: int | None = None) -> Any:
        """Run ``fn`` without a transaction; decoded output for a contract function, bytes for a raw dict."""
        sender = sender or self.accounts[0]
        params: dict = {"from": sender}
        if gas is not None:
            params["gas"] = gas
        try:
            with self._node():
                if isinstance(fn, dict):
                    tx = self._build(fn, sender, int(fn.get("value", 0)))
                    return bytes(self.w3.eth.call({**tx.params(), **params}, block_identifier=block))
                return fn.call(params, block_identifier=block)
        except L1Error:
            raise
        except Exception as exc:
            reverted = _reverted_from_exception(exc)
            if reverted is None:
                raise
            raise reverted from exc

    def estimate_gas(self, fn: Any, sender: str | None = None, value: int = 0) -> int:
        """The gas limit :meth:`transact` would use (floor included; raises as transact would)."""
        tx = self._build(fn, sender, value)
        G.check_cap(G.min_gas_limit(tx.data, tx.create), "transaction (intrinsic gas / EIP-7623 floor)")
        gas, _ = self._estimate(tx)
        G.check_cap(gas)
        return gas

    def snapshot(self) -> Any:
        """Save the chain state; :meth:`revert` goes back to it."""
        raise NotImplementedError

    def revert(self, snapshot: Any) -> None:
        raise NotImplementedError

    # -- helpers and hooks --------------------------------------------------

    def _build(self, fn: Any, sender: str | None, value: int) -> _Tx:
        sender = to_checksum_address(sender or self.accounts[0])
        if isinstance(fn, dict):
            to = fn.get("to")
            data = fn.get("data", b"")
            data = _hex_to_bytes(data) if isinstance(data, str) else bytes(data)
            return _Tx(sender, to_checksum_address(to) if to else None, data, int(fn.get("value", value)))
        if hasattr(fn, "data_in_transaction"):  # ContractConstructor
            return _Tx(sender, None, _hex_to_bytes(fn.data_in_transaction), value)
        if hasattr(fn, "_encode_transaction_data"):  # bound ContractFunction
            if not fn.address:
                raise L1Error("contract function has no address")
            return _Tx(sender, to_checksum_address(fn.address), _hex_to_bytes(fn._encode_transaction_data()), value)
        raise TypeError(f"cannot build a transaction from {fn!r}")

    @contextlib.contextmanager
    def _node(self) -> Iterator[None]:
        import requests

        try:
            yield
        except (requests.exceptions.ConnectionError, requests.exceptions.Timeout, ConnectionError) as exc:
            raise L1UnavailableError(f"L1 node unreachable: {exc}") from exc

    @abstractmethod
    def _estimate(self, tx: _Tx) -> tuple[int, int | None]:
        """(gas limit, execution gas net of refunds if measured); raises revert / too-large errors."""

    @abstractmethod
    def _send(self, tx: _Tx, gas: int) -> bytes:
        """Send with the given gas limit; returns the transaction hash."""

    @abstractmethod
    def _execution_of_mined(self, tx: _Tx, tx_hash: str, receipt: Any, gas: int) -> int | None:
        """Execution gas of a mined transaction at the floor, or None when it cannot be measured."""

    def _reason_of_failed(self, tx: _Tx, receipt: Any) -> str | None:
        """Replay a failed transaction as a call on the state before its block to recover the reason."""
        try:
            self.call({"to": tx.to, "data": tx.data, "value": tx.value}, sender=tx.sender,
                      block=int(receipt["blockNumber"]) - 1, gas=int(receipt["gasUsed"]))
        except TransactionRevertedError as exc:
            return exc.reason
        except Exception:
            return None
        return "out of gas"


class EmbeddedL1(L1Chain):
    """eth-tester with the py-evm backend (Prague), block gas limit ``gas_limit``, ten funded accounts."""

    def __init__(self, gas_limit: int = DEFAULT_BLOCK_GAS_LIMIT):
        from eth_tester import EthereumTester, PyEVMBackend
        from web3 import EthereumTesterProvider

        params = PyEVMBackend.generate_genesis_params(overrides={"gas_limit": gas_limit})
        self.backend = PyEVMBackend(genesis_parameters=params)
        self.tester = EthereumTester(self.backend)
        self.w3 = Web3(EthereumTesterProvider(self.tester))
        self.accounts = [to_checksum_address(a) for a in self.w3.eth.accounts]

    def snapshot(self) -> Any:
        return self.tester.take_snapshot()

    def revert(self, snapshot: Any) -> None:
        self.tester.revert_to_snapshot(snapshot)

    def dry_run(self, tx: _Tx, gas: int, block: Any = "latest"):
        """Execute ``tx`` on a throw-away copy of the state after ``block``; returns the py-evm computation."""
        from eth_tester.backends.pyevm.main import EVMSpoofTransaction, _execute_and_revert_transaction

        raw = self.tester.normalizer.normalize_inbound_transaction({**tx.params(), "gas": gas})
        raw.setdefault("to", b"")
        evm_tx = self.backend._get_normalized_and_unsigned_evm_transaction(raw, block)
        spoof = EVMSpoofTransaction(evm_tx, from_=raw["from"])
        return _execute_and_revert_transaction(self.backend.chain, spoof, block)

    def _measure(self, tx: _Tx, gas: int, block: Any = "latest", *, at_limit: bool = False) -> tuple[int, int]:
        """(gross, net) execution gas of ``tx`` run with limit ``gas``; raises on revert / out of gas.

        ``at_limit``: ``gas`` is the most any transaction may have, so running
        out of it means the transaction is too large rather than failing.
        """
        from eth.exceptions import OutOfGas, Revert

        computation = self.dry_run(tx, gas, block)
        if computation.is_error:
            error = computation.error
            if isinstance(error, OutOfGas) and at_limit:
                which = "the EIP-7825 cap" if gas == G.MAX_TX_GAS else "the block gas limit"
                raise TransactionTooLargeError(
                    f"transaction runs out of gas at {which} ({gas:,})", needed=None, cap=gas
                )
            if isinstance(error, Revert):
                data = bytes(error.args[0]) if error.args else b""
                raise TransactionRevertedError(decode_revert(data), data=data)
            raise TransactionRevertedError(f"{type(error).__name__}: {error}")
        gross = computation.get_gas_used()
        intrinsic = G.intrinsic_gas(tx.data, tx.create)
        refund = min(computation.get_gas_refund(), (intrinsic + gross) // 5)  # EIP-3529 cap
        return gross, gross - refund

    def _estimate(self, tx: _Tx) -> tuple[int, int | None]:
        limit = min(G.MAX_TX_GAS, self.block_gas_limit)
        gross, net = self._measure(tx, limit, at_limit=True)
        gas = G.gas_limit_for(tx.data, gross, tx.create)
        needed = G.intrinsic_gas(tx.data, tx.create) + gross
        G.check_cap(needed)
        return min(gas, limit), net

    def _send(self, tx: _Tx, gas: int) -> bytes:
        return self.w3.eth.send_transaction({**tx.params(), "gas": gas})

    def _execution_of_mined(self, tx: _Tx, tx_hash: str, receipt: Any, gas: int) -> int | None:
        try:
            return self._measure(tx, gas, int(receipt["blockNumber"]) - 1)[1]
        except L1Error:
            return None


class RpcL1(L1Chain):
    """Any JSON-RPC node (anvil, geth, ...).

    Accounts are the node's unlocked ``eth_accounts`` or, when
    ``private_keys`` are given, local keys that sign every transaction.
    """

    def __init__(self, url: str, private_keys: Sequence[str | bytes] | None = None, timeout: float = 60.0):
        from eth_account import Account

        self.url = url
        self.w3 = Web3(Web3.HTTPProvider(url, request_kwargs={"timeout": timeout}))
        self._keys: dict[str, Any] = {}
        try:
            self._chain_id = int(self.w3.eth.chain_id)
            if private_keys:
                for key in private_keys:
                    account = Account.from_key(key)
                    self._keys[account.address] = account
                self.accounts = list(self._keys)
            else:
                self.accounts = [to_checksum_address(a) for a in self.w3.eth.accounts]
        except Exception as exc:
            raise L1UnavailableError(f"no usable L1 node at {url}: {exc}") from exc
        if not self.accounts:
            raise L1UnavailableError(f"the node at {url} has no unlocked accounts and no private key was given")

    @property
    def chain_id(self) -> int:
        return self._chain_id

    def snapshot(self) -> Any:
        with self._node():
            return self.w3.provider.make_request("evm_snapshot", [])["result"]

    def revert(self, snapshot: Any) -> None:
        with self._node():
            self.w3.provider.make_request("evm_revert", [snapshot])

    def _estimate(self, tx: _Tx) -> tuple[int, int | None]:
        from web3.exceptions import Web3RPCError

        try:
            with self._node():
                estimate = int(self.w3.eth.estimate_gas(tx.params()))
        except L1Error:
            raise
        except Exception as exc:
            reverted = _reverted_from_exception(exc)
            if reverted is not None:
                raise reverted from exc
            text = str(exc).lower()
            if isinstance(exc, Web3RPCError) and ("out of gas" in text or "exceeds allowance" in text or "gas limit" in text):
                raise TransactionTooLargeError(f"transaction needs more gas than the block allows: {exc}", cap=G.MAX_TX_GAS) from exc
            raise
        estimate = G.estimate_gas_with_floor(estimate, tx.data, tx.create)
        G.check_cap(estimate)
        return min(estimate + estimate // 64, G.MAX_TX_GAS), None

    def _send(self, tx: _Tx, gas: int) -> bytes:
        account = self._keys.get(tx.sender)
        if account is None:
            return self.w3.eth.send_transaction({**tx.params(), "gas": gas})
        base_fee = int(self.w3.eth.get_block("latest").get("baseFeePerGas", 0) or 0)
        tip = int(self.w3.eth.max_priority_fee)
        params = {
            **tx.params(),
            "gas": gas,
            "nonce": self.w3.eth.get_transaction_count(tx.sender, "pending"),
            "chainId": self._chain_id,
            "maxPriorityFeePerGas": tip,
            "maxFeePerGas": 2 * base_fee + tip,
            "type": 2,
        }
        signed = account.sign_transaction(params)
        return self.w3.eth.send_raw_transaction(signed.raw_transaction)

    def _execution_of_mined(self, tx: _Tx, tx_hash: str, receipt: Any, gas: int) -> int | None:
        """Execution gas (net of refunds) of a mined transaction, from traces.

        The top call's ``gasUsed`` in ``trace_transaction`` is the execution
        gas before refunds.  Refunds come only from SSTORE: when the
        transaction touched no storage slot (``prestateTracer``) there are
        none; otherwise the refund counter is read with a small JavaScript
        tracer (slow on anvil, ~0.3M gas/s, but only for floor-bound
        transactions that touch storage).  None when the node lacks a tracer.
        """
        try:
            with self._node():
                traces = self._rpc("trace_transaction", [tx_hash])
                top = next(t for t in traces if not t.get("traceAddress"))
                gross = int(top["result"]["gasUsed"], 16)
                prestate = self._rpc("debug_traceTransaction", [tx_hash, {"tracer": "prestateTracer"}])
                if not any(account.get("storage") for account in prestate.values()):
                    return gross
                refund = int(self._rpc("debug_traceTransaction", [tx_hash, {"tracer": _REFUND_TRACER}])["refund"])
        except L1UnavailableError:
            raise
        except Exception:
            return None
        intrinsic = G.intrinsic_gas(tx.data, tx.create)
        return gross - min(refund, (intrinsic + gross) // 5)  # EIP-3529 cap

    def _rpc(self, method: str, params: list) -> Any:
        response = self.w3.provider.make_request(method, params)
        if "error" in response:
            raise L1Error(f"{method}: {response['error']}")
        return response["result"]


# geth-style JavaScript tracer keeping the refund counter of the last step
_REFUND_TRACER = (
    "{r: 0, step: function(log, db) { this.r = log.getRefund(); }, "
    "fault: function(log, db) {}, result: function(ctx, db) { return {refund: this.r}; }}"
)
