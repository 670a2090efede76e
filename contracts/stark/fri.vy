# pragma version ~=0.4.3
"""
@title FRI folding of one coset and the final polynomial
@notice Mirrors prover/stark/fri.py (fold_coset) and the final-polynomial
        check of docs/proof-format.md.
"""

P: constant(uint256) = 18446744069414584321
W: constant(uint256) = 7
INV2: constant(uint256) = 9223372034707292161
MAX_FOLDING: constant(uint256) = 16


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
            a0: uint256 = v[2 * k]
            a1: uint256 = v[2 * k + 1]
            c0: uint256 = v[2 * (k + half)]
            c1: uint256 = v[2 * (k + half) + 1]
            d0: uint256 = uint256_mulmod(unsafe_sub(unsafe_add(a0, P), c0), y, P)
            d1: uint256 = uint256_mulmod(unsafe_sub(unsafe_add(a1, P), c1), y, P)
            v[2 * k] = unsafe_add(unsafe_add(unsafe_mul(unsafe_add(a0, c0), INV2), unsafe_mul(b0, d0)), unsafe_mul(unsafe_mul(W, b1), d1)) % P
            v[2 * k + 1] = unsafe_add(unsafe_add(unsafe_mul(unsafe_add(a1, c1), INV2), unsafe_mul(b0, d1)), unsafe_mul(b1, d0)) % P
            y = uint256_mulmod(y, zi, P)
        m = half
        t: uint256 = unsafe_add(unsafe_mul(b0, b0), unsafe_mul(unsafe_mul(W, b1), b1)) % P
        b1 = uint256_mulmod(2 * b0, b1, P)
        b0 = t
        ix = uint256_mulmod(ix, ix, P)
        zi = uint256_mulmod(zi, zi, P)
    return [v[0], v[1]]


@internal
@pure
def eval_poly(coeffs: DynArray[uint256, 512], x: uint256) -> uint256[2]:
    """@notice An extension-coefficient polynomial (c0, c1 interleaved, lowest degree first) at a base point, by Horner."""
    r0: uint256 = 0
    r1: uint256 = 0
    n: uint256 = len(coeffs) // 2
    for step: uint256 in range(256):
        if step >= n:
            break
        i: uint256 = n - 1 - step
        r0 = unsafe_add(unsafe_mul(r0, x), coeffs[2 * i]) % P
        r1 = unsafe_add(unsafe_mul(r1, x), coeffs[2 * i + 1]) % P
    return [r0, r1]
