# pragma version ~=0.4.3
"""
@title Query phase: Merkle openings, DEEP values and FRI consistency
@notice For every query position: opens the trace and composition leaves,
        recomputes the DEEP polynomial on the layer-0 coset, folds it through
        every committed FRI layer (checking each opened leaf) and compares the
        last fold with the final polynomial.  Layers are processed one after
        another, all queries at a time, so memory stays a few per-query arrays.
"""
from stark import calldata
from stark import fri
from stark import goldilocks
from stark import merkle
from stark import proof

P: constant(uint256) = 18446744069414584321
W: constant(uint256) = 7
OFFSET: constant(uint256) = 7
MAX_QUERIES: constant(uint256) = 32
MAX_FOLDING: constant(uint256) = 16
MAX_WIDTH: constant(uint256) = 24
MAX_COMP: constant(uint256) = 8
MASK64: constant(uint256) = 18446744073709551615


# The opened leaves of one tree: where each query's leaf starts, and where the tree's nodes end.
struct Opened:
    leaf_at: uint256[MAX_QUERIES]
    end: uint256


# DEEP coefficients (interleaved c0, c1) and the negated constant terms -A, -B.
struct Deep:
    width: uint256
    main_width: uint256
    comp_cols: uint256
    folding: uint256
    log_folding: uint256
    zeta_inv: uint256
    z0: uint256
    z1: uint256
    zg0: uint256
    zg1: uint256
    zeta: uint256
    cz: uint256[2 * MAX_WIDTH]
    czg: uint256[2 * MAX_WIDTH]
    ch: uint256[2 * MAX_COMP]
    na0: uint256
    na1: uint256
    nb0: uint256
    nb1: uint256


@internal
@view
def open_tree(root: bytes32, depth: uint256, positions: uint256[MAX_QUERIES], count: uint256, at: uint256, leaf_size: uint256, end: uint256) -> Opened:
    """
    @notice Checks the leaves at `positions` (mod 2^depth; leaves first, sorted
            and distinct, then the multiproof nodes) against `root`.
    """
    idx: uint256[MAX_QUERIES] = empty(uint256[MAX_QUERIES])
    ranks: uint256[MAX_QUERIES] = empty(uint256[MAX_QUERIES])
    unique: uint256 = 0
    idx, ranks, unique = merkle.sorted_unique(positions, count, (1 << depth) - 1)
    return self.open_sorted(root, depth, idx, ranks, unique, count, at, leaf_size, end)


@internal
@view
def open_sorted(root: bytes32, depth: uint256, idx: uint256[MAX_QUERIES], ranks: uint256[MAX_QUERIES], unique: uint256, count: uint256, at: uint256, leaf_size: uint256, end: uint256) -> Opened:
    """@notice open_tree with the sorted distinct leaf indices and each query's rank among them already known."""
    nodes_at: uint256 = at + unique * leaf_size
    assert nodes_at <= end, "proof truncated in Merkle leaves"
    hashes: bytes32[MAX_QUERIES] = empty(bytes32[MAX_QUERIES])
    for k: uint256 in range(MAX_QUERIES):
        if k >= unique:
            break
        hashes[k] = calldata.hash_range(unsafe_add(at, unsafe_mul(k, leaf_size)), leaf_size)
    out: Opened = empty(Opened)
    out.end = merkle.verify(root, depth, idx, hashes, unique, nodes_at, end)
    for i: uint256 in range(MAX_QUERIES):
        if i >= count:
            break
        out.leaf_at[i] = unsafe_add(at, unsafe_mul(ranks[i], leaf_size))
    return out


