# pragma version ~=0.4.3
"""
@title STARK verifier (docs/proof-format.md, version 1)
@notice One verifier for every program.  The program-specific part, the
        constraints at the out-of-domain point, lives in a small AIR contract
        (contracts/air/) called with a few hundred bytes; the query phase
        (Merkle, DEEP, FRI) lives in StarkQueryPhase.vy, which receives this
        call's calldata unchanged.  The proof is read from calldata and never
        copied.  Accepts exactly the proofs prover/stark/verifier.py accepts.
@dev Reverts with a reason on every invalid proof, journal or AIR.
"""
from stark import goldilocks
from stark import proof
from stark import statement

P: constant(uint256) = 18446744069414584321

QUERY_PHASE: public(immutable(address))


@deploy
def __init__(query_phase: address):
    QUERY_PHASE = query_phase


@external
@view
def verify(air: address, journal: Bytes[proof.MAX_JOURNAL], seal: uint256) -> uint256:
    """
    @notice Verify the seal for `journal` under the program whose constraints `air` evaluates.
    @param seal The ABI offset of the seal: callers encode (address, bytes, bytes)
           under this function's selector (docs/contracts.md, "Calling the verifier"),
           so the seal stays in calldata and is never copied or bounded here.
    @return Conjectured security bits of the proof.
    @dev Vyper copies the journal into this frame, which sits above every
         internal frame: journal-sized work is kept in internal functions.
    """
    seal_at: uint256 = 0
    seal_len: uint256 = 0
    seal_at, seal_len = statement.seal_location()
    assert seal_len >= proof.HEADER_SIZE, "proof truncated in the header"  # decode hashes the header
    s: statement.Statement = statement.decode(air, journal, seal_at, True)
    ctx: proof.Context = proof.begin(s.initial, seal_at, seal_len, s.width, s.comp_cols, s.min_rows, s.aux_width, s.aux_randomness)
    self._check_ood(air, ctx, journal)
    assert self._query_phase() == ctx.security, "query phase disagrees"
    return ctx.security


@internal
@view
def _check_ood(air: address, ctx: proof.Context, journal: Bytes[proof.MAX_JOURNAL]):
    """@notice The AIR's constraints at z, combined with alpha, must equal sum_j z^(jT) H_j(z) from the committed composition columns."""
    ood: DynArray[uint256, statement.MAX_OOD] = []
    for i: uint256 in range(statement.MAX_OOD // 2):
        if i >= 2 * ctx.width:
            break
        c0: uint256 = 0
        c1: uint256 = 0
        c0, c1 = proof.ood(ctx, i)
        ood.append(c0)
        ood.append(c1)
    if ctx.aux_width > 0:  # a two-stage AIR finds its random values after the out-of-domain values
        for i: uint256 in range(proof.MAX_RANDOMNESS):
            ood.append(ctx.randomness[i])
    e0: uint256 = 0
    e1: uint256 = 0
    e0, e1 = staticcall statement.Air(air).evaluate(ctx.log_t, ctx.z0, ctx.z1, ctx.alpha0, ctx.alpha1, ood, journal)

    zt0: uint256 = 0
    zt1: uint256 = 0
    zt0, zt1 = goldilocks.ext_square_n(ctx.z0, ctx.z1, ctx.log_t)
    h0: uint256 = 0
    h1: uint256 = 0
    for j: uint256 in range(statement.MAX_COMP):
        if j >= ctx.comp_cols:
            break
        c0: uint256 = 0
        c1: uint256 = 0
        c0, c1 = proof.ood(ctx, 2 * ctx.width + ctx.comp_cols - 1 - j)
        h0, h1 = goldilocks.ext_mul(h0, h1, zt0, zt1)
        h0 = uint256_addmod(h0, c0, P)
        h1 = uint256_addmod(h1, c1, P)
    assert h0 == e0 and h1 == e1, "out-of-domain composition check failed"


@internal
@view
def _query_phase() -> uint256:
    """@notice Forward this call's calldata unchanged to the query phase; its security bits."""
    result: Bytes[32] = raw_call(QUERY_PHASE, msg.data, max_outsize=32, is_static_call=True)
    return convert(result, uint256)
