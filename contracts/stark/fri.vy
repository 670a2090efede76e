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
MAX_QUERIES: constant(uint256) = 32
MAX_FINAL: constant(uint256) = 256
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
def check_final(at: uint256, size: uint256, points: uint256[MAX_QUERIES], values: uint256[2 * MAX_QUERIES], count: uint256):
    """
    @notice Reverts unless the final polynomial (`size` extension coefficients at
            calldata offset `at`, lowest degree first) takes `values` (c0, c1
            interleaved) at the `count` base `points`.
    @dev The coefficients are read and checked once, packed as c0 << 64 | c1,
         highest degree first; each point is then a Horner loop over memory.
    """
    coeffs: uint256[MAX_FINAL] = empty(uint256[MAX_FINAL])
    pos: uint256 = at + 16 * size
    for k: uint256 in range(MAX_FINAL):
        if k >= size:
            break
        pos = unsafe_sub(pos, 16)
        word: uint256 = convert(slice(msg.data, pos, 32), uint256) >> 128
        assert word >> 64 < P and word & MASK64 < P, "non-canonical field element"
        coeffs[k] = word
    for i: uint256 in range(MAX_QUERIES):
        if i >= count:
            break
        x: uint256 = points[i]
        r0: uint256 = 0
        r1: uint256 = 0
        for k: uint256 in range(MAX_FINAL):
            if k >= size:
                break
            c: uint256 = coeffs[k]
            r0 = unsafe_add(unsafe_mul(r0, x), c >> 64) % P
            r1 = unsafe_add(unsafe_mul(r1, x), c & MASK64) % P
        assert r0 == values[unsafe_mul(2, i)] and r1 == values[unsafe_add(unsafe_mul(2, i), 1)], "final FRI polynomial does not match the folded values"