@internal
@view
def deep_coefficients(ctx: proof.Context) -> Deep:
    """@notice gamma^k in the order (T_0 at z, T_0 at zg, T_1 at z, ..., H_0, H_1, ...) and -A, -B."""
    d: Deep = empty(Deep)
    d.width = ctx.width
    d.main_width = ctx.main_width
    d.comp_cols = ctx.comp_cols
    d.folding = 1 << ctx.log_first_folding
    d.log_folding = ctx.log_first_folding
    d.z0 = ctx.z0
    d.z1 = ctx.z1
    g: uint256 = goldilocks.root_of_unity(ctx.log_t)
    d.zg0 = uint256_mulmod(ctx.z0, g, P)
    d.zg1 = uint256_mulmod(ctx.z1, g, P)
    d.zeta = goldilocks.root_of_unity(ctx.log_first_folding)
    d.zeta_inv = goldilocks.pow_(d.zeta, d.folding - 1)
    g0: uint256 = 1
    g1: uint256 = 0
    a0: uint256 = 0
    a1: uint256 = 0
    b0: uint256 = 0
    b1: uint256 = 0
    t0: uint256 = 0
    t1: uint256 = 0
    for c: uint256 in range(MAX_WIDTH):
        if c >= ctx.width:
            break
        d.cz[unsafe_mul(2, c)] = g0
        d.cz[unsafe_add(unsafe_mul(2, c), 1)] = g1
        t0, t1 = proof.ood(ctx, c)
        t0, t1 = goldilocks.ext_mul(g0, g1, t0, t1)
        a0, a1 = goldilocks.ext_add(a0, a1, t0, t1)
        g0, g1 = goldilocks.ext_mul(g0, g1, ctx.gamma0, ctx.gamma1)
        d.czg[unsafe_mul(2, c)] = g0
        d.czg[unsafe_add(unsafe_mul(2, c), 1)] = g1
        t0, t1 = proof.ood(ctx, ctx.width + c)
        t0, t1 = goldilocks.ext_mul(g0, g1, t0, t1)
        b0, b1 = goldilocks.ext_add(b0, b1, t0, t1)
        g0, g1 = goldilocks.ext_mul(g0, g1, ctx.gamma0, ctx.gamma1)
    for j: uint256 in range(MAX_COMP):
        if j >= ctx.comp_cols:
            break
        d.ch[unsafe_mul(2, j)] = g0
        d.ch[unsafe_add(unsafe_mul(2, j), 1)] = g1
        t0, t1 = proof.ood(ctx, 2 * ctx.width + j)
        t0, t1 = goldilocks.ext_mul(g0, g1, t0, t1)
        a0, a1 = goldilocks.ext_add(a0, a1, t0, t1)
        g0, g1 = goldilocks.ext_mul(g0, g1, ctx.gamma0, ctx.gamma1)
    d.na0 = (P - a0) % P
    d.na1 = (P - a1) % P
    d.nb0 = (P - b0) % P
    d.nb1 = (P - b1) % P
    return d


