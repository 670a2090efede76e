"""STARK prover: trace -> LDE -> composition -> DEEP -> FRI -> queries."""

from __future__ import annotations

from typing import Sequence

import numpy as np

from prover.air.air import Air, Assertion
from prover.crypto.keccak import grind
from prover.crypto.merkle import MerkleTree
from prover.crypto.transcript import Transcript
from prover.errors import InvalidParametersError, TraceError
from prover.math import goldilocks as gl
from prover.math.goldilocks_ext import Ext
from prover.math.ntt import coset_intt, intt_rows, lde_from_coeffs_rows
from prover.math.poly import eval_columns_at
from prover.receipt import Journal
from prover.stark.composition import composition_on_lde
from prover.stark.deep import deep_on_lde
from prover.stark.fri import coset_leaves, final_polynomial, fold_layer
from prover.stark.params import ProofOptions
from prover.stark.proof import Openings, StarkProof, encode_header

#: Offset of the low-degree-extension coset (a generator of the multiplicative group).
LDE_OFFSET = gl.GENERATOR


def check_assertions(
    air: Air, trace: np.ndarray, inputs: Sequence[int], outputs: Sequence[int], extra: Sequence[Assertion] = ()
) -> None:
    """Refuse early when a boundary assertion (the AIR's, then ``extra``) does not hold on the trace."""
    length = trace.shape[1]
    for a in list(air.assertions(inputs, outputs, length)) + list(extra):
        if int(trace[a.column, a.row]) != a.value % gl.P:
            raise TraceError(f"assertion column {a.column} row {a.row} == {a.value} fails on the trace")
    segment = length // air.segments(length)
    for s in air.segment_assertions(length):
        found = trace[s.column, s.offset :: segment]
        if len(s.values) != len(found) or any(int(v) != w % gl.P for v, w in zip(found, s.values)):
            raise TraceError(f"segment assertion column {s.column} offset {s.offset} fails on the trace")
    for r in air.row_set_assertions(length):
        if any(int(trace[r.column, row]) != r.value % gl.P for row in r.rows):
            raise TraceError(f"row-set assertion column {r.column} == {r.value} fails on the trace")


def _open(tree: MerkleTree, leaves: np.ndarray, indices: list[int]) -> Openings:
    return Openings([leaves[i].tobytes() for i in indices], tree.multiproof(indices))


def layer_indices(queries: Sequence[int], leaf_count: int) -> list[int]:
    """Sorted unique leaf indices a layer with ``leaf_count`` leaves opens for the queries."""
    return sorted({q % leaf_count for q in queries})


