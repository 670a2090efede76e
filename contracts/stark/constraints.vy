# pragma version ~=0.4.3
"""
@title Constraint quotients at the out-of-domain point
@notice Helpers for AIR contracts: turn constraint values at z into the
        quotients of docs/proof-format.md ("Composition at z") and combine
        them with powers of alpha.  Mirrors prover/stark/composition.py.
"""
from stark import goldilocks

P: constant(uint256) = 18446744069414584321
W: constant(uint256) = 7
MAX_QUOTIENTS: constant(uint256) = 64
MAX_CYCLE: constant(uint256) = 64


@internal
@view
def transition_factor(log_t: uint256, z0: uint256, z1: uint256) -> (uint256, uint256):
    """@notice (z - g^(T-1)) / (z^T - 1): turns a transition constraint value into its quotient."""
    g: uint256 = goldilocks.root_of_unity(log_t)
    g_last: uint256 = goldilocks.pow_(g, (1 << log_t) - 1)
    zt0: uint256 = 0
    zt1: uint256 = 0
    zt0, zt1 = goldilocks.ext_square_n(z0, z1, log_t)
    i0: uint256 = 0
    i1: uint256 = 0
    i0, i1 = goldilocks.ext_inv(uint256_addmod(zt0, P - 1, P), zt1)
    return goldilocks.ext_mul(uint256_addmod(z0, P - g_last, P), z1, i0, i1)


@internal
@view
def boundary_quotient(log_t: uint256, z0: uint256, z1: uint256, t0: uint256, t1: uint256, row: uint256, expected: uint256) -> (uint256, uint256):
    """@notice (t - expected) / (z - g^row), t the claimed column value at z."""
    point: uint256 = goldilocks.pow_(goldilocks.root_of_unity(log_t), row)
    i0: uint256 = 0
    i1: uint256 = 0
    i0, i1 = goldilocks.ext_inv(uint256_addmod(z0, P - point, P), z1)
    return goldilocks.ext_mul(uint256_addmod(t0, P - expected, P), t1, i0, i1)


@internal
@pure
def combine(quotients: DynArray[uint256, 2 * MAX_QUOTIENTS], alpha0: uint256, alpha1: uint256) -> (uint256, uint256):
    """@notice sum_k alpha^k Q_k for quotients given as Q_0.c0, Q_0.c1, Q_1.c0, ..."""
    acc0: uint256 = 0
    acc1: uint256 = 0
    a0: uint256 = 1
    a1: uint256 = 0
    for k: uint256 in range(MAX_QUOTIENTS):
        if 2 * k >= len(quotients):
            break
        t0: uint256 = 0
        t1: uint256 = 0
        t0, t1 = goldilocks.ext_mul(a0, a1, quotients[2 * k], quotients[2 * k + 1])
        acc0 = uint256_addmod(acc0, t0, P)
        acc1 = uint256_addmod(acc1, t1, P)
        a0, a1 = goldilocks.ext_mul(a0, a1, alpha0, alpha1)
    return (acc0, acc1)


@internal
@view
def periodic_at(log_t: uint256, z0: uint256, z1: uint256, values: DynArray[uint256, MAX_CYCLE]) -> (uint256, uint256):
    """
    @notice The periodic column through `values` (cycle truncated to the trace
            length) evaluated at z^(T/K), by the barycentric formula
            P(w) = (w^K - 1)/K * sum_i v_i w_K^i / (w - w_K^i).
    """
    log_k: uint256 = 0
    for step: uint256 in range(7):
        if (1 << (log_k + 1)) > len(values) or log_k + 1 > log_t:
            break
        log_k += 1
    k: uint256 = 1 << log_k
    w0: uint256 = 0
    w1: uint256 = 0
    w0, w1 = goldilocks.ext_square_n(z0, z1, log_t - log_k)
    omega: uint256 = goldilocks.root_of_unity(log_k)
    # 1 / (w - omega^i) = (w0 - omega^i - w1 X) / norm_i, norm_i = (w0 - omega^i)^2 - 7 w1^2
    w1sq7: uint256 = uint256_mulmod(W * w1, w1, P)
    prefix: DynArray[uint256, MAX_CYCLE] = []
    running: uint256 = 1
    x: uint256 = 1
    for i: uint256 in range(MAX_CYCLE):
        if i >= k:
            break
        d: uint256 = uint256_addmod(w0, P - x, P)
        prefix.append(running)
        running = uint256_mulmod(running, uint256_addmod(uint256_mulmod(d, d, P), P - w1sq7, P), P)
        x = uint256_mulmod(x, omega, P)
    inv_all: uint256 = goldilocks.inv(running)
    s0: uint256 = 0
    s1: uint256 = 0
    omega_inv: uint256 = goldilocks.pow_(omega, k - 1)
    x = omega_inv
    for step: uint256 in range(MAX_CYCLE):
        if step >= k:
            break
        i: uint256 = k - 1 - step
        d: uint256 = uint256_addmod(w0, P - x, P)
        inv_norm: uint256 = uint256_mulmod(inv_all, prefix[i], P)
        inv_all = uint256_mulmod(inv_all, uint256_addmod(uint256_mulmod(d, d, P), P - w1sq7, P), P)
        if values[i] != 0:
            coeff: uint256 = uint256_mulmod(uint256_mulmod(values[i], x, P), inv_norm, P)
            s0 = uint256_addmod(s0, uint256_mulmod(coeff, d, P), P)
            s1 = uint256_addmod(s1, uint256_mulmod(coeff, P - w1, P), P)
        x = uint256_mulmod(x, omega_inv, P)
    wk0: uint256 = 0
    wk1: uint256 = 0
    wk0, wk1 = goldilocks.ext_square_n(w0, w1, log_k)
    scale: uint256 = goldilocks.inv(k)
    return goldilocks.ext_mul(s0, s1, uint256_mulmod(uint256_addmod(wk0, P - 1, P), scale, P), uint256_mulmod(wk1, scale, P))