@internal
@pure
def fold8(v: uint256[16], inv_x: uint256, beta0: uint256, beta1: uint256) -> uint256[2]:
    """
    @notice fold_coset for f = 8, unrolled: the eight values (c0, c1 interleaved)
            at x * zeta^k fold into the next layer's value at x^8.
    """
    d0: uint256 = 0
    d1: uint256 = 0
    u: uint256[8] = empty(uint256[8])
    y: uint256 = uint256_mulmod(inv_x, INV2, P)
    yk: uint256 = y
    d0 = uint256_mulmod(unsafe_sub(unsafe_add(v[0], P), v[8]), yk, P)
    d1 = uint256_mulmod(unsafe_sub(unsafe_add(v[1], P), v[9]), yk, P)
    u[0] = unsafe_add(unsafe_add(unsafe_mul(unsafe_add(v[0], v[8]), INV2), unsafe_mul(beta0, d0)), unsafe_mul(unsafe_mul(W, beta1), d1)) % P
    u[1] = unsafe_add(unsafe_add(unsafe_mul(unsafe_add(v[1], v[9]), INV2), unsafe_mul(beta0, d1)), unsafe_mul(beta1, d0)) % P
    yk = uint256_mulmod(y, ZETA8_INV_1, P)
    d0 = uint256_mulmod(unsafe_sub(unsafe_add(v[2], P), v[10]), yk, P)
    d1 = uint256_mulmod(unsafe_sub(unsafe_add(v[3], P), v[11]), yk, P)
    u[2] = unsafe_add(unsafe_add(unsafe_mul(unsafe_add(v[2], v[10]), INV2), unsafe_mul(beta0, d0)), unsafe_mul(unsafe_mul(W, beta1), d1)) % P
    u[3] = unsafe_add(unsafe_add(unsafe_mul(unsafe_add(v[3], v[11]), INV2), unsafe_mul(beta0, d1)), unsafe_mul(beta1, d0)) % P
    yk = uint256_mulmod(y, ZETA8_INV_2, P)
    d0 = uint256_mulmod(unsafe_sub(unsafe_add(v[4], P), v[12]), yk, P)
    d1 = uint256_mulmod(unsafe_sub(unsafe_add(v[5], P), v[13]), yk, P)
    u[4] = unsafe_add(unsafe_add(unsafe_mul(unsafe_add(v[4], v[12]), INV2), unsafe_mul(beta0, d0)), unsafe_mul(unsafe_mul(W, beta1), d1)) % P
    u[5] = unsafe_add(unsafe_add(unsafe_mul(unsafe_add(v[5], v[13]), INV2), unsafe_mul(beta0, d1)), unsafe_mul(beta1, d0)) % P
    yk = uint256_mulmod(y, ZETA8_INV_3, P)
    d0 = uint256_mulmod(unsafe_sub(unsafe_add(v[6], P), v[14]), yk, P)
    d1 = uint256_mulmod(unsafe_sub(unsafe_add(v[7], P), v[15]), yk, P)
    u[6] = unsafe_add(unsafe_add(unsafe_mul(unsafe_add(v[6], v[14]), INV2), unsafe_mul(beta0, d0)), unsafe_mul(unsafe_mul(W, beta1), d1)) % P
    u[7] = unsafe_add(unsafe_add(unsafe_mul(unsafe_add(v[7], v[15]), INV2), unsafe_mul(beta0, d1)), unsafe_mul(beta1, d0)) % P
    b0: uint256 = unsafe_add(unsafe_mul(beta0, beta0), unsafe_mul(unsafe_mul(W, beta1), beta1)) % P
    b1: uint256 = uint256_mulmod(2 * beta0, beta1, P)
    ix: uint256 = uint256_mulmod(inv_x, inv_x, P)
    y = uint256_mulmod(ix, INV2, P)
    t: uint256[4] = empty(uint256[4])
    d0 = uint256_mulmod(unsafe_sub(unsafe_add(u[0], P), u[4]), y, P)
    d1 = uint256_mulmod(unsafe_sub(unsafe_add(u[1], P), u[5]), y, P)
    t[0] = unsafe_add(unsafe_add(unsafe_mul(unsafe_add(u[0], u[4]), INV2), unsafe_mul(b0, d0)), unsafe_mul(unsafe_mul(W, b1), d1)) % P
    t[1] = unsafe_add(unsafe_add(unsafe_mul(unsafe_add(u[1], u[5]), INV2), unsafe_mul(b0, d1)), unsafe_mul(b1, d0)) % P
    yk = uint256_mulmod(y, ZETA8_INV_2, P)
    d0 = uint256_mulmod(unsafe_sub(unsafe_add(u[2], P), u[6]), yk, P)
    d1 = uint256_mulmod(unsafe_sub(unsafe_add(u[3], P), u[7]), yk, P)
    t[2] = unsafe_add(unsafe_add(unsafe_mul(unsafe_add(u[2], u[6]), INV2), unsafe_mul(b0, d0)), unsafe_mul(unsafe_mul(W, b1), d1)) % P
    t[3] = unsafe_add(unsafe_add(unsafe_mul(unsafe_add(u[3], u[7]), INV2), unsafe_mul(b0, d1)), unsafe_mul(b1, d0)) % P
    c0: uint256 = unsafe_add(unsafe_mul(b0, b0), unsafe_mul(unsafe_mul(W, b1), b1)) % P
    c1: uint256 = uint256_mulmod(2 * b0, b1, P)
    y = uint256_mulmod(uint256_mulmod(ix, ix, P), INV2, P)
    r: uint256[2] = empty(uint256[2])
    d0 = uint256_mulmod(unsafe_sub(unsafe_add(t[0], P), t[2]), y, P)
    d1 = uint256_mulmod(unsafe_sub(unsafe_add(t[1], P), t[3]), y, P)
    r[0] = unsafe_add(unsafe_add(unsafe_mul(unsafe_add(t[0], t[2]), INV2), unsafe_mul(c0, d0)), unsafe_mul(unsafe_mul(W, c1), d1)) % P
    r[1] = unsafe_add(unsafe_add(unsafe_mul(unsafe_add(t[1], t[3]), INV2), unsafe_mul(c0, d1)), unsafe_mul(c1, d0)) % P
    return r
