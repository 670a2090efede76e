# pragma version ~=0.4.3
"""
@title AIR of root-only fib batches (aggregator/root_air.py, RootBatchAir)
@notice The statement is (member count) in, the 4-element Rescue-Prime root of
        the member journals out; no member value is public.  20 main columns
        (fib a, b, s, c; the 12-column Rescue lane; merge flag M, leaf flag F,
        level, index), 3 auxiliary running products over random (gamma, beta)
        pairs.  Quotients in the order of prover/stark/composition.py: main
        transitions, auxiliary transitions, auxiliary assertions, segment
        assertions, segment constraints.  docs/aggregator.md has the design.
"""
from stark import goldilocks
from stark import journal as journal_codec
from stark import rescue

P: constant(uint256) = 18446744069414584321
W: constant(uint256) = 7
PROGRAM_ID: public(constant(bytes32)) = 0xc956debf5baf3cfc8d68f466563ce26121bf0c560a79c95548b93ed085bbb503
FIB_ID: constant(bytes32) = 0x48753cacce5aafa3f9fcc06537983d1dcaee2e63292c7c510376ffc1c17a0486
WIDTH: public(constant(uint256)) = 20
AUX_WIDTH: constant(uint256) = 3
COMP_COLUMNS: public(constant(uint256)) = 7
FULL: constant(uint256) = WIDTH + AUX_WIDTH
MAX_OOD: constant(uint256) = 104
MAX_MEMBERS: constant(uint256) = 65536
MIN_SEGMENT: constant(uint256) = 32
MASK32: constant(uint256) = 4294967295
# columns
LANE: constant(uint256) = 4
M: constant(uint256) = 16
F: constant(uint256) = 17
LVL: constant(uint256) = 18
IDX: constant(uint256) = 19
# the lane's periodic round constants, per round r: forward (rows 2r), backward (rows 2r + 1)
ROUND_CONSTANTS: constant(uint256[12][14]) = [
    rescue.RC0_F, rescue.RC0_B, rescue.RC1_F, rescue.RC1_B, rescue.RC2_F, rescue.RC2_B, rescue.RC3_F,
    rescue.RC3_B, rescue.RC4_F, rescue.RC4_B, rescue.RC5_F, rescue.RC5_B, rescue.RC6_F, rescue.RC6_B,
]
# a journal of one fib member as field elements: 8 id limbs, #inputs, n, #outputs, out
FIB_ELEMENTS: constant(uint256) = 12


@external
@pure
def aux() -> (uint256, uint256):
    """@notice (auxiliary columns, random values): three running products, each with its (gamma, beta)."""
    return (AUX_WIDTH, 2 * AUX_WIDTH)


@external
@pure
def columns(journal: Bytes[journal_codec.MAX_JOURNAL]) -> (uint256, uint256):
    """@notice (main trace width, composition columns): fixed for this AIR."""
    return (WIDTH, COMP_COLUMNS)


@internal
@view
def _statement(arg: uint256) -> (uint256, uint256[4]):
    """@notice (member count, root) of the statement journal that is ABI argument `arg`; reverts unless well formed."""
    inputs: DynArray[uint256, journal_codec.MAX_VALUES] = []
    outputs: DynArray[uint256, journal_codec.MAX_VALUES] = []
    inputs, outputs = journal_codec.decode(arg, 1, 4)
    assert inputs[0] >= 1 and inputs[0] <= MAX_MEMBERS, "a root-only batch has 1 .. 65536 members"
    return (inputs[0], [outputs[0], outputs[1], outputs[2], outputs[3]])


@internal
@pure
def _log_segments(count: uint256) -> uint256:
    """@notice log2 of the segment count: the member count rounded up to a power of two."""
    log_n: uint256 = 0
    for step: uint256 in range(17):
        if (1 << log_n) >= count:
            break
        log_n += 1
    return log_n


