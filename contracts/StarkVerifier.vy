# pragma version ~=0.4.3
"""
@title STARK verifier (docs/proof-format.md, version 1)
@notice One verifier for every program: the program-specific part, the
        constraints at the out-of-domain point, lives in a small AIR contract
        (contracts/air/) that this contract calls with a few hundred bytes;
        the proof itself is read from calldata here and never copied.
        Accepts exactly the proofs prover/stark/verifier.py accepts.
@dev Reverts with a reason on every invalid proof, journal or AIR.
"""
from stark import goldilocks
from stark import proof
from stark import queries

P: constant(uint256) = 18446744069414584321
MAX_PROOF: constant(uint256) = 65536
MAX_VALUES: constant(uint256) = 64
MAX_OOD: constant(uint256) = 64


interface Air:
    def PROGRAM_ID() -> bytes32: view
    def shape(inputs: DynArray[uint256, MAX_VALUES], outputs: DynArray[uint256, MAX_VALUES]) -> (uint256, uint256, uint256): view
    def evaluate(log_t: uint256, z0: uint256, z1: uint256, alpha0: uint256, alpha1: uint256, ood: DynArray[uint256, MAX_OOD], inputs: DynArray[uint256, MAX_VALUES], outputs: DynArray[uint256, MAX_VALUES]) -> (uint256, uint256): view


@internal
@pure
def _values(journal: Bytes[proof.MAX_JOURNAL], at: uint256) -> (DynArray[uint256, MAX_VALUES], uint256):
    """@notice A journal value list (u32 count, then 8-byte values) at `at`; returns it and the offset after it."""
    assert at + 4 <= len(journal), "journal truncated"
    count: uint256 = convert(slice(journal, at, 4), uint256)
    assert count <= MAX_VALUES, "journal lists too many values"
    assert at + 4 + 8 * count <= len(journal), "journal truncated"
    out: DynArray[uint256, MAX_VALUES] = []
    for i: uint256 in range(MAX_VALUES):
        if i >= count:
            break
        v: uint256 = convert(slice(journal, at + 4 + 8 * i, 8), uint256)
        assert v < P, "journal value is not a canonical field element"
        out.append(v)
    return (out, at + 4 + 8 * count)


@external
@view
def verify(air: address, journal: Bytes[proof.MAX_JOURNAL], seal: Bytes[MAX_PROOF]) -> uint256:
    """
    @notice Verify `seal` for `journal` under the program whose constraints `air` evaluates.
    @return Conjectured security bits of the proof.
    """
    assert len(journal) >= 40, "journal truncated"
    assert convert(slice(journal, 0, 32), bytes32) == staticcall Air(air).PROGRAM_ID(), "journal is for another program"
    inputs: DynArray[uint256, MAX_VALUES] = []
    outputs: DynArray[uint256, MAX_VALUES] = []
    at: uint256 = 0
    inputs, at = self._values(journal, 32)
    outputs, at = self._values(journal, at)
    assert at == len(journal), "trailing bytes after the journal"
    width: uint256 = 0
    comp_cols: uint256 = 0
    min_rows: uint256 = 0
    width, comp_cols, min_rows = staticcall Air(air).shape(inputs, outputs)
    assert width >= 1 and width <= queries.MAX_WIDTH and comp_cols >= 1 and comp_cols <= queries.MAX_COMP, "AIR shape out of range"

    # `seal` is the third argument: its head word holds the offset of (length, bytes).
    seal_head: uint256 = 4 + convert(slice(msg.data, 68, 32), uint256)
    seal_len: uint256 = convert(slice(msg.data, seal_head, 32), uint256)
    ctx: proof.Context = proof.begin(journal, seal_head + 32, seal_len, width, comp_cols, min_rows)

    ood: DynArray[uint256, MAX_OOD] = []
    for i: uint256 in range(MAX_OOD // 2):
        if i >= 2 * width:
            break
        c0: uint256 = 0
        c1: uint256 = 0
        c0, c1 = proof.ood(ctx, i)
        ood.append(c0)
        ood.append(c1)
    e0: uint256 = 0
    e1: uint256 = 0
    e0, e1 = staticcall Air(air).evaluate(ctx.log_t, ctx.z0, ctx.z1, ctx.alpha0, ctx.alpha1, ood, inputs, outputs)

    # H(z) = sum_j z^(jT) H_j(z) from the committed composition columns.
    zt0: uint256 = 0
    zt1: uint256 = 0
    zt0, zt1 = goldilocks.ext_square_n(ctx.z0, ctx.z1, ctx.log_t)
    h0: uint256 = 0
    h1: uint256 = 0
    for j: uint256 in range(queries.MAX_COMP):
        if j >= comp_cols:
            break
        c0: uint256 = 0
        c1: uint256 = 0
        c0, c1 = proof.ood(ctx, 2 * width + comp_cols - 1 - j)
        h0, h1 = goldilocks.ext_mul(h0, h1, zt0, zt1)
        h0 = uint256_addmod(h0, c0, P)
        h1 = uint256_addmod(h1, c1, P)
    assert h0 == e0 and h1 == e1, "out-of-domain composition check failed"

    queries.check(ctx)
    return ctx.security
