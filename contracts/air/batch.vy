# pragma version ~=0.4.3
"""
@title AIR of batch statements (aggregator/air.py)
@notice A batch statement lists member journals grouped by program (fib,
        mimc, collatz); each member occupies one segment of its group's
        columns.  This contract decodes the statement, gives the trace shape,
        evaluates the constraints at the out-of-domain point (transitions
        exempt on each segment's last row, member values interpolated over
        the segment cosets, fib entry rows multiplied out) and builds the
        keccak tree of the member journals.
@dev Member values are read from the statement with one inline extract32 each (an internal
     call would copy the whole statement); the
     interpolations use a running common denominator, so no member-sized
     array is ever allocated.
"""
from stark import constraints
from stark import goldilocks
import collatz_rules

P: constant(uint256) = 18446744069414584321
W: constant(uint256) = 7
MASK64: constant(uint256) = 18446744073709551615
PROGRAM_ID: public(constant(bytes32)) = 0x76d5eb0a1babd1c1ba12f13531f5217b41b374ea41598b9ceb4862d70255ce94
FIB_ID: constant(bytes32) = 0x48753cacce5aafa3f9fcc06537983d1dcaee2e63292c7c510376ffc1c17a0486
MIMC_ID: constant(bytes32) = 0x2fdd5a2fa827eba77b2719e004b3fbd17f229fdbadab7903207beb18d967bbec
COLLATZ_ID: constant(bytes32) = 0x95e8742e0a33e948fe7f6c04de46361ee4327d62984af68d9c8f0dc17347efb1
MAX_JOURNAL: constant(uint256) = 32768
MAX_MEMBERS: constant(uint256) = 65536
MAX_DEPTH: constant(uint256) = 16
MAX_BLOCKS: constant(uint256) = 1024
MAX_LOG_TRACE: constant(uint256) = 22
FIB: constant(uint256) = 0
MIMC: constant(uint256) = 1
COLLATZ: constant(uint256) = 2
ROUND_CYCLE: constant(uint256) = 64


struct Layout:
    count: uint256[3]
    at: uint256[3]
    width: uint256
    segments: uint256
    log_segments: uint256
    groups: uint256
    form_of: uint256[3]
    blocks: uint256
    table: uint256


@internal
@pure
def _stride(form: uint256) -> uint256:
    """@notice Bytes of one member record: inputs then outputs, 8 bytes each."""
    if form == MIMC:
        return 24
    return 16


@internal
@pure
def _width(form: uint256) -> uint256:
    if form == FIB:
        return 2
    if form == MIMC:
        return 3
    return 10