@external
@view
def shape(journal: Bytes[journal_codec.MAX_JOURNAL]) -> (uint256, uint256, uint256):
    """@notice (main trace width, composition columns, fewest rows): 32 rows per segment at least."""
    count: uint256 = 0
    root: uint256[4] = empty(uint256[4])
    count, root = self._statement(0)
    return (WIDTH, COMP_COLUMNS, MIN_SEGMENT << self._log_segments(count))


@external
@view
def journal_root(journal: Bytes[journal_codec.MAX_JOURNAL]) -> (bytes32, uint256):
    """@notice (the Rescue-Prime root packed as bytes32, member count): what the rollup records."""
    count: uint256 = 0
    root: uint256[4] = empty(uint256[4])
    count, root = self._statement(0)
    return (rescue.pack(root), count)


# -- extension-field helpers (a + b X, X^2 = 7); every input canonical ------------------


@internal
@pure
def _mul(a: uint256[2], b: uint256[2]) -> uint256[2]:
    return [
        unsafe_add(unsafe_mul(a[0], b[0]), unsafe_mul(W, unsafe_mul(a[1], b[1]))) % P,
        unsafe_add(unsafe_mul(a[0], b[1]), unsafe_mul(a[1], b[0])) % P,
    ]


@internal
@pure
def _scale(a: uint256[2], k: uint256) -> uint256[2]:
    return [uint256_mulmod(a[0], k, P), uint256_mulmod(a[1], k, P)]


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
def _pow7(x: uint256[2]) -> uint256[2]:
    x2: uint256[2] = self._mul(x, x)
    x3: uint256[2] = self._mul(x2, x)
    return self._mul(self._mul(x3, x3), x)


@internal
@view
def _inv(a: uint256[2]) -> uint256[2]:
    i0: uint256 = 0
    i1: uint256 = 0
    i0, i1 = goldilocks.ext_inv(a[0], a[1])
    return [i0, i1]


@internal
@pure
def _at(ood: DynArray[uint256, MAX_OOD], column: uint256, shifted: bool) -> uint256[2]:
    """@notice A column's claimed value at z (or at z g when `shifted`)."""
    i: uint256 = 2 * column
    if shifted:
        i += 2 * FULL
    return [ood[i], ood[i + 1]]


# -- periodic columns: cycle 8, evaluated through the Lagrange basis at w = z^(T/8) ----


@internal
@view
def _basis(w: uint256[2]) -> uint256[2][8]:
    """@notice L_i(w) = (w^8 - 1) / 8 * u^i / (w - u^i) for the 8th roots of unity u^i."""
    u: uint256 = goldilocks.root_of_unity(3)
    points: uint256[8] = empty(uint256[8])
    prefix: uint256[8] = empty(uint256[8])
    w1sq7: uint256 = uint256_mulmod(W * w[1], w[1], P)
    running: uint256 = 1
    x: uint256 = 1
    for i: uint256 in range(8):
        points[i] = x
        prefix[i] = running
        d: uint256 = uint256_addmod(w[0], P - x, P)
        running = uint256_mulmod(running, uint256_addmod(uint256_mulmod(d, d, P), P - w1sq7, P), P)
        x = uint256_mulmod(x, u, P)
    w8: uint256[2] = w
    for step: uint256 in range(3):
        w8 = self._mul(w8, w8)
    scale: uint256[2] = self._scale([uint256_addmod(w8[0], P - 1, P), w8[1]], goldilocks.inv(8))
    inv_all: uint256 = goldilocks.inv(running)
    out: uint256[2][8] = empty(uint256[2][8])
    for step: uint256 in range(8):
        i: uint256 = 7 - step
        d: uint256 = uint256_addmod(w[0], P - points[i], P)
        inv_norm: uint256 = uint256_mulmod(inv_all, prefix[i], P)
        inv_all = uint256_mulmod(inv_all, uint256_addmod(uint256_mulmod(d, d, P), P - w1sq7, P), P)
        k: uint256 = uint256_mulmod(points[i], inv_norm, P)  # u^i / norm_i; 1/(w - u^i) = (d - w1 X) / norm_i
        out[i] = self._mul(scale, [uint256_mulmod(k, d, P), uint256_mulmod(k, P - w[1], P)])
    return out


