"""The sequencer: validates signed requests, orders them into L2 blocks and closes batches.

Acceptance (:meth:`Sequencer.submit`) checks, in order, the fields, the chain
id, the signature, the program, the inputs, the trace rows and the sender's
nonce (no gaps, no replays), then stores every accepted request in one
durable transaction before returning — a request the RPC acknowledged is on
disk.  Sealing (:meth:`Sequencer.tick`, called every ``block_time``) moves
pending requests into an L2 block of the open batch, executing them (through
the prover service's Trace path, with its receipt cache) so their outputs are
known at once.  A batch closes when it holds ``max_requests``, when the next
request would push its trace past ``max_rows`` or its estimated L1 gas past
``max_gas`` (at most the EIP-7825 cap) or its statement past what the
rollup contract accepts, or when its oldest request is ``max_age`` seconds
old.  Closed batches go to the prover stage.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from aggregator.root_air import segment_length as root_segment_length
from aggregator.segments import FORM_BY_ID
from node.config import EIP7825_CAP, MAX_BATCH_ROWS
from node.errors import (
    InvalidRequestInputError,
    InvalidSignatureError,
    NonceGapError,
    NonceTooLowError,
    QueueFullError,
    RequestRejectedError,
    TooManyRowsError,
    UnknownProgramRequestError,
    WrongChainIdError,
)
from node.signing import recover_signer, request_digests, request_ids, to_checksum
from node.store import Member, NewRequest, Store
from prover.errors import SuperVMError
from prover.programs import PROGRAMS, program_by_id
from prover.programs.base import Program, next_power_of_two

log = logging.getLogger("supervm.sequencer")

#: Most input values a request may carry (every registered program takes at most 2).
MAX_INPUTS = 16
#: Largest batch statement the rollup contract takes (``MAX_JOURNAL`` in contracts/Rollup.vy).
MAX_STATEMENT_BYTES = 32768
#: Statement bytes besides member values: batch id and group count, then per program group its id and count.
STATEMENT_HEADER = 36
STATEMENT_GROUP = 36
_U64 = 1 << 64
_HEX_CHARS = frozenset("0123456789abcdefABCDEF")


@dataclass(frozen=True)
class BatchPolicy:
    """When a batch closes."""

    max_requests: int = 256
    max_age: float = 2.0
    max_rows: int = 1 << 20
    max_gas: int = 15_000_000

    def describe(self) -> str:
        return (
            f"close at {self.max_requests} requests, {self.max_age:g} s, 2^{self.max_rows.bit_length() - 1} trace rows"
            f" or {self.max_gas:,} L1 gas (EIP-7825 cap {EIP7825_CAP:,})"
        )


@dataclass
class GasModel:
    """Estimated L1 gas of a batch transaction: ``base + per_member * n + per_byte * journal bytes``.

    Starts from conservative figures and learns from settled batches: with
    one observation the excess goes to ``base``; with batches of two or more
    sizes, a least-squares line through the observations, raised by its
    largest residual, so the estimate stays an upper bound of what was seen.
    The sequencer keeps ``estimate × (1 + margin)`` under the batch gas budget.
    """

    base: int
    per_member: int
    per_byte: int = 40  # EIP-7623 floor: 10 gas per token, 4 tokens per non-zero byte
    margin: float = 0.05
    observations: list[tuple[int, int, int]] = field(default_factory=list)

    @classmethod
    def for_backend(cls, backend: str) -> "GasModel":
        # Trace: a dev-mode seal check plus the journal tree (~5K gas per member measured);
        # STARK: one verification (~9M gas for small batches measured) plus the tree.
        return cls(base=150_000, per_member=6_000) if backend == "trace" else cls(base=10_000_000, per_member=6_000)

    def estimate(self, members: int, journal_bytes: int) -> int:
        return self.base + self.per_member * members + self.per_byte * journal_bytes

    def fits(self, members: int, journal_bytes: int, budget: int) -> bool:
        return self.estimate(members, journal_bytes) * (1 + self.margin) <= budget

    def observe(self, members: int, journal_bytes: int, gas_used: int) -> None:
        """Fold a settled batch into the model."""
        self.observations = (self.observations + [(members, journal_bytes, gas_used)])[-64:]
        points = [(n, g - self.per_byte * b) for n, b, g in self.observations]
        sizes = {n for n, _ in points}
        if len(sizes) < 2:
            n, y = points[-1]
            self.base = max(self.base, y - self.per_member * n)
            return
        mean_n = sum(n for n, _ in points) / len(points)
        mean_y = sum(y for _, y in points) / len(points)
        var = sum((n - mean_n) ** 2 for n, _ in points)
        slope = max(0.0, sum((n - mean_n) * (y - mean_y) for n, y in points) / var)
        intercept = mean_y - slope * mean_n
        worst = max(y - (intercept + slope * n) for n, y in points)
        self.per_member = max(1, int(slope) + 1)
        self.base = max(0, int(intercept + max(0.0, worst)) + 1)


#: Programs a node settling root-only batches accepts: the root-only batch AIR proves fib members only.
ROOT_ONLY_PROGRAMS = frozenset({"fib"})


def segment_rows(program: bytes, inputs: Sequence[int], rows: int, root_only: bool = False) -> int:
    """Rows one member's segment takes in a batch trace (calldata layout, or the root-only layout)."""
    if root_only:
        return root_segment_length(inputs[:1])
    return max(FORM_BY_ID[program].min_rows, rows)