@internal
@view
def deep_coset(d: Deep, trace_at: uint256, aux_at: uint256, comp_at: uint256, x0: uint256, inv_norms: uint256[2 * MAX_FOLDING + 1]) -> uint256[2 * MAX_FOLDING]:
    """
    @notice DEEP values Y(x0 zeta^k), k < f, from one trace leaf, one auxiliary-trace leaf (if the
            AIR has auxiliary columns: they follow the main ones) and one composition leaf.
    @param inv_norms 1/N(x - z) and 1/N(x - zg) for each k, interleaved, N the extension norm.
    """
    out: uint256[2 * MAX_FOLDING] = empty(uint256[2 * MAX_FOLDING])
    w: uint256 = d.width
    mw: uint256 = d.main_width
    cc: uint256 = d.comp_cols
    na0: uint256 = d.na0
    na1: uint256 = d.na1
    nb0: uint256 = d.nb0
    nb1: uint256 = d.nb1
    z0: uint256 = d.z0
    z1: uint256 = d.z1
    zg0: uint256 = d.zg0
    zg1: uint256 = d.zg1
    zeta: uint256 = d.zeta
    x: uint256 = x0
    for k: uint256 in range(MAX_FOLDING):
        if k >= d.folding:
            break
        s10: uint256 = na0
        s11: uint256 = na1
        s20: uint256 = nb0
        s21: uint256 = nb1
        # Field elements are read as the low bytes of the 32-byte word that ends with them.
        row: uint256 = unsafe_add(trace_at, unsafe_mul(unsafe_mul(k, mw), 8)) - 24
        for c: uint256 in range(MAX_WIDTH):
            if c >= w:
                break
            if c == mw:  # the auxiliary columns: the same row of the auxiliary leaf
                row = unsafe_sub(unsafe_add(aux_at, unsafe_mul(unsafe_mul(k, unsafe_sub(w, mw)), 8)), unsafe_add(24, unsafe_mul(8, mw)))
            t: uint256 = convert(slice(msg.data, unsafe_add(row, unsafe_mul(8, c)), 32), uint256) & MASK64
            assert t < P, "non-canonical field element"
            s10 = unsafe_add(s10, unsafe_mul(d.cz[unsafe_mul(2, c)], t))
            s11 = unsafe_add(s11, unsafe_mul(d.cz[unsafe_add(unsafe_mul(2, c), 1)], t))
            s20 = unsafe_add(s20, unsafe_mul(d.czg[unsafe_mul(2, c)], t))
            s21 = unsafe_add(s21, unsafe_mul(d.czg[unsafe_add(unsafe_mul(2, c), 1)], t))
        row = unsafe_add(comp_at, unsafe_mul(unsafe_mul(k, cc), 16)) - 16
        for j: uint256 in range(MAX_COMP):
            if j >= cc:
                break
            word: uint256 = convert(slice(msg.data, unsafe_add(row, unsafe_mul(16, j)), 32), uint256)
            h0: uint256 = (word >> 64) & MASK64
            h1: uint256 = word & MASK64
            assert h0 < P and h1 < P, "non-canonical field element"
            g0: uint256 = d.ch[unsafe_mul(2, j)]
            g1: uint256 = d.ch[unsafe_add(unsafe_mul(2, j), 1)]
            s10 = unsafe_add(s10, unsafe_add(unsafe_mul(g0, h0), unsafe_mul(unsafe_mul(W, g1), h1)))
            s11 = unsafe_add(s11, unsafe_add(unsafe_mul(g0, h1), unsafe_mul(g1, h0)))
        s10 = s10 % P
        s11 = s11 % P
        s20 = s20 % P
        s21 = s21 % P
        # 1/(x - z) = ((x - z0) + z1 X) / N(x - z); likewise for zg.
        e0: uint256 = uint256_addmod(x, P - z0, P)
        f0: uint256 = uint256_addmod(x, P - zg0, P)
        u0: uint256 = unsafe_add(unsafe_mul(s10, e0), unsafe_mul(unsafe_mul(W, s11), z1)) % P
        u1: uint256 = unsafe_add(unsafe_mul(s10, z1), unsafe_mul(s11, e0)) % P
        v0: uint256 = unsafe_add(unsafe_mul(s20, f0), unsafe_mul(unsafe_mul(W, s21), zg1)) % P
        v1: uint256 = unsafe_add(unsafe_mul(s20, zg1), unsafe_mul(s21, f0)) % P
        n1: uint256 = inv_norms[unsafe_mul(2, k)]
        n2: uint256 = inv_norms[unsafe_add(unsafe_mul(2, k), 1)]
        out[unsafe_mul(2, k)] = unsafe_add(unsafe_mul(u0, n1), unsafe_mul(v0, n2)) % P
        out[unsafe_add(unsafe_mul(2, k), 1)] = unsafe_add(unsafe_mul(u1, n1), unsafe_mul(v1, n2)) % P
        x = uint256_mulmod(x, zeta, P)
    return out


@internal
@view
def _inverse_norms(d: Deep, x0: uint256) -> uint256[2 * MAX_FOLDING + 1]:
    """
    @notice 1/N(x - z) and 1/N(x - zg) for the f points x = x0 zeta^k
            (interleaved), then 1/x0: one field inversion for all of them.
    """
    norms: uint256[2 * MAX_FOLDING + 1] = empty(uint256[2 * MAX_FOLDING + 1])
    prefix: uint256[2 * MAX_FOLDING + 1] = empty(uint256[2 * MAX_FOLDING + 1])
    z1sq7: uint256 = uint256_mulmod(W * d.z1, d.z1, P)
    zg1sq7: uint256 = uint256_mulmod(W * d.zg1, d.zg1, P)
    n: uint256 = 2 * d.folding
    running: uint256 = 1
    x: uint256 = x0
    for k: uint256 in range(MAX_FOLDING):
        if k >= d.folding:
            break
        e: uint256 = uint256_addmod(x, P - d.z0, P)
        a: uint256 = uint256_addmod(uint256_mulmod(e, e, P), P - z1sq7, P)
        e = uint256_addmod(x, P - d.zg0, P)
        b: uint256 = uint256_addmod(uint256_mulmod(e, e, P), P - zg1sq7, P)
        norms[unsafe_mul(2, k)] = a
        norms[unsafe_add(unsafe_mul(2, k), 1)] = b
        prefix[unsafe_mul(2, k)] = running
        running = uint256_mulmod(running, a, P)
        prefix[unsafe_add(unsafe_mul(2, k), 1)] = running
        running = uint256_mulmod(running, b, P)
        x = uint256_mulmod(x, d.zeta, P)
    norms[n] = x0
    prefix[n] = running
    running = uint256_mulmod(running, x0, P)
    inv_all: uint256 = goldilocks.inv(running)
    for step: uint256 in range(2 * MAX_FOLDING + 1):
        if step > n:
            break
        k: uint256 = n - step
        t: uint256 = norms[k]
        norms[k] = uint256_mulmod(inv_all, prefix[k], P)
        inv_all = uint256_mulmod(inv_all, t, P)
    return norms