@internal
@pure
def _round_constants(b: uint256[2][8]) -> (uint256[12], uint256[12], uint256[12], uint256[12]):
    """@notice The lane's round-constant columns at z: forward (c0 parts, c1 parts), then backward."""
    rc: uint256[12][14] = ROUND_CONSTANTS
    acc: uint256[12][4] = empty(uint256[12][4])
    for r: uint256 in range(7):
        l0: uint256 = b[r][0]
        l1: uint256 = b[r][1]
        for k: uint256 in range(12):  # 7 unreduced terms below 2^128 each
            acc[0][k] = unsafe_add(acc[0][k], unsafe_mul(rc[2 * r][k], l0))
            acc[1][k] = unsafe_add(acc[1][k], unsafe_mul(rc[2 * r][k], l1))
            acc[2][k] = unsafe_add(acc[2][k], unsafe_mul(rc[2 * r + 1][k], l0))
            acc[3][k] = unsafe_add(acc[3][k], unsafe_mul(rc[2 * r + 1][k], l1))
    for j: uint256 in range(4):
        for k: uint256 in range(12):
            acc[j][k] = acc[j][k] % P
    return (acc[0], acc[1], acc[2], acc[3])


# -- the constraints -----------------------------------------------------------------------


struct Sum:
    acc: uint256[2]
    power: uint256[2]
    alpha: uint256[2]


@internal
@pure
def _push(s: Sum, q: uint256[2]) -> Sum:
    """@notice acc += alpha^k q_k for the next quotient k."""
    out: Sum = s
    out.acc = self._add(s.acc, self._mul(s.power, q))
    out.power = self._mul(s.power, s.alpha)
    return out


@internal
@view
def _lane(s: Sum, ood: DynArray[uint256, MAX_OOD], b: uint256[2][8], factor: uint256[2]) -> Sum:
    """@notice The 12 Rescue round residuals sel * ((MDS^-1 (t - Cb))^7 - MDS s^7 - Cf), times the transition factor."""
    zero: uint256[12] = empty(uint256[12])
    cf0: uint256[12] = empty(uint256[12])
    cf1: uint256[12] = empty(uint256[12])
    cb0: uint256[12] = empty(uint256[12])
    cb1: uint256[12] = empty(uint256[12])
    cf0, cf1, cb0, cb1 = self._round_constants(b)
    s0: uint256[12] = empty(uint256[12])
    s1: uint256[12] = empty(uint256[12])
    t0: uint256[12] = empty(uint256[12])
    t1: uint256[12] = empty(uint256[12])
    for k: uint256 in range(12):
        p: uint256[2] = self._pow7(self._at(ood, LANE + k, False))
        s0[k] = p[0]
        s1[k] = p[1]
        t: uint256[2] = self._sub(self._at(ood, LANE + k, True), [cb0[k], cb1[k]])
        t0[k] = t[0]
        t1[k] = t[1]
    f0: uint256[12] = rescue._mds(s0, cf0)
    f1: uint256[12] = rescue._mds(s1, cf1)
    g0: uint256[12] = rescue._mds_inv(t0, zero)
    g1: uint256[12] = rescue._mds_inv(t1, zero)
    selector: uint256[2] = self._sub([1, 0], b[7])  # 1 on the 7 round rows of a block
    scaled: uint256[2] = self._mul(selector, factor)
    out: Sum = s
    for k: uint256 in range(12):
        r: uint256[2] = self._sub(self._pow7([g0[k], g1[k]]), [f0[k], f1[k]])
        out = self._push(out, self._mul(r, scaled))
    return out