@internal
@pure
def _layout(journal: Bytes[MAX_JOURNAL]) -> Layout:
    """@notice Group sizes and positions; reverts on any statement Python's BatchStatement.from_bytes refuses (values aside)."""
    assert len(journal) >= 36, "batch statement truncated"
    groups: uint256 = convert(slice(journal, 32, 4), uint256)
    assert groups >= 1 and groups <= 3, "batch lists a bad number of program groups"
    lay: Layout = empty(Layout)
    at: uint256 = 36
    next_form: uint256 = 0
    total: uint256 = 0
    biggest: uint256 = 0
    for g: uint256 in range(3):
        if g >= groups:
            break
        assert at + 36 <= len(journal), "batch statement truncated"
        pid: bytes32 = convert(slice(journal, at, 32), bytes32)
        form: uint256 = 3
        if pid == FIB_ID:
            form = FIB
        elif pid == MIMC_ID:
            form = MIMC
        elif pid == COLLATZ_ID:
            form = COLLATZ
        assert form < 3, "program cannot be batched"
        assert form >= next_form, "program groups are repeated or out of canonical order"
        next_form = form + 1
        count: uint256 = convert(slice(journal, at + 32, 4), uint256)
        total += count
        assert count >= 1 and total <= MAX_MEMBERS, "bad group size"
        lay.count[form] = count
        lay.at[form] = at + 36
        lay.form_of[g] = form
        at += 36 + self._stride(form) * count
        assert at <= len(journal), "batch statement truncated"
        lay.width += self._width(form)
        biggest = max(biggest, count)
    lay.groups = groups
    # The block table: per L2 block (tree order, widest first), its members in each group.
    assert at + 4 <= len(journal), "batch statement truncated"
    lay.blocks = convert(slice(journal, at, 4), uint256)
    assert lay.blocks >= 1 and lay.blocks <= MAX_BLOCKS, "batch lists a bad number of blocks"
    lay.table = at + 4
    assert lay.table + 4 * groups * lay.blocks <= len(journal), "batch statement truncated"
    assert lay.table + 4 * groups * lay.blocks == len(journal), "trailing bytes after the batch statement"
    sums: uint256[3] = empty(uint256[3])
    widest: uint256 = max_value(uint256)
    start: uint256 = 0
    end: uint256 = 0
    for k: uint256 in range(lay.blocks, bound=MAX_BLOCKS):
        members: uint256 = 0
        for g: uint256 in range(3):
            if g >= groups:
                break
            c: uint256 = convert(slice(journal, lay.table + 4 * (k * groups + g), 4), uint256)
            sums[g] += c
            members += c
        assert members >= 1 and members <= MAX_MEMBERS, "every block holds at least one member"
        span: uint256 = self._span(members)
        assert span <= widest, "blocks are not in tree order (widest first)"
        widest = span
        end = start + members
        start += span
    assert end <= MAX_MEMBERS, "the blocks span more than 65536 tree leaves"
    for g: uint256 in range(3):
        if g >= groups:
            break
        assert sums[g] == lay.count[lay.form_of[g]], "the block counts do not add up to the group sizes"
    lay.segments = 1
    for step: uint256 in range(17):
        if lay.segments >= biggest:
            break
        lay.segments <<= 1
        lay.log_segments += 1
    return lay


@internal
@pure
def _span(members: uint256) -> uint256:
    """@notice Leaves a block of `members` spans in the journal tree: the count rounded up to a power of two."""
    span: uint256 = 1
    for step: uint256 in range(MAX_DEPTH + 1):
        if span >= members:
            break
        span <<= 1
    return span


@internal
@pure
def _pad(branch: bytes32[MAX_DEPTH + 1], zeros: bytes32[MAX_DEPTH + 1], size: uint256, target: uint256) -> (bytes32[MAX_DEPTH + 1], uint256):
    """@notice Zero leaves appended, as whole zero subtrees, until `size` leaves are a multiple of `target`."""
    out: bytes32[MAX_DEPTH + 1] = branch
    at: uint256 = size
    for step: uint256 in range(MAX_DEPTH + 1):
        if at % target == 0:
            break
        h: uint256 = 0
        for t: uint256 in range(MAX_DEPTH):
            if (at >> h) & 1 == 1:
                break
            h += 1
        node: bytes32 = zeros[h]
        at += 1 << h
        for t: uint256 in range(MAX_DEPTH + 1):
            if (at >> h) & 1 == 1:
                break
            node = keccak256(concat(out[h], node))
            h += 1
        out[h] = node
    return (out, at)


@internal
@pure
def _comp_columns(lay: Layout) -> uint256:
    """@notice Composition columns of aggregator.air.BatchAir for this layout (see tests/aggregator)."""
    comp: uint256 = 1
    if lay.count[MIMC] > 0:
        if lay.segments > 2:
            comp = 4
        else:
            comp = 3
    if lay.count[COLLATZ] > 0:
        comp = max(comp, 3)
    return comp


@external
@pure
def aux() -> (uint256, uint256):
    """@notice (auxiliary columns, random values): this AIR is one-stage."""
    return (0, 0)


@external
@pure
def columns(journal: Bytes[MAX_JOURNAL]) -> (uint256, uint256):
    """@notice (trace width, composition columns) of the statement's batch trace."""
    lay: Layout = self._layout(journal)
    return (lay.width, self._comp_columns(lay))


