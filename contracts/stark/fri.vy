# pragma version ~=0.4.3
"""
@title FRI folding of one coset and the final polynomial
@notice Mirrors prover/stark/fri.py (fold_coset) and the final-polynomial
        check of docs/proof-format.md.
"""

P: constant(uint256) = 18446744069414584321
W: constant(uint256) = 7
INV2: constant(uint256) = 9223372034707292161
MASK64: constant(uint256) = 18446744073709551615
MAX_FOLDING: constant(uint256) = 16
ZETA8_INV_1: constant(uint256) = 1099511627520
ZETA8_INV_2: constant(uint256) = 18446462594437873665
ZETA8_INV_3: constant(uint256) = 16777216


@internal
@pure
def fold_coset(values: uint256[2 * MAX_FOLDING], log_folding: uint256, inv_x: uint256, beta0: uint256, beta1: uint256, zeta_inv: uint256) -> uint256[2]:
    """
    @notice Folds the f = 2^log_folding values at x * zeta^k (interleaved c0, c1)
            into the next layer's value at x^f, by log_folding binary folds:
            v'_k = (v_k + v_(k+h))/2 + beta (v_k - v_(k+h)) / (2 x zeta^k).
    @param inv_x 1/x; zeta_inv 1/zeta for zeta the f-th root of unity.
    """
    v: uint256[2 * MAX_FOLDING] = values
    m: uint256 = 1 << log_folding
    b0: uint256 = beta0
    b1: uint256 = beta1
    ix: uint256 = inv_x
    zi: uint256 = zeta_inv
    for step: uint256 in range(4):
        if step >= log_folding:
            break
        half: uint256 = m >> 1
        y: uint256 = uint256_mulmod(ix, INV2, P)
        for k: uint256 in range(MAX_FOLDING // 2):
            if k >= half:
                break
            a0: uint256 = v[unsafe_mul(2, k)]
            a1: uint256 = v[unsafe_add(unsafe_mul(2, k), 1)]
            c0: uint256 = v[unsafe_mul(2, unsafe_add(k, half))]
            c1: uint256 = v[unsafe_add(unsafe_mul(2, unsafe_add(k, half)), 1)]
            d0: uint256 = uint256_mulmod(unsafe_sub(unsafe_add(a0, P), c0), y, P)
            d1: uint256 = uint256_mulmod(unsafe_sub(unsafe_add(a1, P), c1), y, P)
            v[unsafe_mul(2, k)] = unsafe_add(unsafe_add(unsafe_mul(unsafe_add(a0, c0), INV2), unsafe_mul(b0, d0)), unsafe_mul(unsafe_mul(W, b1), d1)) % P
            v[unsafe_add(unsafe_mul(2, k), 1)] = unsafe_add(unsafe_add(unsafe_mul(unsafe_add(a1, c1), INV2), unsafe_mul(b0, d1)), unsafe_mul(b1, d0)) % P
            y = uint256_mulmod(y, zi, P)
        m = half
        t: uint256 = unsafe_add(unsafe_mul(b0, b0), unsafe_mul(unsafe_mul(W, b1), b1)) % P
        b1 = uint256_mulmod(2 * b0, b1, P)
        b0 = t
        ix = uint256_mulmod(ix, ix, P)
        zi = uint256_mulmod(zi, zi, P)
    return [v[0], v[1]]


@internal
@view
def eval_final(at: uint256, size: uint256, x: uint256) -> uint256[2]:
    """
    @notice The final polynomial (`size` extension coefficients at calldata
            offset `at`, lowest degree first) at a base point, by Horner.
    """
    r0: uint256 = 0
    r1: uint256 = 0
    pos: uint256 = at + 16 * size
    for step: uint256 in range(256):
        if step >= size:
            break
        pos = unsafe_sub(pos, 16)
        word: uint256 = convert(slice(msg.data, pos, 32), uint256)
        c0: uint256 = word >> 192
        c1: uint256 = (word >> 128) & MASK64
        assert c0 < P and c1 < P, "non-canonical field element"
        r0 = unsafe_add(unsafe_mul(r0, x), c0) % P
        r1 = unsafe_add(unsafe_mul(r1, x), c1) % P
    return [r0, r1]


@internal
@pure
def fold8(v0: uint256, v1: uint256, v2: uint256, v3: uint256, v4: uint256, v5: uint256, v6: uint256, v7: uint256, v8: uint256, v9: uint256, v10: uint256, v11: uint256, v12: uint256, v13: uint256, v14: uint256, v15: uint256, inv_x: uint256, beta0: uint256, beta1: uint256) -> uint256[2]:
    """
    @notice fold_coset for f = 8, unrolled: the eight values (c0, c1 of each in
            v0 .. v15) at x * zeta^k fold into the next layer's value at x^8.
    """
    d0: uint256 = 0
    d1: uint256 = 0
    y: uint256 = uint256_mulmod(inv_x, INV2, P)
    yk: uint256 = y
    u00: uint256 = 0
    u01: uint256 = 0
    d0 = uint256_mulmod(unsafe_sub(unsafe_add(v0, P), v8), yk, P)
    d1 = uint256_mulmod(unsafe_sub(unsafe_add(v1, P), v9), yk, P)
    u00 = unsafe_add(unsafe_add(unsafe_mul(unsafe_add(v0, v8), INV2), unsafe_mul(beta0, d0)), unsafe_mul(unsafe_mul(W, beta1), d1)) % P
    u01 = unsafe_add(unsafe_add(unsafe_mul(unsafe_add(v1, v9), INV2), unsafe_mul(beta0, d1)), unsafe_mul(beta1, d0)) % P
    yk = uint256_mulmod(y, ZETA8_INV_1, P)
    u10: uint256 = 0
    u11: uint256 = 0
    d0 = uint256_mulmod(unsafe_sub(unsafe_add(v2, P), v10), yk, P)
    d1 = uint256_mulmod(unsafe_sub(unsafe_add(v3, P), v11), yk, P)
    u10 = unsafe_add(unsafe_add(unsafe_mul(unsafe_add(v2, v10), INV2), unsafe_mul(beta0, d0)), unsafe_mul(unsafe_mul(W, beta1), d1)) % P
    u11 = unsafe_add(unsafe_add(unsafe_mul(unsafe_add(v3, v11), INV2), unsafe_mul(beta0, d1)), unsafe_mul(beta1, d0)) % P
    yk = uint256_mulmod(y, ZETA8_INV_2, P)
    u20: uint256 = 0
    u21: uint256 = 0
    d0 = uint256_mulmod(unsafe_sub(unsafe_add(v4, P), v12), yk, P)
    d1 = uint256_mulmod(unsafe_sub(unsafe_add(v5, P), v13), yk, P)
    u20 = unsafe_add(unsafe_add(unsafe_mul(unsafe_add(v4, v12), INV2), unsafe_mul(beta0, d0)), unsafe_mul(unsafe_mul(W, beta1), d1)) % P
    u21 = unsafe_add(unsafe_add(unsafe_mul(unsafe_add(v5, v13), INV2), unsafe_mul(beta0, d1)), unsafe_mul(beta1, d0)) % P
    yk = uint256_mulmod(y, ZETA8_INV_3, P)
    u30: uint256 = 0
    u31: uint256 = 0
    d0 = uint256_mulmod(unsafe_sub(unsafe_add(v6, P), v14), yk, P)
    d1 = uint256_mulmod(unsafe_sub(unsafe_add(v7, P), v15), yk, P)
    u30 = unsafe_add(unsafe_add(unsafe_mul(unsafe_add(v6, v14), INV2), unsafe_mul(beta0, d0)), unsafe_mul(unsafe_mul(W, beta1), d1)) % P
    u31 = unsafe_add(unsafe_add(unsafe_mul(unsafe_add(v7, v15), INV2), unsafe_mul(beta0, d1)), unsafe_mul(beta1, d0)) % P
    b0: uint256 = unsafe_add(unsafe_mul(beta0, beta0), unsafe_mul(unsafe_mul(W, beta1), beta1)) % P
    b1: uint256 = uint256_mulmod(2 * beta0, beta1, P)
    ix: uint256 = uint256_mulmod(inv_x, inv_x, P)
    y = uint256_mulmod(ix, INV2, P)
    yk = y
    t00: uint256 = 0
    t01: uint256 = 0
    d0 = uint256_mulmod(unsafe_sub(unsafe_add(u00, P), u20), yk, P)
    d1 = uint256_mulmod(unsafe_sub(unsafe_add(u01, P), u21), yk, P)
    t00 = unsafe_add(unsafe_add(unsafe_mul(unsafe_add(u00, u20), INV2), unsafe_mul(b0, d0)), unsafe_mul(unsafe_mul(W, b1), d1)) % P
    t01 = unsafe_add(unsafe_add(unsafe_mul(unsafe_add(u01, u21), INV2), unsafe_mul(b0, d1)), unsafe_mul(b1, d0)) % P
    yk = uint256_mulmod(y, ZETA8_INV_2, P)
    t10: uint256 = 0
    t11: uint256 = 0
    d0 = uint256_mulmod(unsafe_sub(unsafe_add(u10, P), u30), yk, P)
    d1 = uint256_mulmod(unsafe_sub(unsafe_add(u11, P), u31), yk, P)
    t10 = unsafe_add(unsafe_add(unsafe_mul(unsafe_add(u10, u30), INV2), unsafe_mul(b0, d0)), unsafe_mul(unsafe_mul(W, b1), d1)) % P
    t11 = unsafe_add(unsafe_add(unsafe_mul(unsafe_add(u11, u31), INV2), unsafe_mul(b0, d1)), unsafe_mul(b1, d0)) % P
    c0: uint256 = unsafe_add(unsafe_mul(b0, b0), unsafe_mul(unsafe_mul(W, b1), b1)) % P
    c1: uint256 = uint256_mulmod(2 * b0, b1, P)
    y = uint256_mulmod(uint256_mulmod(ix, ix, P), INV2, P)
    r0: uint256 = 0
    r1: uint256 = 0
    d0 = uint256_mulmod(unsafe_sub(unsafe_add(t00, P), t10), y, P)
    d1 = uint256_mulmod(unsafe_sub(unsafe_add(t01, P), t11), y, P)
    r0 = unsafe_add(unsafe_add(unsafe_mul(unsafe_add(t00, t10), INV2), unsafe_mul(c0, d0)), unsafe_mul(unsafe_mul(W, c1), d1)) % P
    r1 = unsafe_add(unsafe_add(unsafe_mul(unsafe_add(t01, t11), INV2), unsafe_mul(c0, d1)), unsafe_mul(c1, d0)) % P
    return [r0, r1]