@internal
@pure
def _main(s: Sum, ood: DynArray[uint256, MAX_OOD], factor: uint256[2]) -> Sum:
    """@notice fib's 5 transitions, then (after the lane) flag holds, binary flags, zero capacity of merge inputs."""
    a: uint256[2] = self._at(ood, 0, False)
    bb: uint256[2] = self._at(ood, 1, False)
    st: uint256[2] = self._at(ood, 2, False)
    c: uint256[2] = self._at(ood, 3, False)
    one_minus_s: uint256[2] = self._sub([1, 0], st)
    out: Sum = self._push(s, self._mul(self._mul(st, one_minus_s), factor))
    out = self._push(out, self._mul(self._mul(self._at(ood, 2, True), one_minus_s), factor))
    out = self._push(out, self._mul(self._sub(self._sub(self._at(ood, 0, True), a), self._mul(st, self._sub(bb, a))), factor))
    out = self._push(out, self._mul(self._sub(self._sub(self._at(ood, 1, True), bb), self._mul(st, a)), factor))
    out = self._push(out, self._mul(self._sub(self._sub(self._at(ood, 3, True), c), st), factor))
    return out


@internal
@pure
def _flags(s: Sum, ood: DynArray[uint256, MAX_OOD], b: uint256[2][8], factor: uint256[2]) -> Sum:
    rounds: uint256[2] = self._mul(self._sub([1, 0], b[7]), factor)
    out: Sum = s
    for col: uint256 in [M, F, LVL, IDX]:
        out = self._push(out, self._mul(self._sub(self._at(ood, col, True), self._at(ood, col, False)), rounds))
    m: uint256[2] = self._at(ood, M, False)
    f: uint256[2] = self._at(ood, F, False)
    out = self._push(out, self._mul(self._mul(m, self._sub([1, 0], m)), factor))
    out = self._push(out, self._mul(self._mul(f, self._sub([1, 0], f)), factor))
    gate: uint256[2] = self._mul(self._mul(b[0], m), factor)  # first row of a merge block
    for k: uint256 in range(4):
        out = self._push(out, self._mul(self._at(ood, LANE + 8 + k, False), gate))
    return out


@internal
@pure
def _bus(s: Sum, ood: DynArray[uint256, MAX_OOD], b: uint256[2][8], factor: uint256[2]) -> Sum:
    """@notice Z_i' * leaf * made - Z_i * left * right for the three products, times (z - g^(T-1)) / (z^T - 1)."""
    first: uint256[2] = b[0]
    last: uint256[2] = b[7]
    m: uint256[2] = self._at(ood, M, False)
    f: uint256[2] = self._at(ood, F, False)
    lvl: uint256[2] = self._at(ood, LVL, False)
    idx: uint256[2] = self._at(ood, IDX, False)
    lvl_below: uint256[2] = self._sub(lvl, [1, 0])
    leaf_gate: uint256[2] = self._mul(last, f)
    made_gate: uint256[2] = self._mul(last, m)
    merge_gate: uint256[2] = self._mul(first, m)
    out: Sum = s
    for i: uint256 in range(AUX_WIDTH):
        gamma: uint256 = ood[4 * FULL + 2 * i]
        beta: uint256 = ood[4 * FULL + 2 * i + 1]
        lo: uint256[2] = [0, 0]
        hi: uint256[2] = [0, 0]
        power: uint256 = uint256_mulmod(beta, beta, P)
        for k: uint256 in range(4):
            lo = self._add(lo, self._scale(self._at(ood, LANE + k, False), power))
            hi = self._add(hi, self._scale(self._at(ood, LANE + 4 + k, False), power))
            power = uint256_mulmod(power, beta, P)
        beta_idx: uint256[2] = self._scale(idx, beta)
        gm1: uint256[2] = [uint256_addmod(gamma, P - 1, P), 0]
        # factor = 1 + gate * (gamma - fp - 1)
        leaf: uint256[2] = self._add([1, 0], self._mul(leaf_gate, self._sub(gm1, self._add(beta_idx, lo))))
        made: uint256[2] = self._add([1, 0], self._mul(made_gate, self._sub(gm1, self._add(self._add(lvl, beta_idx), lo))))
        left: uint256[2] = self._add([1, 0], self._mul(merge_gate, self._sub(gm1, self._add(self._add(lvl_below, self._add(beta_idx, beta_idx)), lo))))
        right_fp: uint256[2] = self._add(self._add(lvl_below, self._add(self._add(beta_idx, beta_idx), [beta, 0])), hi)
        right: uint256[2] = self._add([1, 0], self._mul(merge_gate, self._sub(gm1, right_fp)))
        produced: uint256[2] = self._mul(self._mul(self._at(ood, WIDTH + i, True), leaf), made)
        consumed: uint256[2] = self._mul(self._mul(self._at(ood, WIDTH + i, False), left), right)
        out = self._push(out, self._mul(self._sub(produced, consumed), factor))
    return out