@external
@pure
def shape(journal: Bytes[MAX_JOURNAL]) -> (uint256, uint256, uint256):
    """@notice (trace width, composition columns, fewest trace rows); checks every member value."""
    lay: Layout = self._layout(journal)
    need: uint256 = 8
    if lay.count[MIMC] > 0:
        need = ROUND_CYCLE
    for form: uint256 in range(3):
        if lay.count[form] == 0:
            continue
        stride: uint256 = self._stride(form)
        # A record is read as the word that ends with it: the value ending at record byte e sits
        # 8 (stride - e) bits up.  Steps: fib's n and mimc's rounds end 8 bytes before the record
        # does (shift 64), collatz's step count ends it (shift 0).
        steps_shift: uint256 = 64
        if form == COLLATZ:
            steps_shift = 0
        most: uint256 = 0
        rec: uint256 = lay.at[form] + stride - 32
        for j: uint256 in range(lay.count[form], bound=MAX_MEMBERS):
            word: uint256 = convert(extract32(journal, rec), uint256)
            rec = unsafe_add(rec, stride)
            assert (word & MASK64) < P and ((word >> 64) & MASK64) < P, "batch value is not a canonical field element"
            assert stride == 16 or ((word >> 128) & MASK64) < P, "batch value is not a canonical field element"
            most = max(most, (word >> steps_shift) & MASK64)
        if form == COLLATZ:
            need = max(need, 8 * (most + 1))
        else:
            need = max(need, most + 1)
    assert need <= 1 << MAX_LOG_TRACE, "batch exceeds the trace limit"
    rows: uint256 = 8
    for step: uint256 in range(MAX_LOG_TRACE):
        if rows >= need:
            break
        rows <<= 1
    rows *= lay.segments
    assert rows <= 1 << MAX_LOG_TRACE, "batch exceeds the trace limit"
    return (lay.width, self._comp_columns(lay), rows)


@external
@pure
def journal_root(journal: Bytes[MAX_JOURNAL]) -> (bytes32, uint256):
    """
    @notice (root, member count) of the keccak tree over the member journals
            (aggregator/journal_tree.py): block by block in tree order, each block's
            members in group order from the leaf at a multiple of its span, zero leaves
            padding every block to its span and the tree to a power of two
            (aggregator/blocks.py); so each L2 block's root is a node of the tree.
    """
    lay: Layout = self._layout(journal)
    branch: bytes32[MAX_DEPTH + 1] = empty(bytes32[MAX_DEPTH + 1])
    zeros: bytes32[MAX_DEPTH + 1] = empty(bytes32[MAX_DEPTH + 1])
    for h: uint256 in range(MAX_DEPTH):
        zeros[h + 1] = keccak256(concat(zeros[h], zeros[h]))
    rec: uint256[3] = empty(uint256[3])
    for form: uint256 in range(3):
        if lay.count[form] > 0:
            rec[form] = lay.at[form] + self._stride(form) - 32
    size: uint256 = 0
    # Leaf preimages (a single receipt's journal): id || u32 1 || n || u32 1 || out (56 bytes) for
    # fib and collatz; id || u32 2 || seed || rounds || u32 1 || out (64 bytes) for mimc.  The bytes
    # after the id are packed into one word from the record, read as the word that ends with it.
    one_in: uint256 = (1 << 224) | (1 << 128)
    two_in: uint256 = (2 << 224) | (1 << 64)
    for k: uint256 in range(lay.blocks, bound=MAX_BLOCKS):
        members: uint256 = 0
        for g: uint256 in range(3):
            if g >= lay.groups:
                break
            form: uint256 = lay.form_of[g]
            count: uint256 = convert(slice(journal, lay.table + 4 * (k * lay.groups + g), 4), uint256)
            members += count
            stride: uint256 = self._stride(form)
            pid: bytes32 = FIB_ID
            if form == MIMC:
                pid = MIMC_ID
            elif form == COLLATZ:
                pid = COLLATZ_ID
            for j: uint256 in range(count, bound=MAX_MEMBERS):
                word: uint256 = convert(extract32(journal, rec[form]), uint256)
                rec[form] = unsafe_add(rec[form], stride)
                lo: uint256 = word & MASK64
                mid: uint256 = (word >> 64) & MASK64
                assert lo < P and mid < P, "batch value is not a canonical field element"
                node: bytes32 = empty(bytes32)
                if form == MIMC:
                    hi: uint256 = (word >> 128) & MASK64
                    assert hi < P, "batch value is not a canonical field element"
                    node = keccak256(concat(pid, convert(two_in | (hi << 160) | (mid << 96) | lo, bytes32)))
                else:
                    node = keccak256(slice(concat(pid, convert(one_in | (mid << 160) | (lo << 64), bytes32)), 0, 56))
                size = unsafe_add(size, 1)
                h: uint256 = 0
                for step: uint256 in range(MAX_DEPTH + 1):
                    if (size >> h) & 1 == 1:
                        break
                    node = keccak256(abi_encode(branch[h], node))
                    h = unsafe_add(h, 1)
                branch[h] = node
        branch, size = self._pad(branch, zeros, size, self._span(members))
    total: uint256 = lay.count[FIB] + lay.count[MIMC] + lay.count[COLLATZ]
    leaves: uint256 = self._span(size)
    branch, size = self._pad(branch, zeros, size, leaves)
    depth: uint256 = 0
    for step: uint256 in range(MAX_DEPTH + 1):
        if (1 << depth) >= leaves:
            break
        depth += 1
    return (branch[depth], total)