@dataclass
class OpenBatch:
    """The batch being filled: per-program member counts and the longest member segment."""

    number: int | None = None
    root_only: bool = False
    count: int = 0
    journal_bytes: int = 0
    per_program: dict[bytes, int] = field(default_factory=dict)
    segment_rows: int = 0
    first_at: float | None = None

    def member_rows(self, member: Member) -> int:
        """Rows of the member's segment in a batch trace: its own rows, at least the form's minimum; in a
        root-only batch, room for the leaf-hashing blocks after the member's last step as well."""
        return segment_rows(member.program, member.inputs, member.rows, self.root_only)

    @staticmethod
    def member_bytes(member: Member) -> int:
        program = program_by_id(member.program)
        return 8 * (program.num_inputs + program.num_outputs)

    def trace_rows_with(self, member: Member | None = None) -> int:
        """Batch trace length (segments × segment rows) with ``member`` added."""
        counts = dict(self.per_program)
        rows = self.segment_rows
        if member is not None:
            counts[member.program] = counts.get(member.program, 0) + 1
            rows = max(rows, self.member_rows(member))
        if not counts:
            return 0
        return next_power_of_two(max(counts.values())) * rows

    def add(self, member: Member) -> None:
        self.count += 1
        self.journal_bytes += self.member_bytes(member)
        self.per_program[member.program] = self.per_program.get(member.program, 0) + 1
        self.segment_rows = max(self.segment_rows, self.member_rows(member))


@dataclass(frozen=True)
class Accepted:
    """The answer to an accepted request."""

    id: bytes
    sender: str
    nonce: int
    seq: int

    def to_json(self) -> dict[str, Any]:
        return {"id": "0x" + self.id.hex(), "sender": self.sender, "nonce": self.nonce, "status": "pending"}


def _u64(params: Mapping[str, Any], name: str) -> int:
    return _u64_value(params.get(name), name)


def _u64_value(value: Any, name: str) -> int:
    if type(value) is int and 0 <= value < _U64:
        return value
    if isinstance(value, str):
        try:
            value = int(value, 16) if value[:2] in ("0x", "0X") else int(value, 10)
        except ValueError:
            raise InvalidRequestInputError(f"{name} is not a number: {value[:40]!r}") from None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidRequestInputError(f"{name} must be an integer or a 0x-hex string")
    if not 0 <= value < _U64:
        raise InvalidRequestInputError(f"{name} must be in [0, 2^64)")
    return value


