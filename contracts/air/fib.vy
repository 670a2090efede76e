# pragma version ~=0.4.3
"""
@title AIR of the `fib` program (prover/programs/fib.py)
@notice Columns (a, b) = (F(i), F(i+1)); transitions a' = b, b' = a + b;
        assertions a[0] = 0, b[0] = 1, a[n] = output.
"""
from stark import constraints
from stark import goldilocks
from stark import journal as journal_codec

P: constant(uint256) = 18446744069414584321
PROGRAM_ID: public(constant(bytes32)) = 0x48753cacce5aafa3f9fcc06537983d1dcaee2e63292c7c510376ffc1c17a0486
WIDTH: public(constant(uint256)) = 2
COMP_COLUMNS: public(constant(uint256)) = 1


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
    inputs, outputs = journal_codec.decode(0, 1, 1)
    rows: uint256 = 8
    for step: uint256 in range(64):
        if rows > inputs[0]:
            break
        rows <<= 1
    return (WIDTH, COMP_COLUMNS, rows)


@external
@view
def evaluate(log_t: uint256, z0: uint256, z1: uint256, alpha0: uint256, alpha1: uint256, ood: DynArray[uint256, 80], journal: Bytes[journal_codec.MAX_SINGLE_JOURNAL]) -> (uint256, uint256):
    """@notice sum_k alpha^k Q_k(z) from the trace values at z (ood[0:4]) and z*g (ood[4:8])."""
    inputs: DynArray[uint256, journal_codec.MAX_VALUES] = []
    outputs: DynArray[uint256, journal_codec.MAX_VALUES] = []
    inputs, outputs = journal_codec.decode(6, 1, 1)
    f0: uint256 = 0
    f1: uint256 = 0
    f0, f1 = constraints.transition_factor(log_t, z0, z1)
    q: DynArray[uint256, 2 * constraints.MAX_QUOTIENTS] = []
    t0: uint256 = 0
    t1: uint256 = 0
    # a' - b
    t0, t1 = goldilocks.ext_sub(ood[4], ood[5], ood[2], ood[3])
    t0, t1 = goldilocks.ext_mul(t0, t1, f0, f1)
    q.append(t0)
    q.append(t1)
    # b' - (a + b)
    s0: uint256 = 0
    s1: uint256 = 0
    s0, s1 = goldilocks.ext_add(ood[0], ood[1], ood[2], ood[3])
    t0, t1 = goldilocks.ext_sub(ood[6], ood[7], s0, s1)
    t0, t1 = goldilocks.ext_mul(t0, t1, f0, f1)
    q.append(t0)
    q.append(t1)
    t0, t1 = constraints.boundary_quotient(log_t, z0, z1, ood[0], ood[1], 0, 0)
    q.append(t0)
    q.append(t1)
    t0, t1 = constraints.boundary_quotient(log_t, z0, z1, ood[2], ood[3], 0, 1)
    q.append(t0)
    q.append(t1)
    t0, t1 = constraints.boundary_quotient(log_t, z0, z1, ood[0], ood[1], inputs[0], outputs[0])
    q.append(t0)
    q.append(t1)
    return constraints.combine(q, alpha0, alpha1)
