# pragma version ~=0.4.3
"""
@title STARK proof header, commitments and Fiat-Shamir challenges
@notice Parses the fixed-size front of a proof (docs/proof-format.md, "Proof
        layout"), replays the transcript, checks the proof of work and draws
        the query positions.  Everything after this works from the Context.
"""
import journal_bound
from stark import calldata
from stark import transcript

MAX_QUERIES: constant(uint256) = 32
MAX_RANDOMNESS: constant(uint256) = 8
MAX_FOLDS: constant(uint256) = 22
# The deployment's statement bound: contracts/bounds/<large|single>/journal_bound.vy (contracts/compiler.py).
MAX_JOURNAL: constant(uint256) = journal_bound.MAX_JOURNAL
TAG: constant(Bytes[16]) = b"SUPERVM-STARK-V1"
HEADER_SIZE: constant(uint256) = 8
EXTENSION_FIELD_BITS: constant(uint256) = 128
HASH_COLLISION_BITS: constant(uint256) = 128


struct Context:
    log_t: uint256
    log_blowup: uint256
    log_folding: uint256
    log_first_folding: uint256
    num_queries: uint256
    width: uint256
    main_width: uint256
    aux_width: uint256
    comp_cols: uint256
    folds: uint256
    final_size: uint256
    log_n: uint256
    security: uint256
    proof_at: uint256
    proof_end: uint256
    ood_at: uint256
    fri_roots_at: uint256
    final_at: uint256
    openings_at: uint256
    trace_root: bytes32
    aux_root: bytes32
    comp_root: bytes32
    randomness: uint256[MAX_RANDOMNESS]
    alpha0: uint256
    alpha1: uint256
    z0: uint256
    z1: uint256
    gamma0: uint256
    gamma1: uint256
    betas: uint256[2 * MAX_FOLDS]
    queries: uint256[MAX_QUERIES]