@internal
@pure
def _acc(acc0: uint256, acc1: uint256, p0: uint256, p1: uint256, v0: uint256, v1: uint256, alpha0: uint256, alpha1: uint256) -> (uint256, uint256, uint256, uint256):
    """@notice (acc + p v, p alpha): one more constraint in the random combination."""
    t0: uint256 = 0
    t1: uint256 = 0
    t0, t1 = goldilocks.ext_mul(p0, p1, v0, v1)
    n0: uint256 = 0
    n1: uint256 = 0
    n0, n1 = goldilocks.ext_mul(p0, p1, alpha0, alpha1)
    return (uint256_addmod(acc0, t0, P), uint256_addmod(acc1, t1, P), n0, n1)


@internal
@pure
def _frame(ood: DynArray[uint256, 80], width: uint256, col: uint256, count: uint256) -> (uint256[2][10], uint256[2][10]):
    """@notice Columns col..col+count of the out-of-domain frame at z and z g."""
    cur: uint256[2][10] = empty(uint256[2][10])
    nxt: uint256[2][10] = empty(uint256[2][10])
    for c: uint256 in range(10):
        if c >= count:
            break
        cur[c] = [ood[2 * (col + c)], ood[2 * (col + c) + 1]]
        nxt[c] = [ood[2 * (width + col + c)], ood[2 * (width + col + c) + 1]]
    return (cur, nxt)


@internal
@pure
def _e(a: uint256[2], b: uint256[2]) -> uint256[2]:
    """@notice a * b in the extension field."""
    c0: uint256 = 0
    c1: uint256 = 0
    c0, c1 = goldilocks.ext_mul(a[0], a[1], b[0], b[1])
    return [c0, c1]


@internal
@pure
def _d(a: uint256[2], b: uint256[2]) -> uint256[2]:
    """@notice a - b in the extension field."""
    return [uint256_addmod(a[0], P - b[0], P), uint256_addmod(a[1], P - b[1], P)]


@internal
@pure
def _step_rules(cur: uint256[2][10], nxt: uint256[2][10], s_col: uint256) -> (uint256[2], uint256[2], uint256[2]):
    """@notice s(1 - s), s'(1 - s) and 1 - s for the step flag in column s_col."""
    one_minus_s: uint256[2] = self._d([1, 0], cur[s_col])
    return (self._e(cur[s_col], one_minus_s), self._e(nxt[s_col], one_minus_s), one_minus_s)


