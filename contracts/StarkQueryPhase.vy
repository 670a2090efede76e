# pragma version ~=0.4.3
"""
@title STARK verifier, query phase (called by StarkVerifier.vy)
@notice Replays the transcript and checks every query: Merkle openings of the
        trace, composition and FRI layers, DEEP values, FRI folding and the
        final polynomial.  It does NOT check the constraints at the
        out-of-domain point: on its own it is not a verifier.  StarkVerifier
        forwards its own calldata here unchanged (same function signature),
        so the proof is never copied between contracts; the split keeps each
        contract under the EIP-170 code-size limit.
"""
from stark import proof
from stark import queries
from stark import statement


@external
@view
def verify(air: address, journal: Bytes[proof.MAX_JOURNAL], seal: uint256) -> uint256:
    """
    @notice Reverts unless every query of `seal` is consistent; returns its conjectured security bits.
    @dev `seal` is the ABI offset of the seal in calldata, as in StarkVerifier.verify.
         The statement itself (journal, program id, trace length) is checked by StarkVerifier.
    """
    seal_at: uint256 = 0
    seal_len: uint256 = 0
    seal_at, seal_len = statement.seal_location()
    s: statement.Statement = statement.decode(air, journal, seal_at, False)
    ctx: proof.Context = proof.begin(s.initial, seal_at, seal_len, s.width, s.comp_cols, 0, s.aux_width, s.aux_randomness)
    queries.check(ctx)
    return ctx.security
