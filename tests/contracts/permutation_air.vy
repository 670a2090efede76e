# pragma version ~=0.4.3
"""
@title Test AIR: column b is a permutation of column a (tests/prover/stark/test_aux.py)
@notice A two-stage AIR for the verifier's tests: 2 main columns, 3 running products over
        random values drawn after the main commitment; not a program anyone registers.
"""
from stark import goldilocks

P: constant(uint256) = 18446744069414584321
PROGRAM_ID: public(constant(bytes32)) = 0x0707070707070707070707070707070707070707070707070707070707070707
ROWS: constant(uint256) = 64
WIDTH: constant(uint256) = 5  # a, b, then Z_0 .. Z_2
PRODUCTS: constant(uint256) = 3


@external
@pure
def aux() -> (uint256, uint256):
    return (PRODUCTS, PRODUCTS)


@external
@pure
def columns(journal: Bytes[32768]) -> (uint256, uint256):
    return (2, 1)


@external
@pure
def shape(journal: Bytes[32768]) -> (uint256, uint256, uint256):
    return (2, 1, ROWS)


@external
@pure
def journal_root(journal: Bytes[32768]) -> (bytes32, uint256):
    return (keccak256(journal), 1)


@internal
@pure
def _at(ood: DynArray[uint256, 80], i: uint256) -> (uint256, uint256):
    return (ood[2 * i], ood[2 * i + 1])


@external
@view
def evaluate(log_t: uint256, z0: uint256, z1: uint256, alpha0: uint256, alpha1: uint256, ood: DynArray[uint256, 80], journal: Bytes[32768]) -> (uint256, uint256):
    """@notice Auxiliary transitions, then the assertions (a, b at the last row; each Z at rows 0 and T-1)."""
    g: uint256 = goldilocks.root_of_unity(log_t)
    last: uint256 = goldilocks.pow_(g, (1 << log_t) - 1)
    zt0: uint256 = 0
    zt1: uint256 = 0
    zt0, zt1 = goldilocks.ext_square_n(z0, z1, log_t)
    v0: uint256 = 0
    v1: uint256 = 0
    v0, v1 = goldilocks.ext_inv(uint256_addmod(zt0, P - 1, P), zt1)
    f0: uint256 = 0
    f1: uint256 = 0
    f0, f1 = goldilocks.ext_mul(uint256_addmod(z0, P - last, P), z1, v0, v1)  # (z - g^(T-1)) / (z^T - 1)
    il0: uint256 = 0
    il1: uint256 = 0
    il0, il1 = goldilocks.ext_inv(uint256_addmod(z0, P - last, P), z1)
    i10: uint256 = 0
    i11: uint256 = 0
    i10, i11 = goldilocks.ext_inv(uint256_addmod(z0, P - 1, P), z1)
    a0: uint256 = 0
    a1: uint256 = 0
    a0, a1 = self._at(ood, 0)
    b0: uint256 = 0
    b1: uint256 = 0
    b0, b1 = self._at(ood, 1)

    acc0: uint256 = 0
    acc1: uint256 = 0
    p0: uint256 = 1
    p1: uint256 = 0
    t0: uint256 = 0
    t1: uint256 = 0
    u0: uint256 = 0
    u1: uint256 = 0
    for i: uint256 in range(PRODUCTS):
        gamma: uint256 = ood[4 * WIDTH + i]
        c0: uint256 = 0
        c1: uint256 = 0
        c0, c1 = self._at(ood, 2 + i)
        n0: uint256 = 0
        n1: uint256 = 0
        n0, n1 = self._at(ood, WIDTH + 2 + i)
        t0, t1 = goldilocks.ext_mul(n0, n1, uint256_addmod(gamma, P - b0, P), P - b1)
        u0, u1 = goldilocks.ext_mul(c0, c1, uint256_addmod(gamma, P - a0, P), P - a1)
        t0, t1 = goldilocks.ext_mul(uint256_addmod(t0, P - u0, P), uint256_addmod(t1, P - u1, P), f0, f1)
        t0, t1 = goldilocks.ext_mul(t0, t1, p0, p1)
        acc0 = uint256_addmod(acc0, t0, P)
        acc1 = uint256_addmod(acc1, t1, P)
        p0, p1 = goldilocks.ext_mul(p0, p1, alpha0, alpha1)
    for col: uint256 in range(2):
        c0: uint256 = 0
        c1: uint256 = 0
        c0, c1 = self._at(ood, col)
        t0, t1 = goldilocks.ext_mul(c0, c1, il0, il1)
        t0, t1 = goldilocks.ext_mul(t0, t1, p0, p1)
        acc0 = uint256_addmod(acc0, t0, P)
        acc1 = uint256_addmod(acc1, t1, P)
        p0, p1 = goldilocks.ext_mul(p0, p1, alpha0, alpha1)
    for i: uint256 in range(PRODUCTS):
        c0: uint256 = 0
        c1: uint256 = 0
        c0, c1 = self._at(ood, 2 + i)
        for row: uint256 in range(2):
            if row == 0:
                t0, t1 = goldilocks.ext_mul(uint256_addmod(c0, P - 1, P), c1, i10, i11)
            else:
                t0, t1 = goldilocks.ext_mul(uint256_addmod(c0, P - 1, P), c1, il0, il1)
            t0, t1 = goldilocks.ext_mul(t0, t1, p0, p1)
            acc0 = uint256_addmod(acc0, t0, P)
            acc1 = uint256_addmod(acc1, t1, P)
            p0, p1 = goldilocks.ext_mul(p0, p1, alpha0, alpha1)
    return (acc0, acc1)
