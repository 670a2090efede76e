"""EIP-712 typed L2 requests: the message a user signs, signing, sender recovery, and the dev accounts.

A request asks the rollup to run ``program`` on ``inputs``, using at most
``maxRows`` trace rows, as the sender's ``nonce``-th request on L2 chain
``chainId``.  It is signed as EIP-712 typed data::

    EIP712Domain(string name,string version,uint256 chainId)   name "supervm-l2", version "1"
    Request(uint64 nonce,bytes32 program,uint64[] inputs,uint64 maxRows)

so any EIP-712 wallet (``eth_signTypedData_v4``) can sign one; the digest is
computed here directly (and checked against ``eth_account`` in the tests)
because the node hashes thousands of requests per second.  The digest does
not name the signer, so a request's id is ``keccak256(digest || sender)``
(unique, since a sender's nonces are).  Signatures are 65 bytes r || s || v (v in {0, 1, 27,
28}) with s in the lower half of the curve order (EIP-2).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Sequence

from Crypto.Hash import keccak as _keccak

from node.errors import InvalidSignatureError

DOMAIN_NAME = "supervm-l2"
DOMAIN_VERSION = "1"

#: The well-known PUBLIC test mnemonic of hardhat and anvil.  Its keys are published
#: everywhere: never hold anything of value with them.
DEV_MNEMONIC = "test test test test test test test test test test test junk"
DEV_HD_PATH = "m/44'/60'/0'/0"

SECP256K1_N = 0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFEBAAEDCE6AF48A03BBFD25E8CD0364141
_HALF_N = SECP256K1_N // 2
_U64 = 1 << 64
#: Messages of one length below this count are hashed one by one (the vector kernel has a call overhead).
_VECTOR_MIN = 8


def keccak256(data: bytes) -> bytes:
    """keccak256 (Ethereum's hash) of ``data``."""
    return _keccak.new(digest_bits=256, data=data).digest()


DOMAIN_TYPE = "EIP712Domain(string name,string version,uint256 chainId)"
REQUEST_TYPE = "Request(uint64 nonce,bytes32 program,uint64[] inputs,uint64 maxRows)"
DOMAIN_TYPEHASH = keccak256(DOMAIN_TYPE.encode())
REQUEST_TYPEHASH = keccak256(REQUEST_TYPE.encode())


def _word(value: int) -> bytes:
    return value.to_bytes(32, "big")


@lru_cache(maxsize=16)
def domain_separator(chain_id: int) -> bytes:
    """hashStruct(EIP712Domain) for the L2 chain ``chain_id``."""
    return keccak256(
        DOMAIN_TYPEHASH + keccak256(DOMAIN_NAME.encode()) + keccak256(DOMAIN_VERSION.encode()) + _word(chain_id)
    )


def request_digest(chain_id: int, nonce: int, program: bytes, inputs: Sequence[int], max_rows: int) -> bytes:
    """The EIP-712 digest keccak256(0x1901 || domainSeparator || hashStruct(Request)); values must fit uint64."""
    inputs_hash = keccak256(b"".join(v.to_bytes(32, "big") for v in inputs))
    struct_hash = keccak256(REQUEST_TYPEHASH + _word(nonce) + program + inputs_hash + _word(max_rows))
    return keccak256(b"\x19\x01" + domain_separator(chain_id) + struct_hash)


def typed_data(chain_id: int, nonce: int, program: bytes, inputs: Sequence[int], max_rows: int) -> dict[str, Any]:
    """The request as an ``eth_signTypedData_v4`` document (what a wallet shows and signs)."""
    return {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
            ],
            "Request": [
                {"name": "nonce", "type": "uint64"},
                {"name": "program", "type": "bytes32"},
                {"name": "inputs", "type": "uint64[]"},
                {"name": "maxRows", "type": "uint64"},
            ],
        },
        "primaryType": "Request",
        "domain": {"name": DOMAIN_NAME, "version": DOMAIN_VERSION, "chainId": chain_id},
        "message": {"nonce": nonce, "program": "0x" + program.hex(), "inputs": list(inputs), "maxRows": max_rows},
    }


@dataclass(frozen=True)
class SignedRequest:
    """A request with its signature; :meth:`request_id` names it on the node."""

    chain_id: int
    nonce: int
    program: bytes
    inputs: tuple[int, ...]
    max_rows: int
    signature: bytes

    @property
    def digest(self) -> bytes:
        return request_digest(self.chain_id, self.nonce, self.program, self.inputs, self.max_rows)

    def request_id(self) -> bytes:
        """keccak256(digest || sender address): the id the node gives this request."""
        return request_id(self.digest, self.recover())

    def recover(self, digest: bytes | None = None) -> str:
        """The checksummed address that signed this request (raises InvalidSignatureError)."""
        return recover_signer(digest or self.digest, self.signature)

    def to_json(self) -> dict[str, Any]:
        """The ``l2_sendRequest`` parameter object."""
        return {
            "chainId": self.chain_id,
            "nonce": self.nonce,
            "program": "0x" + self.program.hex(),
            "inputs": list(self.inputs),
            "maxRows": self.max_rows,
            "signature": "0x" + self.signature.hex(),
        }