def _hex_bytes(value: Any, name: str, size: int) -> bytes:
    if not isinstance(value, str) or not value[:2] in ("0x", "0X") or len(value) != 2 + 2 * size or not _HEX_CHARS.issuperset(value[2:]):
        raise InvalidRequestInputError(f"{name} must be a 0x-prefixed hex string of {size} bytes")
    return bytes.fromhex(value[2:])


@dataclass
class _Parsed:
    """A request's fields after parsing, before its signature is checked."""

    chain_id: int
    nonce: int
    program: Program
    inputs: tuple[int, ...]
    max_rows: int
    signature: bytes
    claimed: str | None
    rows: int = 0


@dataclass(frozen=True)
class Validated:
    """A request that passed every check except the nonce."""

    request: NewRequest
    program: Program


ExecuteFn = Callable[[Sequence[Member]], dict[int, tuple[int, ...]]]


class Sequencer:
    """Request validation, nonce ordering, L2 blocks and batch closing over a :class:`Store`."""

    def __init__(
        self,
        store: Store,
        chain_id: int,
        policy: BatchPolicy,
        gas_model: GasModel,
        execute: ExecuteFn | None = None,
        max_pending: int = 200_000,
        on_batch_closed: Callable[[int], None] | None = None,
        clock: Callable[[], float] = time.time,
        da: str = "calldata",
    ):
        self.store = store
        self.root_only = da == "root"
        self.only_programs = ROOT_ONLY_PROGRAMS if self.root_only else None
        self.chain_id = chain_id
        self.policy = policy
        self.gas_model = gas_model
        self.execute = execute
        self.max_pending = max_pending
        self.on_batch_closed = on_batch_closed
        self.clock = clock
        self._accept_lock = threading.Lock()
        self._seal_lock = threading.Lock()
        self._nonces = store.next_nonces()
        self._pending = store.status_counts()["pending"]
        self.accepted_total = 0
        self.rejected: dict[str, int] = {}
        self._open = self._restore_open_batch()
        self._program_names = {p.program_id: p.name for p in PROGRAMS.values()}

    # -- acceptance --------------------------------------------------------------
    def validate(self, params: Any) -> Validated:
        """Every check that needs no state: fields, chain id, signature, program, inputs, rows."""
        result = self.validate_many([params])[0]
        if isinstance(result, RequestRejectedError):
            raise result
        return result

    def validate_many(self, batch: Sequence[Any]) -> list[Validated | RequestRejectedError]:
        """:meth:`validate` for many requests; the hashing runs vectorized over the batch."""
        parsed: list[_Parsed | RequestRejectedError] = []
        for params in batch:
            try:
                parsed.append(self._parse(params))
            except RequestRejectedError as exc:
                parsed.append(exc)
        ok = [p for p in parsed if isinstance(p, _Parsed)]
        digests = request_digests([(p.chain_id, p.nonce, p.program.program_id, p.inputs, p.max_rows) for p in ok])
        out: list[Validated | RequestRejectedError] = []
        senders: list[str] = []
        checked: list[tuple[int, _Parsed, bytes, str]] = []
        it = iter(digests)
        for p in parsed:
            if not isinstance(p, _Parsed):
                out.append(p)
                continue
            digest = next(it)
            try:
                sender = self._check(p, digest)
            except RequestRejectedError as exc:
                out.append(exc)
                continue
            checked.append((len(out), p, digest, sender))
            senders.append(sender)
            out.append(None)  # type: ignore[arg-type]
        ids = request_ids([d for _, _, d, _ in checked], senders)
        for (i, p, _, sender), rid in zip(checked, ids):
            out[i] = Validated(NewRequest(rid, sender, p.nonce, p.program.program_id, p.inputs, p.max_rows, p.rows, p.signature),
                               p.program)
        return out

    def _parse(self, params: Any) -> "_Parsed":
        """Field checks, chain id, program, program inputs and rows (no hashing)."""
        if not isinstance(params, Mapping):
            raise InvalidRequestInputError("a request is an object with chainId, nonce, program, inputs, maxRows, signature")
        unknown = set(params) - {"chainId", "nonce", "program", "inputs", "maxRows", "signature", "from"}
        if unknown:
            raise InvalidRequestInputError(f"unknown request fields: {', '.join(sorted(map(str, unknown)))[:200]}")
        chain_id = _u64(params, "chainId")
        if chain_id != self.chain_id:
            raise WrongChainIdError(f"request is signed for chain id {chain_id}, this node is chain id {self.chain_id}")
        nonce = _u64(params, "nonce")
        max_rows = _u64(params, "maxRows")
        program_ref = params.get("program")
        if isinstance(program_ref, str) and program_ref in PROGRAMS:
            program: Program = PROGRAMS[program_ref]
        else:
            program_id = _hex_bytes(program_ref, "program", 32)
            try:
                program = program_by_id(program_id)
            except SuperVMError:
                raise UnknownProgramRequestError(f"unknown program id 0x{program_id.hex()}") from None
        if program.program_id not in FORM_BY_ID:
            raise UnknownProgramRequestError(f"program {program.name} cannot be batched by this node")
        if self.only_programs is not None and program.name not in self.only_programs:
            raise UnknownProgramRequestError(
                f"program {program.name} cannot be batched by this node: it settles root-only batches, which take "
                f"{', '.join(sorted(self.only_programs))} only"
            )
        raw_inputs = params.get("inputs")
        if not isinstance(raw_inputs, list) or len(raw_inputs) > MAX_INPUTS:
            raise InvalidRequestInputError(f"inputs must be a list of at most {MAX_INPUTS} integers")
        signed_inputs = tuple(_u64_value(v, "input") for v in raw_inputs)
        signature = _hex_bytes(params.get("signature"), "signature", 65)
        claimed = params.get("from")
        if claimed is not None and not isinstance(claimed, str):
            raise InvalidRequestInputError("from must be an address string")
        return _Parsed(chain_id, nonce, program, signed_inputs, max_rows, signature, claimed)

    def _check(self, p: "_Parsed", digest: bytes) -> str:
        """Signature (and claimed sender), then program input bounds and trace rows; returns the sender."""
        sender = recover_signer(digest, p.signature)
        if p.claimed is not None and p.claimed.lower() != sender.lower():
            raise InvalidSignatureError(f"signature is by {sender}, not by the claimed sender {p.claimed[:42]}")
        program = p.program
        try:
            p.inputs = program.validate_inputs(p.inputs)
        except SuperVMError as exc:
            raise InvalidRequestInputError(str(exc)) from None
        p.rows = program.trace_rows(p.inputs)
        if p.rows > p.max_rows:
            raise TooManyRowsError(f"{program.name} on these inputs needs {p.rows} trace rows, the request allows {p.max_rows}")
        segment = segment_rows(program.program_id, p.inputs, p.rows, self.root_only)
        if segment > min(self.policy.max_rows, MAX_BATCH_ROWS):
            raise TooManyRowsError(f"{program.name} needs {segment} rows in a batch, more than the batch limit {self.policy.max_rows}")
        return sender

    def submit(self, batch: Sequence[Any]) -> list[Accepted | RequestRejectedError]:
        """Validate each request and durably store those accepted, in order; one answer per request."""
        out: list[Accepted | RequestRejectedError | Validated] = list(self.validate_many(batch))
        with self._accept_lock:
            nonces: dict[str, int] = {}
            accepted: list[tuple[int, NewRequest]] = []
            room = self.max_pending - self._pending
            for i, item in enumerate(out):
                if not isinstance(item, Validated):
                    continue
                r = item.request
                expected = nonces.get(r.sender, self._nonces.get(r.sender, 0))
                if r.nonce < expected:
                    out[i] = NonceTooLowError(f"nonce {r.nonce} of {r.sender} is already used; next nonce is {expected}")
                elif r.nonce > expected:
                    out[i] = NonceGapError(f"nonce {r.nonce} of {r.sender} skips ahead; next nonce is {expected}")
                elif len(accepted) >= room:
                    out[i] = QueueFullError(f"the pending queue holds {self.max_pending} requests; retry later")
                else:
                    nonces[r.sender] = r.nonce + 1
                    accepted.append((i, r))
            if accepted:
                seqs = self.store.insert_requests([r for _, r in accepted], self.clock())
                self._nonces.update(nonces)
                self._pending += len(accepted)
                self.accepted_total += len(accepted)
                for (i, r), seq in zip(accepted, seqs):
                    out[i] = Accepted(r.id, r.sender, r.nonce, seq)
        for item in out:
            if isinstance(item, RequestRejectedError):
                name = type(item).__name__
                self.rejected[name] = self.rejected.get(name, 0) + 1
        return out  # type: ignore[return-value]

    def next_nonce(self, sender: str) -> int:
        """The nonce ``sender``'s next request must carry."""
        try:
            key = to_checksum(bytes.fromhex(sender.removeprefix("0x")))
        except ValueError:
            raise InvalidRequestInputError("address must be 20 bytes of hex") from None
        return self._nonces.get(key, 0)

    @property
    def pending_count(self) -> int:
        return self._pending

    # -- sealing -------------------------------------------------------------------
    def _restore_open_batch(self) -> OpenBatch:
        row = self.store.open_batch()
        acc = OpenBatch(root_only=self.root_only)
        if row is not None:
            acc.number = row["number"]
            acc.first_at = row["first_at"]
            for member in self.store.members(row["number"]):
                acc.add(member)
        return acc

    def _fits(self, acc: OpenBatch, member: Member) -> bool:
        if acc.count == 0:
            return True
        if acc.count + 1 > self.policy.max_requests:
            return False
        if acc.trace_rows_with(member) > min(self.policy.max_rows, MAX_BATCH_ROWS):
            return False
        groups = len(acc.per_program) + (member.program not in acc.per_program)
        if STATEMENT_HEADER + STATEMENT_GROUP * groups + acc.journal_bytes + acc.member_bytes(member) > MAX_STATEMENT_BYTES:
            return False
        return self.gas_model.fits(acc.count + 1, acc.journal_bytes + acc.member_bytes(member), min(self.policy.max_gas, EIP7825_CAP))

    def tick(self, now: float | None = None) -> list[int]:
        """Seal pending requests into a block and close full or old batches; returns the batches closed."""
        now = self.clock() if now is None else now
        closed: list[int] = []
        with self._seal_lock:
            while True:
                acc = self._open
                room = self.policy.max_requests - acc.count
                members = self.store.pending(max(room, 1)) if room > 0 else []
                take: list[Member] = []
                full = room <= 0
                for member in members:
                    if not self._fits(acc, member):
                        full = True
                        break
                    acc.add(member)
                    take.append(member)
                if take:
                    try:
                        outputs = self.execute(take) if self.execute else None
                        new = acc.number is None
                        _, acc.number = self.store.seal_block(take, acc.number, acc.trace_rows_with(), outputs, now)
                    except BaseException:
                        self._open = self._restore_open_batch()  # nothing was sealed: forget the additions
                        raise
                    if new:
                        acc.first_at = self.store.get_batch(acc.number)["first_at"]
                    self._pending -= len(take)
                if acc.count >= self.policy.max_requests:
                    full = True
                if full and acc.number is not None:
                    closed.append(self._close(acc, now))
                    continue
                break
            acc = self._open
            if acc.number is not None and acc.first_at is not None and now - acc.first_at >= self.policy.max_age:
                closed.append(self._close(acc, now))
        return closed

    def _close(self, acc: OpenBatch, now: float) -> int:
        number = acc.number
        assert number is not None
        self.store.close_batch(number, now)
        log.info("batch closed", extra={"batch": number, "requests": acc.count, "trace_rows": acc.trace_rows_with()})
        self._open = OpenBatch(root_only=self.root_only)
        if self.on_batch_closed:
            self.on_batch_closed(number)
        return number

    def open_batch_info(self) -> dict[str, Any]:
        acc = self._open
        return {"number": acc.number, "requests": acc.count, "traceRows": acc.trace_rows_with()}
