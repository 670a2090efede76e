# pragma version ~=0.4.3
"""
@title supervm-l2 rollup: verified batches of L2 executions
@notice Keeps the registry of programs (program id -> AIR contract), accepts
        batches from the sequencer only, verifies each batch's proof through
        the STARK verifier (one of two deployments of it, by statement
        length), records it (journal root, request count, backend,
        L1 block) and proves on L1 that a journal belongs to a verified batch.
@dev Trust model (docs/contracts.md): the owner registers programs and sets
     the sequencer; the sequencer orders batches and is the only submitter;
     soundness of every recorded batch rests on the STARK verifier alone.  A
     rollup deployed with dev_mode = True also accepts Trace receipts (no
     soundness) from the sequencer; a production deployment refuses them.
"""

from stark import journal as journal_codec
from stark import rescue

MAX_JOURNAL: constant(uint256) = 32768
SINGLE_JOURNAL: constant(uint256) = 1064  # contracts/bounds/single/journal_bound.vy
MAX_PROOF: constant(uint256) = 98304
# Root-only seals open 23 trace columns per query; a separate entry keeps their larger buffers
# out of submit_batch's frame (Vyper's memory cost grows with every buffer's bound).
MAX_ROOT_PROOF: constant(uint256) = 163840
MAX_ROOT_MEMBERS: constant(uint256) = 65536
ROOT_BATCH_ID: constant(bytes32) = 0xc956debf5baf3cfc8d68f466563ce26121bf0c560a79c95548b93ed085bbb503
ROOT_ONLY_FLAG: constant(uint256) = 1 << 152
MAX_DEPTH: constant(uint256) = 32
BACKEND_TRACE: constant(uint8) = 0
BACKEND_STARK: constant(uint8) = 1
TRACE_SEAL_SIZE: constant(uint256) = 34
VERIFY: constant(Bytes[4]) = method_id("verify(address,bytes,uint256)")


interface Air:
    def journal_root(journal: Bytes[MAX_JOURNAL]) -> (bytes32, uint256): view


event ProgramRegistered:
    program_id: indexed(bytes32)
    air: address


event SequencerChanged:
    sequencer: indexed(address)


event BatchVerified:
    index: indexed(uint256)
    journal_root: bytes32
    request_count: uint256
    backend: uint8
    security_bits: uint256
    l1_block: uint256


# The same verifier compiled twice (contracts/bounds/): statements up to SINGLE_JOURNAL bytes go to
# SINGLE_VERIFIER, whose smaller journal buffers cost less memory expansion; longer ones to VERIFIER.
VERIFIER: public(immutable(address))
SINGLE_VERIFIER: public(immutable(address))
DEV_MODE: public(immutable(bool))
MIN_SECURITY_BITS: public(immutable(uint256))

owner: public(address)
sequencer: public(address)
programs: public(HashMap[bytes32, address])
# A batch takes two storage slots: its journal root, and the other fields packed into one word
# (root-only flag << 152 | request count << 88 | backend << 80 | security bits << 64 | L1 block);
# unpacked by batches() and root_only().
batch_roots: HashMap[uint256, bytes32]
batch_facts: HashMap[uint256, uint256]
batch_count: public(uint256)


@deploy
def __init__(verifier: address, single_verifier: address, sequencer: address, dev_mode: bool, min_security_bits: uint256):
    VERIFIER = verifier
    SINGLE_VERIFIER = single_verifier
    DEV_MODE = dev_mode
    MIN_SECURITY_BITS = min_security_bits
    self.owner = msg.sender
    self.sequencer = sequencer
    log SequencerChanged(sequencer=sequencer)


@external
def register_program(program_id: bytes32, air: address):
    """@notice Owner only: bind a program id to the AIR contract that evaluates its constraints."""
    assert msg.sender == self.owner, "only the owner registers programs"
    assert air != empty(address), "AIR address is zero"
    assert self.programs[program_id] == empty(address), "program already registered"
    self.programs[program_id] = air
    log ProgramRegistered(program_id=program_id, air=air)


@external
def set_sequencer(sequencer: address):
    """@notice Owner only: hand the sequencer role to another address."""
    assert msg.sender == self.owner, "only the owner sets the sequencer"
    self.sequencer = sequencer
    log SequencerChanged(sequencer=sequencer)