@internal
@view
def begin(initial: bytes32, proof_at: uint256, proof_len: uint256, width: uint256, comp_cols: uint256, required_rows: uint256, aux_width: uint256, aux_randomness: uint256) -> Context:
    """
    @notice Header checks, section layout, transcript replay and query positions.
    @param initial The transcript's first state, keccak256(TAG || header || journal),
           computed by the caller where the journal already is (see statement.vy).
    @param proof_at Absolute calldata offset of the proof's first byte.
    @param required_rows Fewest trace rows the statement needs (from the program's AIR).
    @param aux_width Auxiliary columns of a two-stage AIR (0: one stage); they count as trace
           columns width .. width + aux_width - 1 in ctx.width, the out-of-domain values and DEEP.
    """
    ctx: Context = empty(Context)
    assert proof_len >= HEADER_SIZE, "proof truncated in the header"
    h: uint256 = calldata.word(proof_at) >> 192
    assert h >> 56 == 1, "unsupported proof version"
    ctx.log_t = (h >> 48) & 255
    ctx.log_blowup = (h >> 40) & 255
    ctx.log_folding = (h >> 32) & 255
    ctx.num_queries = (h >> 24) & 255
    grinding: uint256 = (h >> 16) & 255
    log_rem: uint256 = (h >> 8) & 255
    ctx.log_first_folding = h & 255
    assert ctx.log_blowup >= 1 and ctx.log_blowup <= 10, "bad proof options: log_blowup"
    assert ctx.log_folding >= 1 and ctx.log_folding <= 4, "bad proof options: log_folding"
    assert ctx.log_first_folding >= 1 and ctx.log_first_folding <= 4, "bad proof options: log_first_folding"
    assert ctx.num_queries >= 1 and ctx.num_queries <= MAX_QUERIES, "bad proof options: num_queries"
    assert grinding <= 32, "bad proof options: grinding_bits"
    assert log_rem <= 8, "bad proof options: log_max_remainder"
    assert ctx.log_t >= 3 and ctx.log_t <= 22, "log trace length out of range"
    assert (1 << ctx.log_t) >= required_rows, "trace is shorter than the statement needs"
    assert (1 << ctx.log_blowup) >= comp_cols, "blowup is below the composition degree"

    assert aux_randomness <= MAX_RANDOMNESS, "too many random values for the auxiliary trace"
    ctx.main_width = width
    ctx.aux_width = aux_width
    ctx.width = width + aux_width
    ctx.comp_cols = comp_cols
    ctx.log_n = ctx.log_t + ctx.log_blowup
    ctx.security = min(min(EXTENSION_FIELD_BITS - ctx.log_n, ctx.num_queries * ctx.log_blowup + grinding), HASH_COLLISION_BITS)
    excess: uint256 = 0
    if ctx.log_t > log_rem:
        excess = ctx.log_t - log_rem
    # The first round folds by 2^log_first_folding, every later one by 2^log_folding.
    ctx.folds = 1
    if excess > ctx.log_first_folding:
        ctx.folds = 1 + (excess - ctx.log_first_folding + ctx.log_folding - 1) // ctx.log_folding
    folded: uint256 = ctx.log_first_folding + ctx.log_folding * (ctx.folds - 1)
    assert ctx.log_n >= folded, "folding schedule exceeds the evaluation domain"
    final_log: uint256 = 0
    if ctx.log_t > folded:
        final_log = ctx.log_t - folded
    ctx.final_size = 1 << final_log

    ctx.proof_at = proof_at
    ctx.proof_end = proof_at + proof_len
    roots: uint256 = 64
    if aux_width > 0:
        roots = 96
    ctx.ood_at = proof_at + HEADER_SIZE + roots
    ood_size: uint256 = 16 * (2 * ctx.width + comp_cols)
    ctx.fri_roots_at = ctx.ood_at + ood_size
    ctx.final_at = ctx.fri_roots_at + 32 * (ctx.folds - 1)
    nonce_at: uint256 = ctx.final_at + 16 * ctx.final_size
    ctx.openings_at = nonce_at + 8
    assert ctx.openings_at <= ctx.proof_end, "proof truncated before the openings"
    ctx.trace_root = convert(slice(msg.data, proof_at + HEADER_SIZE, 32), bytes32)
    ctx.comp_root = convert(slice(msg.data, proof_at + HEADER_SIZE + roots - 32, 32), bytes32)

    state: bytes32 = transcript.absorb32(initial, ctx.trace_root)
    if aux_width > 0:
        # docs/proof-format.md: draw_bases(k), then absorb the auxiliary root
        ctx.aux_root = convert(slice(msg.data, proof_at + HEADER_SIZE + 32, 32), bytes32)
        for i: uint256 in range(MAX_RANDOMNESS // 2):
            if 2 * i >= aux_randomness:
                break
            state = transcript.draw(state)
            ctx.randomness[2 * i], ctx.randomness[2 * i + 1] = transcript.ext_of(state)
        state = transcript.absorb32(state, ctx.aux_root)
    state = transcript.draw(state)
    ctx.alpha0, ctx.alpha1 = transcript.ext_of(state)
    state = transcript.draw(transcript.absorb32(state, ctx.comp_root))
    ctx.z0, ctx.z1 = transcript.ext_of(state)
    state = transcript.draw(calldata.absorb_range(state, ctx.ood_at, ood_size))
    ctx.gamma0, ctx.gamma1 = transcript.ext_of(state)
    state = transcript.draw(state)
    ctx.betas[0], ctx.betas[1] = transcript.ext_of(state)
    for r: uint256 in range(1, MAX_FOLDS):
        if r >= ctx.folds:
            break
        root: bytes32 = convert(slice(msg.data, ctx.fri_roots_at + 32 * (r - 1), 32), bytes32)
        state = transcript.draw(transcript.absorb32(state, root))
        ctx.betas[2 * r], ctx.betas[2 * r + 1] = transcript.ext_of(state)
    state = calldata.absorb_range(state, ctx.final_at, 16 * ctx.final_size)
    state = keccak256(concat(state, slice(msg.data, nonce_at, 8)))
    if grinding > 0:
        assert convert(state, uint256) >> (256 - grinding) == 0, "proof-of-work nonce does not meet the grinding requirement"
    mask: uint256 = (1 << (ctx.log_n - ctx.log_first_folding)) - 1
    for i: uint256 in range(MAX_QUERIES):
        if i >= ctx.num_queries:
            break
        state = transcript.draw(state)
        ctx.queries[i] = convert(state, uint256) & mask
    return ctx


@internal
@view
def ood(ctx: Context, i: uint256) -> (uint256, uint256):
    """@notice Out-of-domain value i: T_c(z) for i < w, T_c(zg) for i < 2w, then H_j(z)."""
    at: uint256 = ctx.ood_at + 16 * i
    return (calldata.felt(at + 8), calldata.felt(at + 16))