def _check_u64(name: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < _U64:
        raise ValueError(f"{name} must be an integer in [0, 2^64), got {value!r}")


def sign_request(
    private_key: bytes | str, chain_id: int, nonce: int, program: bytes, inputs: Sequence[int], max_rows: int
) -> SignedRequest:
    """Sign a request with ``private_key`` (32 bytes or hex); low-s, v in {27, 28}."""
    import coincurve

    for name, value in (("nonce", nonce), ("maxRows", max_rows), *(("input", v) for v in inputs)):
        _check_u64(name, value)
    if len(program) != 32:
        raise ValueError("program id must be 32 bytes")
    key = bytes.fromhex(private_key.removeprefix("0x")) if isinstance(private_key, str) else bytes(private_key)
    digest = request_digest(chain_id, nonce, program, inputs, max_rows)
    raw = coincurve.PrivateKey(key).sign_recoverable(digest, hasher=None)  # r || s || recid, libsecp256k1 gives low s
    signature = raw[:64] + bytes([27 + raw[64]])
    return SignedRequest(chain_id, nonce, bytes(program), tuple(inputs), max_rows, signature)


def keccak_many(messages: Sequence[bytes]) -> list[bytes]:
    """keccak256 of each message; groups of equal length go through the prover's vectorized numba kernel."""
    out: list[bytes] = [b""] * len(messages)
    groups: dict[int, list[int]] = {}
    for i, message in enumerate(messages):
        groups.setdefault(len(message), []).append(i)
    for length, index in groups.items():
        if len(index) < _VECTOR_MIN:
            for i in index:
                out[i] = keccak256(messages[i])
            continue
        import numpy as np

        from prover.crypto.keccak import keccak256_rows

        rows = np.frombuffer(b"".join(messages[i] for i in index), dtype=np.uint8).reshape(len(index), length)
        raw = keccak256_rows(rows).tobytes()
        for k, i in enumerate(index):
            out[i] = raw[32 * k : 32 * k + 32]
    return out


def request_digests(items: Sequence[tuple[int, int, bytes, Sequence[int], int]]) -> list[bytes]:
    """:func:`request_digest` of many (chain id, nonce, program, inputs, max rows), hashed in bulk."""
    inputs_hashes = keccak_many([b"".join(v.to_bytes(32, "big") for v in inputs) for _, _, _, inputs, _ in items])
    structs = keccak_many([
        REQUEST_TYPEHASH + _word(nonce) + program + h + _word(max_rows)
        for (_, nonce, program, _, max_rows), h in zip(items, inputs_hashes)
    ])
    return keccak_many([b"\x19\x01" + domain_separator(chain_id) + h for (chain_id, *_), h in zip(items, structs)])


def request_ids(digests: Sequence[bytes], senders: Sequence[str]) -> list[bytes]:
    """:func:`request_id` of many requests, hashed in bulk."""
    return keccak_many([d + bytes.fromhex(s[2:]) for d, s in zip(digests, senders)])


def request_id(digest: bytes, sender: str) -> bytes:
    """A request's id: keccak256(EIP-712 digest || the sender's 20 address bytes)."""
    return keccak256(digest + bytes.fromhex(sender[2:]))


def recover_signer(digest: bytes, signature: bytes) -> str:
    """Checksummed address of the key that produced ``signature`` over ``digest``; InvalidSignatureError if none."""
    if len(signature) != 65:
        raise InvalidSignatureError(f"signature must be 65 bytes (r || s || v), got {len(signature)}")
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:64], "big")
    v = signature[64]
    if v >= 27:
        v -= 27
    if v not in (0, 1):
        raise InvalidSignatureError(f"signature v must be 0, 1, 27 or 28, got {signature[64]}")
    if not (0 < r < SECP256K1_N and 0 < s <= _HALF_N):
        raise InvalidSignatureError("signature r/s out of range or s not in the lower half of the curve order (EIP-2)")
    try:
        import coincurve

        public = coincurve.PublicKey.from_signature_and_message(signature[:64] + bytes([v]), digest, hasher=None)
        raw = public.format(compressed=False)[1:]
    except ImportError:  # pragma: no cover - coincurve is a dependency; eth-keys' pure-Python backend is slower
        from eth_keys import keys

        raw = keys.Signature(vrs=(v, r, s)).recover_public_key_from_msg_hash(digest).to_bytes()
    except Exception as exc:  # coincurve raises ValueError / generic errors on unrecoverable points
        raise InvalidSignatureError(f"signature does not recover to a public key: {exc}") from None
    return address_of(raw)


@lru_cache(maxsize=65_536)
def address_of(public_key: bytes) -> str:
    """Checksummed address of a 64-byte uncompressed public key (cached: senders repeat)."""
    return to_checksum(keccak256(public_key)[12:])


def to_checksum(address: bytes) -> str:
    """EIP-55 checksummed hex of a 20-byte address."""
    hex_addr = address.hex()
    digest = keccak256(hex_addr.encode()).hex()
    return "0x" + "".join(c.upper() if int(digest[i], 16) >= 8 else c for i, c in enumerate(hex_addr))


@dataclass(frozen=True)
class DevAccount:
    """A funded development account derived from the public test mnemonic."""

    index: int
    address: str
    private_key: str  # 0x-prefixed hex


@lru_cache(maxsize=4)
def dev_accounts(count: int = 10, mnemonic: str = DEV_MNEMONIC) -> tuple[DevAccount, ...]:
    """Accounts m/44'/60'/0'/0/i of ``mnemonic`` (the same as anvil's and hardhat's defaults)."""
    from eth_account.hdaccount import key_from_seed, seed_from_mnemonic

    seed = seed_from_mnemonic(mnemonic, "")
    out = []
    for i in range(count):
        key = key_from_seed(seed, f"{DEV_HD_PATH}/{i}")
        import coincurve

        public = coincurve.PrivateKey(key).public_key.format(compressed=False)[1:]
        out.append(DevAccount(i, to_checksum(keccak256(public)[12:]), "0x" + key.hex()))
    return tuple(out)
