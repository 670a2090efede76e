"""STARK verifier (plain Python integers): the reference the EVM verifier mirrors."""

from __future__ import annotations

from dataclasses import dataclass

from prover.air.air import Air
from prover.crypto.merkle import leaf_hashes_of, multiproof_size, verify_multiproof
from prover.crypto.transcript import Transcript
from prover.errors import FieldError, ProofFormatError, VerificationError
from prover.math import goldilocks as gl
from prover.math.goldilocks_ext import Ext, batch_inverse_ext
from prover.math.poly import eval_ext_poly
from prover.receipt import Journal
from prover.stark.composition import composition_at, split_columns_at
from prover.stark.deep import DeepEvaluator
from prover.stark.fri import fold_coset
from prover.stark.params import ProofOptions
from prover.stark.proof import EXT_SIZE, ProofReader, encode_header
from prover.stark.prover import LDE_OFFSET, layer_indices

MAX_LOG_TRACE = 22


@dataclass(frozen=True)
class StarkInfo:
    """What a successful verification established about the proof."""

    options: ProofOptions
    log_trace_length: int
    security_bits: int
    proof_size: int


def _decode_base_row(leaf: bytes, count: int) -> list[list[int]]:
    words = [int.from_bytes(leaf[i : i + 8], "big") for i in range(0, len(leaf), 8)]
    return [words[k * count : (k + 1) * count] for k in range(len(words) // count)]


def _decode_ext_row(leaf: bytes, count: int) -> list[list[Ext]]:
    values = [Ext.from_bytes(leaf[i : i + EXT_SIZE]) for i in range(0, len(leaf), EXT_SIZE)]
    return [values[k * count : (k + 1) * count] for k in range(len(values) // count)]


def _check_tree(root: bytes, depth: int, indices: list[int], leaves: list[bytes], nodes: list[bytes], what: str) -> None:
    if not verify_multiproof(root, depth, indices, leaf_hashes_of(leaves), nodes):
        raise VerificationError(f"{what} Merkle openings do not match the committed root")


def verify_stark(air: Air, journal: Journal, seal: bytes, min_security_bits: int = 0) -> StarkInfo:
    """Verify a STARK seal for ``journal``; raises ProofFormatError or VerificationError."""
    try:
        return _verify(air, journal, seal, min_security_bits)
    except FieldError as exc:
        raise VerificationError(f"degenerate challenge or value: {exc}") from None


def _verify(air: Air, journal: Journal, seal: bytes, min_security_bits: int) -> StarkInfo:
    reader = ProofReader(seal)
    options, log_t = reader.header()
    if not 3 <= log_t <= MAX_LOG_TRACE:
        raise ProofFormatError(f"log trace length {log_t} outside [3, {MAX_LOG_TRACE}]")
    trace_length = 1 << log_t
    required = air.trace_length(journal.inputs, journal.outputs)
    if trace_length < required:
        raise VerificationError(f"trace of {trace_length} rows is shorter than the {required} this statement needs")
    comp_columns = air.composition_columns(trace_length)
    if options.blowup < comp_columns:
        raise ProofFormatError(f"blowup {options.blowup} is below the composition degree {comp_columns}")
    security = options.security_bits(log_t)
    if security < min_security_bits:
        raise VerificationError(f"proof has {security} bits of conjectured security, {min_security_bits} required")

    width = air.width
    aux_width = air.aux_width
    full = width + aux_width
    f = options.folding
    f0 = options.first_folding
    log_n = log_t + options.log_blowup
    n = 1 << log_n
    folds = options.num_fri_folds(log_t)
    if n >> options.folded_bits(log_t) < 1:
        raise ProofFormatError("folding schedule exceeds the evaluation domain")
    assertions = air.assertions(journal.inputs, journal.outputs, trace_length)

    trace_root = reader.hash()
    aux_root = reader.hash() if aux_width else None
    comp_root = reader.hash()
    trace_z = reader.exts(full)
    trace_zg = reader.exts(full)
    comp_z = reader.exts(comp_columns)
    fri_roots = reader.hashes(folds - 1)
    final_poly = reader.exts(options.final_poly_size(log_t))
    nonce = reader.nonce()

    transcript = Transcript(encode_header(options, log_t) + journal.to_bytes())
    transcript.absorb(trace_root)
    randomness: list[int] = []
    if aux_root is not None:
        randomness = transcript.draw_bases(air.aux_randomness)
        assertions = list(assertions) + list(air.aux_assertions(trace_length, randomness))
        transcript.absorb(aux_root)
    alpha = transcript.draw_ext()
    transcript.absorb(comp_root)
    z = transcript.draw_ext()
    transcript.absorb(b"".join(e.to_bytes() for e in trace_z + trace_zg + comp_z))
    gamma = transcript.draw_ext()
    betas = [transcript.draw_ext()]
    for root in fri_roots:
        transcript.absorb(root)
        betas.append(transcript.draw_ext())
    transcript.absorb(b"".join(e.to_bytes() for e in final_poly))
    if transcript.absorb_pow(nonce) < options.grinding_bits:
        raise VerificationError("proof-of-work nonce does not meet the grinding requirement")
    queries = [transcript.draw_index(n // f0) for _ in range(options.num_queries)]

    # Openings: trace, composition, then each committed FRI layer.
    first = layer_indices(queries, n // f0)
    depth0 = log_n - options.log_first_folding
    trace_leaves = reader.leaves(len(first), f0 * width * 8)
    trace_nodes = reader.hashes(multiproof_size(depth0, first))
    if aux_width:
        aux_leaves = reader.leaves(len(first), f0 * aux_width * 8)
        aux_nodes = reader.hashes(multiproof_size(depth0, first))
    comp_leaves = reader.leaves(len(first), f0 * comp_columns * EXT_SIZE)
    comp_nodes = reader.hashes(multiproof_size(depth0, first))
    fri_layers = []
    depth = depth0
    for _ in fri_roots:
        depth -= options.log_folding
        idx = layer_indices(queries, 1 << depth)
        leaves = reader.leaves(len(idx), f * EXT_SIZE)
        nodes = reader.hashes(multiproof_size(depth, idx))
        fri_layers.append((depth, idx, leaves, nodes))
    reader.finish()

    # Out-of-domain consistency of the composition polynomial.
    g = gl.root_of_unity(log_t)
    expected = composition_at(air, trace_length, z, trace_z, trace_zg, alpha, assertions, randomness)
    if split_columns_at(comp_z, z, trace_length) != expected:
        raise VerificationError("out-of-domain composition check failed: constraints do not hold")

    _check_tree(trace_root, depth0, first, trace_leaves, trace_nodes, "trace")
    if aux_root is not None:
        _check_tree(aux_root, depth0, first, aux_leaves, aux_nodes, "auxiliary trace")
    _check_tree(comp_root, depth0, first, comp_leaves, comp_nodes, "composition")
    fri_values = []
    for root, (depth, idx, leaves, nodes) in zip(fri_roots, fri_layers):
        _check_tree(root, depth, idx, leaves, nodes, "FRI layer")
        fri_values.append({i: _decode_ext_row(leaf, 1) for i, leaf in zip(idx, leaves)})

    trace_rows = {i: _decode_base_row(leaf, width) for i, leaf in zip(first, trace_leaves)}
    if aux_width:
        for i, leaf in zip(first, aux_leaves):
            trace_rows[i] = [row + extra for row, extra in zip(trace_rows[i], _decode_base_row(leaf, aux_width))]
    comp_rows = {i: _decode_ext_row(leaf, comp_columns) for i, leaf in zip(first, comp_leaves)}
    deep = DeepEvaluator(gamma, trace_z, trace_zg, comp_z)
    zg = z * g
    omega = gl.root_of_unity(log_n)
    zeta = gl.root_of_unity(options.log_first_folding)

    # DEEP denominators of every query point, inverted together.
    points = []
    for q in queries:
        x = LDE_OFFSET * pow(omega, q, gl.P) % gl.P
        for _ in range(f0):
            points.append(x)
            x = x * zeta % gl.P
    inverses = batch_inverse_ext([x - z for x in points] + [x - zg for x in points])
    half = len(points)
    omega_inv = gl.inv_int(omega)
    offset_inv = gl.inv_int(LDE_OFFSET)

    for qi, q in enumerate(queries):
        values = []
        for k in range(f0):
            at = qi * f0 + k
            values.append(deep.at(trace_rows[q][k], comp_rows[q][k], inverses[at], inverses[half + at]))
        position = q
        layer_n = n
        layer_omega_inv = omega_inv
        layer_offset_inv = offset_inv
        for r in range(folds):
            inv_x = layer_offset_inv * pow(layer_omega_inv, position, gl.P) % gl.P
            log_fr = options.log_first_folding if r == 0 else options.log_folding
            folded = fold_coset(values, inv_x, log_fr, betas[r])
            layer_n >>= log_fr
            layer_omega_inv = pow(layer_omega_inv, 1 << log_fr, gl.P)
            layer_offset_inv = pow(layer_offset_inv, 1 << log_fr, gl.P)
            if r < folds - 1:
                leaf_count = layer_n // f
                leaf, slot = position % leaf_count, position // leaf_count
                values = [row[0] for row in fri_values[r][leaf]]
                if values[slot] != folded:
                    raise VerificationError(f"FRI layer {r + 1} is inconsistent with the folded values")
                position = leaf
            else:
                final_x = gl.inv_int(layer_offset_inv * pow(layer_omega_inv, position, gl.P))
                if eval_ext_poly(final_poly, final_x) != folded:
                    raise VerificationError("final FRI polynomial does not match the folded values")

    return StarkInfo(options, log_t, security, len(seal))
