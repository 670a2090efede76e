# pragma version ~=0.4.3
"""
@title AIR of the `mimc` program (prover/programs/mimc.py)
@notice One column x; transition x' = (x + k(i))^3 with k the periodic
        column of 64 round constants keccak256("supervm-mimc" || i) mod p;
        assertions x[0] = seed, x[rounds] = output.
"""
from stark import constraints
from stark import goldilocks
from stark import journal as journal_codec

P: constant(uint256) = 18446744069414584321
PROGRAM_ID: public(constant(bytes32)) = 0x2fdd5a2fa827eba77b2719e004b3fbd17f229fdbadab7903207beb18d967bbec
WIDTH: public(constant(uint256)) = 1
COMP_COLUMNS: public(constant(uint256)) = 2
ROUND_CYCLE: constant(uint256) = 64


@external
@pure
def aux() -> (uint256, uint256):
    """@notice (auxiliary columns, random values): this AIR is one-stage."""
    return (0, 0)


@external
@pure
def columns(journal: Bytes[journal_codec.MAX_SINGLE_JOURNAL]) -> (uint256, uint256):
    """@notice (trace width, composition columns): fixed for this program."""
    return (WIDTH, COMP_COLUMNS)


@external
@pure
def journal_root(journal: Bytes[journal_codec.MAX_SINGLE_JOURNAL]) -> (bytes32, uint256):
    """@notice (root of the journal tree, member count): a single journal is its own one-leaf tree."""
    return (keccak256(journal), 1)


@external
@view
def shape(journal: Bytes[journal_codec.MAX_SINGLE_JOURNAL]) -> (uint256, uint256, uint256):
    """@notice (trace width, composition columns, fewest trace rows the statement needs)."""
    inputs: DynArray[uint256, journal_codec.MAX_VALUES] = []
    outputs: DynArray[uint256, journal_codec.MAX_VALUES] = []
    inputs, outputs = journal_codec.decode(0, 2, 1)
    rows: uint256 = 8
    for step: uint256 in range(64):
        if rows > inputs[1]:
            break
        rows <<= 1
    return (WIDTH, COMP_COLUMNS, rows)


@internal
@pure
def _round_constants() -> DynArray[uint256, ROUND_CYCLE]:
    out: DynArray[uint256, ROUND_CYCLE] = []
    for i: uint256 in range(ROUND_CYCLE):
        out.append(convert(keccak256(concat(b"supervm-mimc", slice(convert(i, bytes32), 28, 4))), uint256) % P)
    return out


@external
@view
def evaluate(log_t: uint256, z0: uint256, z1: uint256, alpha0: uint256, alpha1: uint256, ood: DynArray[uint256, 80], journal: Bytes[journal_codec.MAX_SINGLE_JOURNAL]) -> (uint256, uint256):
    """@notice sum_k alpha^k Q_k(z) from the trace value at z (ood[0:2]) and z*g (ood[2:4])."""
    inputs: DynArray[uint256, journal_codec.MAX_VALUES] = []
    outputs: DynArray[uint256, journal_codec.MAX_VALUES] = []
    inputs, outputs = journal_codec.decode(6, 2, 1)
    k0: uint256 = 0
    k1: uint256 = 0
    k0, k1 = constraints.periodic_at(log_t, z0, z1, self._round_constants())
    t0: uint256 = 0
    t1: uint256 = 0
    t0, t1 = goldilocks.ext_add(ood[0], ood[1], k0, k1)
    c0: uint256 = 0
    c1: uint256 = 0
    c0, c1 = goldilocks.ext_mul(t0, t1, t0, t1)
    c0, c1 = goldilocks.ext_mul(c0, c1, t0, t1)
    c0, c1 = goldilocks.ext_sub(ood[2], ood[3], c0, c1)
    f0: uint256 = 0
    f1: uint256 = 0
    f0, f1 = constraints.transition_factor(log_t, z0, z1)
    q: DynArray[uint256, 2 * constraints.MAX_QUOTIENTS] = []
    c0, c1 = goldilocks.ext_mul(c0, c1, f0, f1)
    q.append(c0)
    q.append(c1)
    c0, c1 = constraints.boundary_quotient(log_t, z0, z1, ood[0], ood[1], 0, inputs[0])
    q.append(c0)
    q.append(c1)
    c0, c1 = constraints.boundary_quotient(log_t, z0, z1, ood[0], ood[1], inputs[1], outputs[0])
    q.append(c0)
    q.append(c1)
    return constraints.combine(q, alpha0, alpha1)