@internal
@view
def _products_assertions(s: Sum, ood: DynArray[uint256, MAX_OOD], z: uint256[2], g_last: uint256, depth: uint256, root: uint256[4]) -> Sum:
    """@notice Each Z_i is 1 at row 0 and 1 / (gamma_i - fp(depth, 0, root)) at row T-1."""
    inv_first: uint256[2] = self._inv([uint256_addmod(z[0], P - 1, P), z[1]])
    inv_last: uint256[2] = self._inv([uint256_addmod(z[0], P - g_last, P), z[1]])
    out: Sum = s
    for i: uint256 in range(AUX_WIDTH):
        gamma: uint256 = ood[4 * FULL + 2 * i]
        beta: uint256 = ood[4 * FULL + 2 * i + 1]
        fp: uint256 = root[3]
        for k: uint256 in range(3):
            fp = uint256_addmod(uint256_mulmod(fp, beta, P), root[2 - k], P)
        fp = uint256_addmod(uint256_mulmod(uint256_mulmod(fp, beta, P), beta, P), depth, P)  # (depth, 0, root...)
        final: uint256 = goldilocks.inv(uint256_addmod(gamma, P - fp, P))
        zi: uint256[2] = self._at(ood, WIDTH + i, False)
        out = self._push(out, self._mul(self._sub(zi, [1, 0]), inv_first))
        out = self._push(out, self._mul(self._sub(zi, [final, 0]), inv_last))
    return out


@internal
@view
def _segment_denominator(z_n: uint256[2], g: uint256, offset: uint256, segments: uint256) -> uint256[2]:
    """@notice 1 / (z^N - g^(offset N)): the zerofier of rows offset + j L."""
    return self._inv([uint256_addmod(z_n[0], P - goldilocks.pow_(g, offset * segments), P), z_n[1]])