@external
def submit_batch(index: uint256, backend: uint8, journal: Bytes[MAX_JOURNAL], seal: Bytes[MAX_PROOF]) -> bytes32:
    """
    @notice Sequencer only: verify and record batch `index` (the next one).
            `journal` is a single journal (a one-leaf tree) or a batch statement
            whose member journals the registered AIR contract turns into the tree.
    @return The batch's journal root.
    """
    assert msg.sender == self.sequencer, "only the sequencer submits batches"
    assert index == self.batch_count, "batch index is not the next one"
    assert len(journal) >= 32, "journal truncated"
    air: address = self.programs[convert(slice(journal, 0, 32), bytes32)]
    assert air != empty(address), "unknown program id"
    bits: uint256 = 0
    if backend == BACKEND_STARK:
        bits = self._verify(air, journal, seal)
        assert bits >= MIN_SECURITY_BITS, "proof is below the rollup's security level"
    else:
        assert backend == BACKEND_TRACE, "unknown backend"
        assert DEV_MODE, "Trace receipts are refused: this rollup is not in dev mode"
        assert len(seal) == TRACE_SEAL_SIZE and convert(slice(seal, 0, 1), uint256) == 1, "malformed Trace seal"
    root: bytes32 = empty(bytes32)
    count: uint256 = 0
    root, count = staticcall Air(air).journal_root(journal)
    self._record(index, root, count, backend, bits, 0)
    return root


@external
def submit_root_batch(index: uint256, count: uint256, root: bytes32, seal: Bytes[MAX_ROOT_PROOF]) -> bytes32:
    """
    @notice Sequencer only: verify and record root-only batch `index` (the next one): `count`
            fib members whose journals have the Rescue-Prime Merkle root `root` (4 elements
            packed as in rescue.vy).  No member data is posted; the STARK's AIR computes the
            root from the members' executions (docs/aggregator.md).
    @return The batch's root.
    """
    assert msg.sender == self.sequencer, "only the sequencer submits batches"
    assert index == self.batch_count, "batch index is not the next one"
    assert count >= 1 and count <= MAX_ROOT_MEMBERS, "a root-only batch has 1 .. 65536 members"
    r: uint256[4] = rescue.unpack(root)
    air: address = self.programs[ROOT_BATCH_ID]
    assert air != empty(address), "root-only batches are not registered"
    # the statement journal: id || u32 1 || count || u32 4 || root (80 bytes, docs/proof-format.md)
    journal: Bytes[80] = concat(
        ROOT_BATCH_ID,
        convert((1 << 224) | (count << 160) | (4 << 128) | (r[0] << 64) | r[1], bytes32),
        slice(convert((r[2] << 192) | (r[3] << 128), bytes32), 0, 16),
    )
    result: Bytes[32] = raw_call(SINGLE_VERIFIER, abi_encode(air, journal, seal, method_id=VERIFY), max_outsize=32, is_static_call=True)
    bits: uint256 = convert(result, uint256)
    assert bits >= MIN_SECURITY_BITS, "proof is below the rollup's security level"
    self._record(index, root, count, BACKEND_STARK, bits, ROOT_ONLY_FLAG)
    return root


@internal
def _record(index: uint256, root: bytes32, count: uint256, backend: uint8, bits: uint256, flags: uint256):
    assert count < 1 << 64 and bits < 1 << 16 and block.number < 1 << 64, "batch fields out of range"
    self.batch_roots[index] = root
    self.batch_facts[index] = flags | (count << 88) | (convert(backend, uint256) << 80) | (bits << 64) | block.number
    self.batch_count = index + 1
    log BatchVerified(index=index, journal_root=root, request_count=count, backend=backend, security_bits=bits, l1_block=block.number)


@internal
@view
def _verify(air: address, journal: Bytes[MAX_JOURNAL], seal: Bytes[MAX_PROOF]) -> uint256:
    """@notice StarkVerifier.verify(air, journal, seal) with the seal encoded as `bytes` (its third word is the seal's offset)."""
    verifier: address = VERIFIER
    if len(journal) <= SINGLE_JOURNAL:
        verifier = SINGLE_VERIFIER
    result: Bytes[32] = raw_call(verifier, abi_encode(air, journal, seal, method_id=VERIFY), max_outsize=32, is_static_call=True)
    return convert(result, uint256)