@internal
@view
def _transitions(lay: Layout, log_t: uint256, z0: uint256, z1: uint256, ood: DynArray[uint256, 80]) -> DynArray[uint256[2], 27]:
    """@notice Every transition constraint value at z, groups in canonical order (aggregator/segments.py)."""
    out: DynArray[uint256[2], 27] = []
    col: uint256 = 0
    cur: uint256[2][10] = empty(uint256[2][10])
    nxt: uint256[2][10] = empty(uint256[2][10])
    b1: uint256[2] = empty(uint256[2])
    b2: uint256[2] = empty(uint256[2])
    oms: uint256[2] = empty(uint256[2])
    if lay.count[FIB] > 0:
        cur, nxt = self._frame(ood, lay.width, col, 2)
        out.append(self._d(nxt[0], cur[1]))
        out.append(self._d(nxt[1], self._plus(cur[0], cur[1])))
        col += 2
    if lay.count[MIMC] > 0:
        cur, nxt = self._frame(ood, lay.width, col, 3)
        b1, b2, oms = self._step_rules(cur, nxt, 1)
        constants: DynArray[uint256, constraints.MAX_CYCLE] = []
        for i: uint256 in range(ROUND_CYCLE):
            constants.append(convert(keccak256(concat(b"supervm-mimc", slice(convert(i, bytes32), 28, 4))), uint256) % P)
        k: uint256[2] = empty(uint256[2])
        k[0], k[1] = constraints.periodic_at(log_t, z0, z1, constants)
        t: uint256[2] = [uint256_addmod(cur[0][0], k[0], P), uint256_addmod(cur[0][1], k[1], P)]
        cube: uint256[2] = self._e(self._e(t, t), t)
        out.append(b1)
        out.append(b2)
        out.append(self._d(self._d(nxt[0], cur[0]), self._e(cur[1], self._d(cube, cur[0]))))
        out.append(self._d(self._d(nxt[2], cur[2]), cur[1]))
        col += 3
    if lay.count[COLLATZ] > 0:
        cur, nxt = self._frame(ood, lay.width, col, 10)
        first: uint256[2] = empty(uint256[2])
        last: uint256[2] = empty(uint256[2])
        first[0], first[1] = constraints.periodic_at(log_t, z0, z1, [1, 0, 0, 0, 0, 0, 0, 0])
        last[0], last[1] = constraints.periodic_at(log_t, z0, z1, [0, 0, 0, 0, 0, 0, 0, 1])
        rules: DynArray[uint256[2], 18] = collatz_rules.transitions(cur, nxt, first, last)
        for v: uint256[2] in rules:
            out.append(v)
    return out


@internal
@view
def _interpolate(journal: Bytes[MAX_JOURNAL], at: uint256, stride: uint256, count: uint256, log_n: uint256, w: uint256[2], wn: uint256[2], keys: uint256[2], weights: uint256[2][2], pad: uint256[2]) -> uint256[2]:
    """
    @notice sum_k weights[k] I_k(w), I_k the polynomial through the members' values
            (the value ending at byte keys[k] of each record; 0 = unused) and padding members
            worth `pad` (already weighted), over the N-th roots of unity.
    @dev I(w) = pad + (w^N - 1)/N * sum_j (c_j - pad) x_j / (w - x_j), x_j = omega^j;
         1/(w - x) = (d - w1 X)/(d^2 - 7 w1^2), d = w0 - x, summed over a running
         common denominator.  Records are read as whole words (one extract32 per member).
    """
    omega: uint256 = goldilocks.root_of_unity(log_n)
    w0: uint256 = w[0]
    w1: uint256 = w[1]
    c: uint256 = uint256_mulmod(W * w1, w1, P)
    w1x7: uint256 = uint256_mulmod(W, w1, P)
    pp: uint256 = P * P
    # Value k of a record, read from the word that ends with the record, sits 8 (stride - keys[k])
    # bits up; an unused key weighs 0.  Every product below stays under 2^131, so the loop uses
    # unchecked arithmetic with one reduction per line.
    a0: uint256 = 0
    a1: uint256 = 0
    sa: uint256 = 0
    b0: uint256 = 0
    b1: uint256 = 0
    sb: uint256 = 0
    if keys[0] != 0:
        a0 = weights[0][0]
        a1 = weights[0][1]
        sa = 8 * (stride - keys[0])
    if keys[1] != 0:
        b0 = weights[1][0]
        b1 = weights[1][1]
        sb = 8 * (stride - keys[1])
    p0: uint256 = P - pad[0]
    p1: uint256 = P - pad[1]
    num0: uint256 = 0
    num1: uint256 = 0
    den: uint256 = 1
    x: uint256 = 1
    rec: uint256 = at + stride - 32
    for j: uint256 in range(count, bound=MAX_MEMBERS):
        word: uint256 = convert(extract32(journal, rec), uint256)
        rec = unsafe_add(rec, stride)
        u: uint256 = (word >> sa) & MASK64
        v: uint256 = (word >> sb) & MASK64
        e0: uint256 = unsafe_add(unsafe_add(unsafe_mul(a0, u), unsafe_mul(b0, v)), p0) % P
        e1: uint256 = unsafe_add(unsafe_add(unsafe_mul(a1, u), unsafe_mul(b1, v)), p1) % P
        d: uint256 = unsafe_sub(unsafe_add(w0, P), x)
        norm: uint256 = unsafe_add(unsafe_mul(d, d), unsafe_sub(pp, c)) % P
        xd: uint256 = unsafe_mul(x, den) % P
        t0: uint256 = unsafe_add(unsafe_mul(e0, d), unsafe_sub(pp, unsafe_mul(e1, w1x7))) % P
        t1: uint256 = unsafe_add(unsafe_mul(e1, d), unsafe_sub(pp, unsafe_mul(e0, w1))) % P
        num0 = unsafe_add(unsafe_mul(num0, norm), unsafe_mul(t0, xd)) % P
        num1 = unsafe_add(unsafe_mul(num1, norm), unsafe_mul(t1, xd)) % P
        den = unsafe_mul(den, norm) % P
        x = unsafe_mul(x, omega) % P
    assert den != 0, "out-of-domain point lies on a segment coset"
    scale: uint256 = uint256_mulmod(goldilocks.inv(den), goldilocks.inv(1 << log_n), P)
    s: uint256[2] = self._e([uint256_mulmod(num0, scale, P), uint256_mulmod(num1, scale, P)], [uint256_addmod(wn[0], P - 1, P), wn[1]])
    return [uint256_addmod(s[0], pad[0], P), uint256_addmod(s[1], pad[1], P)]