def prove_trace(
    air: Air, journal: Journal, trace: np.ndarray, options: ProofOptions, refuse_invalid: bool = True
) -> StarkProof:
    """Prove that ``trace`` satisfies ``air`` with the boundary values of ``journal``.

    An invalid trace is refused with TraceError.  ``refuse_invalid=False``
    turns the refusals off so that soundness tests can build the proof a
    cheating prover would send (high-degree parts are silently dropped); such
    a proof must then fail verification.
    """
    width, trace_length = trace.shape
    log_t = trace_length.bit_length() - 1
    if trace_length != 1 << log_t or log_t < 3:
        raise InvalidParametersError(f"trace length must be a power of two >= 8, got {trace_length}")
    if log_t + options.log_blowup > gl.TWO_ADICITY:
        raise InvalidParametersError(
            f"2^{log_t} rows at blowup {options.blowup} need a 2^{log_t + options.log_blowup} domain; "
            f"Goldilocks has subgroups up to 2^{gl.TWO_ADICITY}")
    comp_columns = air.composition_columns(trace_length)
    if options.blowup < comp_columns:
        raise InvalidParametersError(f"blowup {options.blowup} is below the composition degree {comp_columns}")
    assertions = air.assertions(journal.inputs, journal.outputs, trace_length)
    if refuse_invalid:
        check_assertions(air, trace, journal.inputs, journal.outputs)

    n = trace_length * options.blowup
    f = options.folding
    f0 = options.first_folding  # the trace and composition leaves are the cosets the first round folds
    g = gl.root_of_unity(log_t)
    transcript = Transcript(encode_header(options, log_t) + journal.to_bytes())

    trace_coeffs = intt_rows(trace)
    trace_lde = lde_from_coeffs_rows(trace_coeffs, options.blowup, LDE_OFFSET)
    trace_leaves = coset_leaves(trace_lde, f0)
    trace_tree = MerkleTree(trace_leaves)
    transcript.absorb(trace_tree.root)

    # Second stage: auxiliary columns built from randomness drawn after the main commitment.
    randomness: list[int] = []
    aux_tree: MerkleTree | None = None
    aux_leaves = None
    if air.aux_width:
        randomness = transcript.draw_bases(air.aux_randomness)
        aux = np.ascontiguousarray(air.aux_trace(trace, randomness), dtype=np.uint64)
        if aux.shape != (air.aux_width, trace_length):
            raise InvalidParametersError(f"auxiliary trace has shape {aux.shape}, expected {(air.aux_width, trace_length)}")
        aux_assertions = air.aux_assertions(trace_length, randomness)
        if refuse_invalid:
            check_assertions(air, np.concatenate([trace, aux]), journal.inputs, journal.outputs, aux_assertions)
        assertions = list(assertions) + list(aux_assertions)
        aux_coeffs = intt_rows(aux)
        aux_lde = lde_from_coeffs_rows(aux_coeffs, options.blowup, LDE_OFFSET)
        aux_leaves = coset_leaves(aux_lde, f0)
        aux_tree = MerkleTree(aux_leaves)
        transcript.absorb(aux_tree.root)
        trace_coeffs = np.concatenate([trace_coeffs, aux_coeffs])
        full_lde = np.concatenate([trace_lde, aux_lde])
    else:
        full_lde = trace_lde
    alpha = transcript.draw_ext()

    domain = gl.scale_vec(gl.powers(np.uint64(gl.root_of_unity(log_t + options.log_blowup)), n), np.uint64(LDE_OFFSET))
    h = composition_on_lde(air, full_lde, domain, trace_length, options.blowup, LDE_OFFSET, alpha, assertions, randomness)
    # H has degree < C*T, so a sub-coset of C'*T points (C' = C rounded up to a power of
    # two) determines it: interpolate there instead of over the whole LDE domain.
    sub = 1 << (comp_columns - 1).bit_length()
    step = options.blowup // sub
    h0 = coset_intt(np.ascontiguousarray(h[0, ::step]), LDE_OFFSET)
    h1 = coset_intt(np.ascontiguousarray(h[1, ::step]), LDE_OFFSET)
    bound = comp_columns * trace_length
    if refuse_invalid and (np.any(h0[bound:]) or np.any(h1[bound:])):
        raise TraceError("composition polynomial exceeds its degree bound: the trace violates a transition constraint")
    comp_coeffs = np.empty((2 * comp_columns, trace_length), dtype=np.uint64)
    for j in range(comp_columns):
        comp_coeffs[2 * j] = h0[j * trace_length : (j + 1) * trace_length]
        comp_coeffs[2 * j + 1] = h1[j * trace_length : (j + 1) * trace_length]
    # With one column the composition LDE is H's own evaluations.
    comp_lde = h if comp_columns == 1 else lde_from_coeffs_rows(comp_coeffs, options.blowup, LDE_OFFSET)
    comp_leaves = coset_leaves(comp_lde, f0)
    comp_tree = MerkleTree(comp_leaves)
    transcript.absorb(comp_tree.root)
    z = transcript.draw_ext()
    zg = z * g

    trace_z = eval_columns_at(trace_coeffs, z)
    trace_zg = eval_columns_at(trace_coeffs, zg)
    halves = eval_columns_at(comp_coeffs, z)
    comp_z = [halves[2 * j] + halves[2 * j + 1] * Ext(0, 1) for j in range(comp_columns)]
    transcript.absorb(b"".join(e.to_bytes() for e in trace_z + trace_zg + comp_z))
    gamma = transcript.draw_ext()

    evals = deep_on_lde(full_lde, comp_lde, domain, z, zg, trace_z, trace_zg, comp_z, gamma)

    folds = options.num_fri_folds(log_t)
    offset = LDE_OFFSET
    beta = transcript.draw_ext()
    fri_trees: list[tuple[MerkleTree, np.ndarray]] = []
    for r in range(folds):
        evals, offset = fold_layer(evals, offset, options.log_first_folding if r == 0 else options.log_folding, beta)
        if r < folds - 1:
            leaves = coset_leaves(evals, f)
            tree = MerkleTree(leaves)
            fri_trees.append((tree, leaves))
            transcript.absorb(tree.root)
            beta = transcript.draw_ext()
    final_poly = final_polynomial(evals, offset, options.final_poly_size(log_t), strict=refuse_invalid)
    transcript.absorb(b"".join(e.to_bytes() for e in final_poly))

    nonce = grind(transcript.state, options.grinding_bits)
    transcript.absorb_pow(nonce)
    queries = [transcript.draw_index(n // f0) for _ in range(options.num_queries)]

    first = layer_indices(queries, n // f0)
    fri_openings = []
    layer_size = n // f0
    for tree, leaves in fri_trees:
        layer_size //= f
        fri_openings.append(_open(tree, leaves, layer_indices(queries, layer_size)))

    return StarkProof(
        options=options,
        log_trace_length=log_t,
        trace_root=trace_tree.root,
        comp_root=comp_tree.root,
        ood_trace_z=trace_z,
        ood_trace_zg=trace_zg,
        ood_comp=comp_z,
        fri_roots=[tree.root for tree, _ in fri_trees],
        final_poly=final_poly,
        pow_nonce=nonce,
        trace_openings=_open(trace_tree, trace_leaves, first),
        comp_openings=_open(comp_tree, comp_leaves, first),
        fri_openings=fri_openings,
        aux_root=aux_tree.root if aux_tree is not None else None,
        aux_openings=_open(aux_tree, aux_leaves, first) if aux_tree is not None else None,
    )
