"""STARK proof options, named presets and the conjectured-security estimate."""

from __future__ import annotations

from dataclasses import dataclass

from prover.errors import InvalidParametersError

#: Bits of the quadratic extension over Goldilocks, from which every challenge is drawn.
EXTENSION_FIELD_BITS = 128
#: Collision resistance of keccak256 (birthday bound).
HASH_COLLISION_BITS = 128

MAX_LOG_BLOWUP = 10
MAX_LOG_FOLDING = 4
MAX_QUERIES = 32
MAX_GRINDING_BITS = 32
MAX_LOG_REMAINDER = 8


@dataclass(frozen=True)
class ProofOptions:
    """Parameters of one STARK proof; all of them are in the proof header."""

    log_blowup: int = 3
    log_folding: int = 3
    num_queries: int = 28
    grinding_bits: int = 16
    log_max_remainder: int = 4
    #: Folding of the first FRI round only (the DEEP layer, opened from the trace and composition
    #: trees); 0 means the same as ``log_folding``.  A smaller first folding opens fewer DEEP points
    #: per query, which is where an on-chain verifier spends most of its arithmetic.
    log_first_folding: int = 0

    def __post_init__(self) -> None:
        if self.log_first_folding == 0:
            object.__setattr__(self, "log_first_folding", self.log_folding)
        checks = [
            (1 <= self.log_blowup <= MAX_LOG_BLOWUP, f"log_blowup must be in [1, {MAX_LOG_BLOWUP}]"),
            (1 <= self.log_folding <= MAX_LOG_FOLDING, f"log_folding must be in [1, {MAX_LOG_FOLDING}]"),
            (1 <= self.log_first_folding <= MAX_LOG_FOLDING, f"log_first_folding must be in [1, {MAX_LOG_FOLDING}]"),
            (1 <= self.num_queries <= MAX_QUERIES, f"num_queries must be in [1, {MAX_QUERIES}]"),
            (0 <= self.grinding_bits <= MAX_GRINDING_BITS, f"grinding_bits must be in [0, {MAX_GRINDING_BITS}]"),
            (0 <= self.log_max_remainder <= MAX_LOG_REMAINDER, f"log_max_remainder must be in [0, {MAX_LOG_REMAINDER}]"),
        ]
        for ok, message in checks:
            if not ok:
                raise InvalidParametersError(message)

    @property
    def blowup(self) -> int:
        return 1 << self.log_blowup

    @property
    def folding(self) -> int:
        return 1 << self.log_folding

    @property
    def first_folding(self) -> int:
        return 1 << self.log_first_folding

    def num_fri_folds(self, log_trace_length: int) -> int:
        """FRI folding rounds: the first by 2^log_first_folding, the others by 2^log_folding, until
        the degree bound is <= 2^log_max_remainder (at least once)."""
        excess = max(0, log_trace_length - self.log_max_remainder)
        return 1 + max(0, -(-(excess - self.log_first_folding) // self.log_folding))

    def folded_bits(self, log_trace_length: int) -> int:
        """log2 of the total folding over all FRI rounds."""
        return self.log_first_folding + self.log_folding * (self.num_fri_folds(log_trace_length) - 1)

    def final_poly_size(self, log_trace_length: int) -> int:
        """Number of coefficients of the final FRI polynomial."""
        return 1 << max(0, log_trace_length - self.folded_bits(log_trace_length))

    def security_bits(self, log_trace_length: int) -> int:
        """Conjectured security (ethSTARK): min(field, queries*log2(blowup) + grinding, hash)."""
        log_lde = log_trace_length + self.log_blowup
        field_bits = EXTENSION_FIELD_BITS - log_lde
        query_bits = self.num_queries * self.log_blowup + self.grinding_bits
        return min(field_bits, query_bits, HASH_COLLISION_BITS)


PRESETS: dict[str, ProofOptions] = {
    # Conjectured >= 100 bits; the default for every proof.  The first FRI round folds by 4 (half the
    # DEEP points per query, the bulk of an EVM verifier's arithmetic): fib 2^16 verifies for 3.80M gas
    # instead of 4.06M with a first fold by 8, at the same prove time.
    "default": ProofOptions(log_blowup=3, log_folding=3, num_queries=28, grinding_bits=16, log_max_remainder=5, log_first_folding=2),
    # Same security, small proofs and cheap L1 verification (64x blowup, 13 queries, 22 bits of grinding), slower to prove.
    "compact": ProofOptions(log_blowup=6, log_folding=3, num_queries=13, grinding_bits=22, log_max_remainder=5, log_first_folding=2),
    # Same security, the cheapest L1 verification we measured: 512x blowup leaves 8 queries, paid for with
    # 28 bits of grinding (8 * 9 + 28 = 100; ~2^28 keccak calls, ~27 s on 2 cores), and a first FRI fold
    # by 4 halves the DEEP points per query.  Proving costs ~8x the compact preset in memory (fib 2^16:
    # ~6 GB).  The field term 128 - log2(LDE) keeps it at >= 100 bits up to 2^19 rows.
    "l1": ProofOptions(log_blowup=9, log_folding=3, num_queries=8, grinding_bits=28, log_max_remainder=5, log_first_folding=2),
    # Higher conjectured security (~112+ bits where the field term allows).
    "high": ProofOptions(log_blowup=4, log_folding=3, num_queries=24, grinding_bits=22, log_max_remainder=5, log_first_folding=2),
    # Insecure and fast, for tests and development only.
    "test": ProofOptions(log_blowup=2, log_folding=2, num_queries=8, grinding_bits=0, log_max_remainder=2),
}
DEFAULT_PRESET = "default"


def preset(name: str) -> ProofOptions:
    """The named preset; InvalidParametersError for an unknown name."""
    try:
        return PRESETS[name]
    except KeyError:
        raise InvalidParametersError(f"unknown preset {name!r}; known: {', '.join(PRESETS)}") from None