@internal
@view
def _first_fold(d: Deep, trace_at: uint256, aux_at: uint256, comp_at: uint256, x0: uint256, beta0: uint256, beta1: uint256) -> uint256[3]:
    """@notice One query's layer 0: DEEP values on its coset, folded once; returns (folded c0, c1, 1/x0)."""
    inv: uint256[2 * MAX_FOLDING + 1] = self._inverse_norms(d, x0)
    values: uint256[2 * MAX_FOLDING] = self.deep_coset(d, trace_at, aux_at, comp_at, x0, inv)
    inv_x0: uint256 = inv[2 * d.folding]
    y: uint256[2] = empty(uint256[2])
    if d.folding == 8:
        y = fri.fold8([values[0], values[1], values[2], values[3], values[4], values[5], values[6], values[7], values[8], values[9], values[10], values[11], values[12], values[13], values[14], values[15]], inv_x0, beta0, beta1)
    else:
        y = fri.fold_coset(values, d.log_folding, inv_x0, beta0, beta1, d.zeta_inv)
    return [y[0], y[1], inv_x0]


@internal
@view
def _layer_fold(log_folding: uint256, zeta_inv: uint256, leaf_at: uint256, slot: uint256, f0: uint256, f1: uint256, inv_x: uint256, beta0: uint256, beta1: uint256) -> uint256[2]:
    """@notice Checks that a FRI leaf holds the folded value (f0, f1) at `slot`, then folds the leaf."""
    if log_folding == 3:
        v: uint256[16] = calldata.ext8(leaf_at)
        assert v[unsafe_mul(2, slot)] == f0 and v[unsafe_add(unsafe_mul(2, slot), 1)] == f1, "FRI layer is inconsistent with the folded values"
        return fri.fold8(v, inv_x, beta0, beta1)
    values: uint256[2 * MAX_FOLDING] = calldata.ext_leaf(leaf_at, 1 << log_folding)
    assert values[unsafe_mul(2, slot)] == f0 and values[unsafe_add(unsafe_mul(2, slot), 1)] == f1, "FRI layer is inconsistent with the folded values"
    return fri.fold_coset(values, log_folding, inv_x, beta0, beta1, zeta_inv)