@internal
@view
def _fib_members(journal: Bytes[MAX_JOURNAL], at: uint256, count: uint256, log_n: uint256, log_t: uint256, w: uint256[2], wn: uint256[2], weight: uint256[2], z: uint256[2]) -> (uint256[2], uint256[2]):
    """
    @notice (weight I(w), Z(z)) in one pass over the fib records: I the polynomial through the
            outputs over the N-th roots of unity (padding outputs are 0; see _interpolate), Z the
            vanishing polynomial of the entry rows j L + L - 1 - n_j (padding members: n = 0),
            where each member's (a, b) = (0, 1).
    @dev The entry point is g^(L - 1 - n_j) omega^j, omega^j being the interpolation's x_j;
         g^m is one table factor per 6-bit digit of m (m < L <= 2^22, at most 4 digits):
         table[64 d + v] = g^(v 64^d), built only as far as L needs.
    """
    log_l: uint256 = log_t - log_n
    omega: uint256 = goldilocks.root_of_unity(log_n)
    table: uint256[256] = empty(uint256[256])
    base: uint256 = goldilocks.root_of_unity(log_t)
    for d: uint256 in range(4):
        if 6 * d >= log_l:
            break
        entries: uint256 = 64
        if log_l < 6 * d + 6:
            entries = 1 << (log_l - 6 * d)
        acc: uint256 = 1
        for v: uint256 in range(64):
            if v >= entries:
                break
            table[64 * d + v] = acc
            acc = uint256_mulmod(acc, base, P)
        base = acc
    last: uint256 = (1 << log_l) - 1
    w0: uint256 = w[0]
    w1: uint256 = w[1]
    c: uint256 = uint256_mulmod(W * w1, w1, P)
    w1x7: uint256 = uint256_mulmod(W, w1, P)
    pp: uint256 = P * P
    a0: uint256 = weight[0]
    a1: uint256 = weight[1]
    z0: uint256 = z[0]
    z1: uint256 = z[1]
    z1x7: uint256 = uint256_mulmod(W, z1, P)
    num0: uint256 = 0
    num1: uint256 = 0
    den: uint256 = 1
    v0: uint256 = 1
    v1: uint256 = 0
    x: uint256 = 1
    rec: uint256 = at + 16 - 32
    for j: uint256 in range(1 << log_n, bound=MAX_MEMBERS):
        m: uint256 = last
        if j < count:
            word: uint256 = convert(extract32(journal, rec), uint256)
            rec = unsafe_add(rec, 16)
            m = last - ((word >> 64) & MASK64)
            u: uint256 = word & MASK64
            e0: uint256 = unsafe_mul(a0, u) % P
            e1: uint256 = unsafe_mul(a1, u) % P
            d: uint256 = unsafe_sub(unsafe_add(w0, P), x)
            norm: uint256 = unsafe_add(unsafe_mul(d, d), unsafe_sub(pp, c)) % P
            xd: uint256 = unsafe_mul(x, den) % P
            t0: uint256 = unsafe_add(unsafe_mul(e0, d), unsafe_sub(pp, unsafe_mul(e1, w1x7))) % P
            t1: uint256 = unsafe_add(unsafe_mul(e1, d), unsafe_sub(pp, unsafe_mul(e0, w1))) % P
            num0 = unsafe_add(unsafe_mul(num0, norm), unsafe_mul(t0, xd)) % P
            num1 = unsafe_add(unsafe_mul(num1, norm), unsafe_mul(t1, xd)) % P
            den = unsafe_mul(den, norm) % P
        y: uint256 = table[m & 63]
        if m >= 64:
            y = unsafe_mul(y, table[64 + ((m >> 6) & 63)]) % P
            if m >= 4096:
                y = unsafe_mul(y, table[128 + ((m >> 12) & 63)]) % P
                if m >= 262144:
                    y = unsafe_mul(y, table[192 + (m >> 18)]) % P
        e: uint256 = unsafe_sub(unsafe_add(z0, P), unsafe_mul(y, x) % P)
        t: uint256 = unsafe_add(unsafe_mul(v0, e), unsafe_mul(v1, z1x7)) % P
        v1 = unsafe_add(unsafe_mul(v0, z1), unsafe_mul(v1, e)) % P
        v0 = t
        x = unsafe_mul(x, omega) % P
    assert den != 0, "out-of-domain point lies on a segment coset"
    scale: uint256 = uint256_mulmod(goldilocks.inv(den), goldilocks.inv(1 << log_n), P)
    interpolant: uint256[2] = self._e([uint256_mulmod(num0, scale, P), uint256_mulmod(num1, scale, P)], [uint256_addmod(wn[0], P - 1, P), wn[1]])
    return (interpolant, [v0, v1])


