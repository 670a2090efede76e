# pragma version ~=0.4.3
"""
@title Goldilocks field and its quadratic extension
@notice p = 2^64 - 2^32 + 1; extension F_p[X]/(X^2 - 7), element (c0, c1).
        Mirrors prover/math/goldilocks.py and goldilocks_ext.py.
"""

P: constant(uint256) = 18446744069414584321
W: constant(uint256) = 7
MODEXP: constant(address) = 0x0000000000000000000000000000000000000005


@internal
@pure
def add(a: uint256, b: uint256) -> uint256:
    return uint256_addmod(a, b, P)


@internal
@pure
def sub(a: uint256, b: uint256) -> uint256:
    return uint256_addmod(a, P - b, P)


@internal
@pure
def mul(a: uint256, b: uint256) -> uint256:
    return uint256_mulmod(a, b, P)


@internal
@view
def pow_(base: uint256, exponent: uint256) -> uint256:
    """@notice base^exponent mod p through the MODEXP precompile (EIP-198)."""
    result: Bytes[32] = raw_call(
        MODEXP,
        concat(convert(32, bytes32), convert(32, bytes32), convert(32, bytes32),
               convert(base, bytes32), convert(exponent, bytes32), convert(P, bytes32)),
        max_outsize=32,
        is_static_call=True,
    )
    return convert(result, uint256)


@internal
@view
def inv(a: uint256) -> uint256:
    """@notice a^(p-2); reverts on zero."""
    assert a % P != 0, "zero has no inverse"
    return self.pow_(a, P - 2)


@internal
@pure
def ext_mul(a0: uint256, a1: uint256, b0: uint256, b1: uint256) -> (uint256, uint256):
    return (
        uint256_addmod(uint256_mulmod(a0, b0, P), uint256_mulmod(W * a1, b1, P), P),
        uint256_addmod(uint256_mulmod(a0, b1, P), uint256_mulmod(a1, b0, P), P),
    )


@internal
@view
def ext_inv(a0: uint256, a1: uint256) -> (uint256, uint256):
    """@notice Inverse through the norm a0^2 - 7 a1^2; reverts on zero."""
    norm: uint256 = uint256_addmod(uint256_mulmod(a0, a0, P), P - uint256_mulmod(W * a1, a1, P), P)
    n_inv: uint256 = self.inv(norm)
    return (uint256_mulmod(a0, n_inv, P), uint256_mulmod(P - a1, n_inv, P))


@internal
@pure
def ext_add(a0: uint256, a1: uint256, b0: uint256, b1: uint256) -> (uint256, uint256):
    return (uint256_addmod(a0, b0, P), uint256_addmod(a1, b1, P))


@internal
@pure
def ext_sub(a0: uint256, a1: uint256, b0: uint256, b1: uint256) -> (uint256, uint256):
    return (uint256_addmod(a0, P - b0, P), uint256_addmod(a1, P - b1, P))


@internal
@pure
def ext_square_n(a0: uint256, a1: uint256, n: uint256) -> (uint256, uint256):
    """@notice a^(2^n) by n squarings."""
    c0: uint256 = a0
    c1: uint256 = a1
    for i: uint256 in range(n, bound=64):
        t: uint256 = uint256_addmod(uint256_mulmod(c0, c0, P), uint256_mulmod(W * c1, c1, P), P)
        c1 = uint256_mulmod(2 * c0, c1, P)
        c0 = t
    return (c0, c1)


@internal
@view
def root_of_unity(log_n: uint256) -> uint256:
    """@notice The generator of the order-2^log_n subgroup: 7^((p - 1) / 2^log_n)."""
    assert log_n <= 32, "no root of unity of that order"
    return self.pow_(W, (P - 1) >> log_n)