@internal
@view
def check(ctx: proof.Context):
    """@notice Reverts unless every query is consistent through all layers; also requires the proof to end exactly."""
    lf: uint256 = ctx.log_folding
    f: uint256 = 1 << lf
    f0: uint256 = 1 << ctx.log_first_folding
    q: uint256 = ctx.num_queries
    depth: uint256 = ctx.log_n - ctx.log_first_folding
    # The trace and composition trees are opened at the same leaves.
    idx: uint256[MAX_QUERIES] = empty(uint256[MAX_QUERIES])
    ranks: uint256[MAX_QUERIES] = empty(uint256[MAX_QUERIES])
    unique: uint256 = 0
    idx, ranks, unique = merkle.sorted_unique(ctx.queries, q, (1 << depth) - 1)
    trace: Opened = self.open_sorted(ctx.trace_root, depth, idx, ranks, unique, q, ctx.openings_at, f0 * ctx.main_width * 8, ctx.proof_end)
    aux: Opened = trace
    if ctx.aux_width > 0:
        aux = self.open_sorted(ctx.aux_root, depth, idx, ranks, unique, q, trace.end, f0 * ctx.aux_width * 8, ctx.proof_end)
    comp: Opened = self.open_sorted(ctx.comp_root, depth, idx, ranks, unique, q, aux.end, f0 * ctx.comp_cols * 16, ctx.proof_end)
    d: Deep = self.deep_coefficients(ctx)
    # The FRI layers' cosets: f-th roots of unity (the DEEP layer's are f0-th).
    zeta: uint256 = d.zeta
    zeta_inv: uint256 = d.zeta_inv
    if f != f0:
        zeta = goldilocks.root_of_unity(lf)
        zeta_inv = goldilocks.pow_(zeta, f - 1)
    zeta_pows: uint256[MAX_FOLDING] = empty(uint256[MAX_FOLDING])
    zeta_pows[0] = 1
    for k: uint256 in range(1, MAX_FOLDING):
        if k >= f:
            break
        zeta_pows[k] = uint256_mulmod(zeta_pows[unsafe_sub(k, 1)], zeta, P)

    # Per query: position in the current layer, base point of its coset and
    # that point's inverse, slot in the coset, value folded so far.
    pos: uint256[MAX_QUERIES] = ctx.queries
    base: uint256[MAX_QUERIES] = empty(uint256[MAX_QUERIES])
    inv_base: uint256[MAX_QUERIES] = empty(uint256[MAX_QUERIES])
    slots: uint256[MAX_QUERIES] = empty(uint256[MAX_QUERIES])
    folded: uint256[2 * MAX_QUERIES] = empty(uint256[2 * MAX_QUERIES])
    omega: uint256 = goldilocks.root_of_unity(ctx.log_n)
    for i: uint256 in range(MAX_QUERIES):
        if i >= q:
            break
        x0: uint256 = uint256_mulmod(OFFSET, goldilocks.pow_(omega, pos[i]), P)
        y: uint256[3] = self._first_fold(d, trace.leaf_at[i], aux.leaf_at[i], comp.leaf_at[i], x0, ctx.betas[0], ctx.betas[1])
        folded[unsafe_mul(2, i)] = y[0]
        folded[unsafe_add(unsafe_mul(2, i), 1)] = y[1]
        base[i] = x0
        inv_base[i] = y[2]

    at: uint256 = comp.end
    for r: uint256 in range(1, proof.MAX_FOLDS + 1):
        # Move every query to the layer fold r - 1 produced: its coset there
        # and its slot in it.  After the last fold the base point is where
        # the final polynomial is evaluated.
        last: bool = r >= ctx.folds
        leaf_bits: uint256 = 0  # after the last fold there is no layer, and fewer than f points may be left
        if not last:
            leaf_bits = ctx.log_n - ctx.log_first_folding - lf * r
        squarings: uint256 = lf
        if r == 1:
            squarings = ctx.log_first_folding
        for i: uint256 in range(MAX_QUERIES):
            if i >= q:
                break
            bx: uint256 = base[i]
            ibx: uint256 = inv_base[i]
            for s: uint256 in range(4):
                if s >= squarings:
                    break
                bx = uint256_mulmod(bx, bx, P)
                ibx = uint256_mulmod(ibx, ibx, P)
            if not last:
                slot: uint256 = pos[i] >> leaf_bits
                slots[i] = slot
                pos[i] = pos[i] & ((1 << leaf_bits) - 1)
                bx = uint256_mulmod(bx, zeta_pows[(f - slot) % f], P)
                ibx = uint256_mulmod(ibx, zeta_pows[slot], P)
            base[i] = bx
            inv_base[i] = ibx
        if last:
            break
        root: bytes32 = convert(slice(msg.data, ctx.fri_roots_at + 32 * (r - 1), 32), bytes32)
        layer: Opened = self.open_tree(root, leaf_bits, pos, q, at, f * 16, ctx.proof_end)
        at = layer.end
        for i: uint256 in range(MAX_QUERIES):
            if i >= q:
                break
            y: uint256[2] = self._layer_fold(lf, zeta_inv, layer.leaf_at[i], slots[i], folded[unsafe_mul(2, i)], folded[unsafe_add(unsafe_mul(2, i), 1)], inv_base[i], ctx.betas[unsafe_mul(2, r)], ctx.betas[unsafe_add(unsafe_mul(2, r), 1)])
            folded[unsafe_mul(2, i)] = y[0]
            folded[unsafe_add(unsafe_mul(2, i), 1)] = y[1]
    fri.check_final(ctx.final_at, ctx.final_size, base, folded, q)
    assert at == ctx.proof_end, "trailing bytes after the proof"
