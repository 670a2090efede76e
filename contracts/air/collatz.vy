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

P: constant(uint256) = 18446744069414584321
INV2: constant(uint256) = 9223372034707292161
PROGRAM_ID: public(constant(bytes32)) = 0x95e8742e0a33e948fe7f6c04de46361ee4327d62984af68d9c8f0dc17347efb1
WIDTH: public(constant(uint256)) = 10
COMP_COLUMNS: public(constant(uint256)) = 3
BLOCK: constant(uint256) = 8
A: constant(uint256) = 0
V: constant(uint256) = 1
B0: constant(uint256) = 2
PAR: constant(uint256) = 6
DONE: constant(uint256) = 7
WINV: constant(uint256) = 8
CNT: constant(uint256) = 9


@external
@pure
def shape(inputs: DynArray[uint256, 64], outputs: DynArray[uint256, 64]) -> (uint256, uint256, uint256):
    """@notice (trace width, composition columns, fewest trace rows the statement needs)."""
    assert len(inputs) == 1 and len(outputs) == 1, "collatz takes 1 input and 1 output"
    rows: uint256 = 8
    for step: uint256 in range(70):
        if rows >= BLOCK * (outputs[0] + 1):
            break
        rows <<= 1
    return (WIDTH, COMP_COLUMNS, rows)


@internal
@pure
def _add(a: uint256[2], b: uint256[2]) -> uint256[2]:
    return [uint256_addmod(a[0], b[0], P), uint256_addmod(a[1], b[1], P)]


@internal
@pure
def _sub(a: uint256[2], b: uint256[2]) -> uint256[2]:
    return [uint256_addmod(a[0], P - b[0], P), uint256_addmod(a[1], P - b[1], P)]


@internal
@pure
def _mul(a: uint256[2], b: uint256[2]) -> uint256[2]:
    c0: uint256 = 0
    c1: uint256 = 0
    c0, c1 = goldilocks.ext_mul(a[0], a[1], b[0], b[1])
    return [c0, c1]


@internal
@pure
def _scale(a: uint256[2], s: uint256) -> uint256[2]:
    return [uint256_mulmod(a[0], s, P), uint256_mulmod(a[1], s, P)]


@internal
@pure
def _const(s: uint256) -> uint256[2]:
    return [s % P, 0]


@internal
@view
def _transitions(cur: uint256[2][WIDTH], nxt: uint256[2][WIDTH], first: uint256[2], last: uint256[2]) -> DynArray[uint256[2], 18]:
    one: uint256[2] = [1, 0]
    a: uint256[2] = cur[A]
    p: uint256[2] = cur[PAR]
    d: uint256[2] = cur[DONE]
    nibble: uint256[2] = self._add(self._add(cur[B0], self._scale(cur[B0 + 1], 2)), self._add(self._scale(cur[B0 + 2], 4), self._scale(cur[B0 + 3], 8)))
    not_last: uint256[2] = self._sub(one, last)
    not_done: uint256[2] = self._sub(one, d)
    odd_step: uint256[2] = self._mul(p, self._add(self._scale(a, 3), one))
    even_step: uint256[2] = self._scale(self._mul(self._sub(one, p), a), INV2)
    step: uint256[2] = self._add(odd_step, even_step)
    out: DynArray[uint256[2], 18] = []
    for i: uint256 in range(4):
        b: uint256[2] = cur[B0 + i]
        out.append(self._mul(b, self._sub(one, b)))
    out.append(self._mul(not_last, self._sub(self._sub(cur[V], self._scale(nxt[V], 16)), nibble)))
    out.append(self._mul(last, self._sub(cur[V], nibble)))
    out.append(self._mul(first, self._sub(cur[V], a)))
    out.append(self._mul(first, self._sub(p, cur[B0])))
    for col: uint256 in [A, PAR, DONE, WINV, CNT]:
        out.append(self._mul(not_last, self._sub(nxt[col], cur[col])))
    out.append(self._mul(last, self._sub(self._sub(nxt[A], self._mul(d, a)), self._mul(not_done, step))))
    out.append(self._mul(last, self._sub(self._sub(nxt[CNT], cur[CNT]), not_done)))
    out.append(self._mul(d, self._sub(one, d)))
    out.append(self._mul(d, self._sub(a, one)))
    out.append(self._mul(not_done, self._sub(self._mul(self._sub(a, one), cur[WINV]), one)))
    return out


@external
@view
def evaluate(log_t: uint256, z0: uint256, z1: uint256, alpha0: uint256, alpha1: uint256, ood: DynArray[uint256, 64], inputs: DynArray[uint256, 64], outputs: DynArray[uint256, 64]) -> (uint256, uint256):
    """@notice sum_k alpha^k Q_k(z) from the trace values at z (ood[0:20]) and z*g (ood[20:40])."""
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
    transitions: DynArray[uint256[2], 18] = self._transitions(cur, nxt, first, last)
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
