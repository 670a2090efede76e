# pragma version ~=0.4.3
"""
@title AIR of the `collatz` program (prover/programs/collatz.py)
@notice Columns a, v, b0..b3, p, done, w, count; periodic selectors first and
        last (cycle 8).  Eighteen transition constraints (bit decomposition of
        a into 4-bit nibbles over an 8-row block, parity, the Collatz step,
        the done flag and the step counter) and four assertions.
@dev Extension elements are uint256[2] (c0, c1) here, for readability.
"""
from stark import constraints
from stark import goldilocks
import collatz_rules
from stark import journal as journal_codec

P: constant(uint256) = 18446744069414584321
PROGRAM_ID: public(constant(bytes32)) = 0x95e8742e0a33e948fe7f6c04de46361ee4327d62984af68d9c8f0dc17347efb1
WIDTH: public(constant(uint256)) = 10
COMP_COLUMNS: public(constant(uint256)) = 3
BLOCK: constant(uint256) = 8
A: constant(uint256) = 0
DONE: constant(uint256) = 7
CNT: constant(uint256) = 9


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
    for step: uint256 in range(70):
        if rows >= BLOCK * (outputs[0] + 1):
            break
        rows <<= 1
    return (WIDTH, COMP_COLUMNS, rows)


@external
@view
def evaluate(log_t: uint256, z0: uint256, z1: uint256, alpha0: uint256, alpha1: uint256, ood: DynArray[uint256, 80], journal: Bytes[journal_codec.MAX_SINGLE_JOURNAL]) -> (uint256, uint256):
    """@notice sum_k alpha^k Q_k(z) from the trace values at z (ood[0:20]) and z*g (ood[20:40])."""
    inputs: DynArray[uint256, journal_codec.MAX_VALUES] = []
    outputs: DynArray[uint256, journal_codec.MAX_VALUES] = []
    inputs, outputs = journal_codec.decode(6, 1, 1)
    cur: uint256[2][WIDTH] = empty(uint256[2][WIDTH])
    nxt: uint256[2][WIDTH] = empty(uint256[2][WIDTH])
    for c: uint256 in range(WIDTH):
        cur[c] = [ood[2 * c], ood[2 * c + 1]]
        nxt[c] = [ood[2 * (WIDTH + c)], ood[2 * (WIDTH + c) + 1]]
    first: uint256[2] = empty(uint256[2])
    last: uint256[2] = empty(uint256[2])
    first[0], first[1] = constraints.periodic_at(log_t, z0, z1, [1, 0, 0, 0, 0, 0, 0, 0])
    last[0], last[1] = constraints.periodic_at(log_t, z0, z1, [0, 0, 0, 0, 0, 0, 0, 1])
    f0: uint256 = 0
    f1: uint256 = 0
    f0, f1 = constraints.transition_factor(log_t, z0, z1)
    q: DynArray[uint256, 2 * constraints.MAX_QUOTIENTS] = []
    transitions: DynArray[uint256[2], 18] = collatz_rules.transitions(cur, nxt, first, last)
    for t: uint256[2] in transitions:
        c0: uint256 = 0
        c1: uint256 = 0
        c0, c1 = goldilocks.ext_mul(t[0], t[1], f0, f1)
        q.append(c0)
        q.append(c1)
    last_row: uint256 = (1 << log_t) - 1
    for spec: uint256[3] in [[A, 0, inputs[0]], [CNT, 0, 0], [CNT, last_row, outputs[0]], [DONE, last_row, 1]]:
        c0: uint256 = 0
        c1: uint256 = 0
        c0, c1 = constraints.boundary_quotient(log_t, z0, z1, cur[spec[0]][0], cur[spec[0]][1], spec[1], spec[2])
        q.append(c0)
        q.append(c1)
    return constraints.combine(q, alpha0, alpha1)