@external
@view
def batches(index: uint256) -> (bytes32, uint64, uint8, uint16, uint64):
    """@notice (journal root, request count, backend, security bits, L1 block) of batch `index`; zeros if none."""
    facts: uint256 = self.batch_facts[index]
    return (
        self.batch_roots[index],
        convert((facts >> 88) & 18446744073709551615, uint64),
        convert((facts >> 80) & 255, uint8),
        convert((facts >> 64) & 65535, uint16),
        convert(facts & 18446744073709551615, uint64),
    )


@external
@view
def root_only(index: uint256) -> bool:
    """@notice Whether batch `index` was settled root-only (its root is a Rescue-Prime tree)."""
    return self.batch_facts[index] & ROOT_ONLY_FLAG != 0


@external
@view
def journal_in_batch(index: uint256, journal: Bytes[SINGLE_JOURNAL], position: uint256, path: DynArray[bytes32, MAX_DEPTH]) -> bool:
    """
    @notice True iff `journal` (a single execution's journal bytes, of a program registered
            here) is leaf `position` of verified batch `index`'s journal tree (siblings in
            `path`, leaf level first).
    @dev The contract hashes the journal itself and requires a registered program id: a hash
         alone could be an inner node reached by a shorter path, or a padding slot's zero leaf,
         and an inner node's 64-byte preimage would need a program id for its left half.
    """
    if index >= self.batch_count or len(journal) < 32 or position >> len(path) != 0:
        return False
    if self.programs[convert(slice(journal, 0, 32), bytes32)] == empty(address):
        return False
    node: bytes32 = keccak256(journal)
    at: uint256 = position
    for sibling: bytes32 in path:
        if at & 1 == 1:
            node = keccak256(concat(sibling, node))
        else:
            node = keccak256(concat(node, sibling))
        at >>= 1
    return node == self.batch_roots[index]


@external
@view
def journal_in_root_batch(index: uint256, journal: Bytes[MAX_JOURNAL], position: uint256, path: DynArray[bytes32, MAX_DEPTH]) -> bool:
    """
    @notice True iff `journal` (a single execution's journal bytes) is member `position` of
            verified root-only batch `index`: its Rescue-Prime leaf (rescue.journal_leaf in
            prover/crypto/rescue.py) and `path` (siblings, leaf level first) reach the batch's root.
    """
    if index >= self.batch_count or self.batch_facts[index] & ROOT_ONLY_FLAG == 0:
        return False
    return rescue.verify_inclusion(self.batch_roots[index], self._journal_leaf(), position, path)


@internal
@view
def _journal_leaf() -> bytes32:
    """
    @notice The Rescue sponge of the journal that is ABI argument 1: the id as 8 32-bit limbs,
            then #inputs, inputs, #outputs, outputs; length in the capacity, zero padding.
    """
    head: uint256 = 4 + convert(slice(msg.data, 36, 32), uint256)
    program: uint256 = convert(slice(msg.data, head + 32, 32), uint256)
    inputs: DynArray[uint256, journal_codec.MAX_VALUES] = []
    outputs: DynArray[uint256, journal_codec.MAX_VALUES] = []
    inputs, outputs = journal_codec.decode_any(1)
    elements: DynArray[uint256, 8 + 2 + 2 * journal_codec.MAX_VALUES] = []
    for k: uint256 in range(8):
        elements.append((program >> (224 - 32 * k)) & 4294967295)
    elements.append(len(inputs))
    for v: uint256 in inputs:
        elements.append(v)
    elements.append(len(outputs))
    for v: uint256 in outputs:
        elements.append(v)
    state: uint256[12] = empty(uint256[12])
    state[8] = len(elements)
    state[9] = 1  # the sponge tag
    at: uint256 = 0
    for chunk: uint256 in range(17):
        for i: uint256 in range(8):
            if at + i < len(elements):
                state[i] = uint256_addmod(state[i], elements[at + i], 18446744069414584321)
        state = rescue._permute(state)
        at += 8
        if at >= len(elements):
            break
    return rescue.pack([state[0], state[1], state[2], state[3]])