@internal
@pure
def _col(ood: DynArray[uint256, 80], c: uint256) -> uint256[2]:
    return [ood[2 * c], ood[2 * c + 1]]


@internal
@pure
def _scaled(a: uint256[2], s: uint256) -> uint256[2]:
    return [uint256_mulmod(a[0], s, P), uint256_mulmod(a[1], s, P)]


@internal
@pure
def _plus(a: uint256[2], b: uint256[2]) -> uint256[2]:
    return [uint256_addmod(a[0], b[0], P), uint256_addmod(a[1], b[1], P)]


@external
@view
def evaluate(log_t: uint256, z0: uint256, z1: uint256, alpha0: uint256, alpha1: uint256, ood: DynArray[uint256, 80], journal: Bytes[MAX_JOURNAL]) -> (uint256, uint256):
    """@notice sum_k alpha^k Q_k(z): transitions of every group, then the segment assertions of every group."""
    lay: Layout = self._layout(journal)
    log_n: uint256 = lay.log_segments
    assert log_n + 3 <= log_t, "trace too short for the batch"
    g: uint256 = goldilocks.root_of_unity(log_t)
    z: uint256[2] = [z0, z1]
    zn: uint256[2] = empty(uint256[2])
    zn[0], zn[1] = goldilocks.ext_square_n(z0, z1, log_n)
    zt: uint256[2] = empty(uint256[2])
    zt[0], zt[1] = goldilocks.ext_square_n(zn[0], zn[1], log_t - log_n)
    # g^(T - N) is both the transition exemption point and h^N for the last-row coset.
    exempt: uint256 = goldilocks.pow_(g, (1 << log_t) - (1 << log_n))

    acc: uint256[2] = empty(uint256[2])
    power: uint256[2] = [1, 0]
    transitions: DynArray[uint256[2], 27] = self._transitions(lay, log_t, z0, z1, ood)
    for v: uint256[2] in transitions:
        acc[0], acc[1], power[0], power[1] = self._acc(acc[0], acc[1], power[0], power[1], v[0], v[1], alpha0, alpha1)
    vanish: uint256[2] = empty(uint256[2])
    vanish[0], vanish[1] = goldilocks.ext_inv(uint256_addmod(zt[0], P - 1, P), zt[1])
    acc = self._e(acc, self._e(self._d(zn, [exempt, 0]), vanish))

    # Segment assertions: first rows (h = 1) and last rows (h = g^(L-1)) summed apart.
    h_inv: uint256 = goldilocks.inv(goldilocks.pow_(g, (1 << (log_t - log_n)) - 1))
    w_last: uint256[2] = self._scaled(z, h_inv)
    wn_last: uint256[2] = self._scaled(zn, goldilocks.inv(exempt))
    first: uint256[2] = empty(uint256[2])
    last: uint256[2] = empty(uint256[2])
    p: uint256[2][5] = empty(uint256[2][5])
    col: uint256 = 0
    no_pad: uint256[2] = empty(uint256[2])
    vz: uint256[2] = empty(uint256[2])
    for form: uint256 in range(3):
        if lay.count[form] == 0:
            continue
        for i: uint256 in range(5):
            p[i] = power
            power = self._e(power, [alpha0, alpha1])
        if form == FIB:
            power = p[1]
            # a = out on last rows (the entry rows follow every group's segment assertions).
            interpolant: uint256[2] = empty(uint256[2])
            interpolant, vz = self._fib_members(journal, lay.at[FIB], lay.count[FIB], log_n, log_t, w_last, wn_last, p[0], z)
            last = self._d(self._plus(last, self._e(p[0], self._col(ood, col))), interpolant)
            col += 2
        elif form == MIMC:
            power = p[4]
            # x = seed, c = 0 on first rows; x = out, c = rounds on last rows.
            first = self._plus(first, self._plus(self._e(p[0], self._col(ood, col)), self._e(p[1], self._col(ood, col + 2))))
            first = self._d(first, self._interpolate(journal, lay.at[MIMC], 24, lay.count[MIMC], log_n, z, zn, [8, 0], [p[0], p[0]], no_pad))
            last = self._plus(last, self._plus(self._e(p[2], self._col(ood, col)), self._e(p[3], self._col(ood, col + 2))))
            last = self._d(last, self._interpolate(journal, lay.at[MIMC], 24, lay.count[MIMC], log_n, w_last, wn_last, [24, 16], [p[2], p[3]], no_pad))
            col += 3
        else:
            power = p[4]
            # A = n (padding n = 1), CNT = 0 on first rows; CNT = steps, DONE = 1 on last rows.
            first = self._plus(first, self._plus(self._e(p[0], self._col(ood, col)), self._e(p[1], self._col(ood, col + 9))))
            first = self._d(first, self._interpolate(journal, lay.at[COLLATZ], 16, lay.count[COLLATZ], log_n, z, zn, [8, 0], [p[0], p[0]], p[0]))
            last = self._plus(last, self._plus(self._e(p[2], self._col(ood, col + 9)), self._e(p[3], self._d(self._col(ood, col + 7), [1, 0]))))
            last = self._d(last, self._interpolate(journal, lay.at[COLLATZ], 16, lay.count[COLLATZ], log_n, w_last, wn_last, [16, 0], [p[2], p[2]], no_pad))
            col += 10
    inv_first: uint256[2] = empty(uint256[2])
    inv_first[0], inv_first[1] = goldilocks.ext_inv(uint256_addmod(zn[0], P - 1, P), zn[1])
    inv_last: uint256[2] = empty(uint256[2])
    inv_last[0], inv_last[1] = goldilocks.ext_inv(uint256_addmod(zn[0], P - exempt, P), zn[1])
    acc = self._plus(acc, self._plus(self._e(first, inv_first), self._e(last, inv_last)))
    if lay.count[FIB] > 0:
        # (a, b) = (0, 1) on every fib entry row: one quotient per column over the rows' vanishing polynomial.
        entry: uint256[2] = self._plus(self._e(power, self._col(ood, 0)), self._e(self._e(power, [alpha0, alpha1]), self._d(self._col(ood, 1), [1, 0])))
        inv_entry: uint256[2] = empty(uint256[2])
        inv_entry[0], inv_entry[1] = goldilocks.ext_inv(vz[0], vz[1])
        acc = self._plus(acc, self._e(entry, inv_entry))
    return (acc[0], acc[1])
