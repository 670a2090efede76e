# pragma version ~=0.4.3
"""
@title Transition constraints of the `collatz` program
@notice Shared by its AIR contract (collatz.vy) and the batch AIR (batch.vy),
        which uses the collatz trace unchanged as a segment.
@dev Extension elements are uint256[2] (c0, c1) here, for readability.
"""
from stark import goldilocks

P: constant(uint256) = 18446744069414584321
INV2: constant(uint256) = 9223372034707292161
WIDTH: constant(uint256) = 10
A: constant(uint256) = 0
V: constant(uint256) = 1
B0: constant(uint256) = 2
PAR: constant(uint256) = 6
DONE: constant(uint256) = 7
WINV: constant(uint256) = 8
CNT: constant(uint256) = 9


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
def transitions(cur: uint256[2][WIDTH], nxt: uint256[2][WIDTH], first: uint256[2], last: uint256[2]) -> DynArray[uint256[2], 18]:
    """@notice The 18 transition constraint values at one point, in prover/programs/collatz.py order."""
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