@internal
@view
def _segments(s: Sum, ood: DynArray[uint256, MAX_OOD], z_n: uint256[2], g: uint256, length: uint256, segments: uint256) -> Sum:
    """@notice Segment assertions (fib start, leaf sponge, flags), then the 12 segment constraints feeding block B."""
    d_start: uint256[2] = self._segment_denominator(z_n, g, 0, segments)
    d_sponge: uint256[2] = self._segment_denominator(z_n, g, length - 24, segments)
    d_leaf: uint256[2] = self._segment_denominator(z_n, g, length - 9, segments)
    d_block0: uint256[2] = self._segment_denominator(z_n, g, 7, segments)
    d_link: uint256[2] = self._segment_denominator(z_n, g, length - 17, segments)
    d_end: uint256[2] = self._segment_denominator(z_n, g, length - 1, segments)
    out: Sum = self._push(s, self._mul(self._at(ood, 0, False), d_start))
    out = self._push(out, self._mul(self._sub(self._at(ood, 1, False), [1, 0]), d_start))
    out = self._push(out, self._mul(self._at(ood, 3, False), d_start))
    fib_id: uint256 = convert(FIB_ID, uint256)
    for k: uint256 in range(12):
        v: uint256 = 0
        if k < 8:
            v = (fib_id >> (224 - 32 * k)) & MASK32
        elif k == 8:
            v = FIB_ELEMENTS
        elif k == 9:
            v = 1  # rescue.SPONGE_TAG
        out = self._push(out, self._mul(self._sub(self._at(ood, LANE + k, False), [v, 0]), d_sponge))
    f: uint256[2] = self._at(ood, F, False)
    m: uint256[2] = self._at(ood, M, False)
    out = self._push(out, self._mul(self._sub(f, [1, 0]), d_leaf))
    out = self._push(out, self._mul(f, d_block0))
    out = self._push(out, self._mul(f, d_link))
    out = self._push(out, self._mul(f, d_end))
    out = self._push(out, self._mul(m, d_link))
    out = self._push(out, self._mul(m, d_leaf))
    out = self._push(out, self._mul(m, d_end))
    # block B's input = block A's output + [1, n, 1, out, 0 ...], n and out from the member's row L - 17
    for k: uint256 in range(12):
        absorbed: uint256[2] = [0, 0]
        if k == 0 or k == 2:
            absorbed = [1, 0]
        elif k == 1:
            absorbed = self._at(ood, 3, False)
        elif k == 3:
            absorbed = self._at(ood, 0, False)
        step: uint256[2] = self._sub(self._sub(self._at(ood, LANE + k, True), self._at(ood, LANE + k, False)), absorbed)
        out = self._push(out, self._mul(step, d_link))
    return out


@external
@view
def evaluate(log_t: uint256, z0: uint256, z1: uint256, alpha0: uint256, alpha1: uint256, ood: DynArray[uint256, MAX_OOD], journal: Bytes[journal_codec.MAX_JOURNAL]) -> (uint256, uint256):
    """@notice sum_k alpha^k Q_k(z) from the 23 columns at z, at z g (ood[0:92]) and the 6 random values (ood[92:98])."""
    count: uint256 = 0
    root: uint256[4] = empty(uint256[4])
    count, root = self._statement(6)
    assert len(ood) >= 4 * FULL + 2 * AUX_WIDTH, "out-of-domain values missing"
    log_n: uint256 = self._log_segments(count)
    assert log_t >= log_n + 5, "trace too short for the batch"
    segments: uint256 = 1 << log_n
    length: uint256 = (1 << log_t) >> log_n
    z: uint256[2] = [z0, z1]
    g: uint256 = goldilocks.root_of_unity(log_t)
    g_last: uint256 = goldilocks.pow_(g, (1 << log_t) - 1)
    zt0: uint256 = 0
    zt1: uint256 = 0
    zt0, zt1 = goldilocks.ext_square_n(z0, z1, log_t)
    inv_vanish: uint256[2] = self._inv([uint256_addmod(zt0, P - 1, P), zt1])
    zn0: uint256 = 0
    zn1: uint256 = 0
    zn0, zn1 = goldilocks.ext_square_n(z0, z1, log_n)
    z_n: uint256[2] = [zn0, zn1]
    # transitions skip each segment's last row: (z^N - g^(T-N)) / (z^T - 1)
    transition: uint256[2] = self._mul([uint256_addmod(zn0, P - goldilocks.pow_(g, (1 << log_t) - segments), P), zn1], inv_vanish)
    w0: uint256 = 0
    w1: uint256 = 0
    w0, w1 = goldilocks.ext_square_n(z0, z1, log_t - 3)
    b: uint256[2][8] = self._basis([w0, w1])

    s: Sum = Sum(acc=[0, 0], power=[1, 0], alpha=[alpha0, alpha1])
    s = self._main(s, ood, transition)
    s = self._lane(s, ood, b, transition)
    s = self._flags(s, ood, b, transition)
    s = self._bus(s, ood, b, self._mul([uint256_addmod(z0, P - g_last, P), z1], inv_vanish))
    s = self._products_assertions(s, ood, z, g_last, log_n, root)
    s = self._segments(s, ood, z_n, g, length, segments)
    return (s.acc[0], s.acc[1])
