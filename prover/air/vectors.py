"""Evaluation vectors over the Goldilocks field for prover-side constraint evaluation.

``FieldVector`` lets an AIR's constraint code (``a * b + 3``) run over every
point of the low-degree-extension domain at once, each operation being one
numba kernel call over a numpy array.  A vector may be shorter than the
domain when its values repeat (a periodic column over the LDE coset repeats
every cycle x blowup points): operations with a full-length vector index it
modulo its length instead of tiling it out, which saves a domain-sized array
per periodic column.
"""

from __future__ import annotations

import numpy as np

from prover.math import goldilocks as gl


def _as_scalar(value: int) -> np.uint64:
    return np.uint64(value % gl.P)


class FieldVector:
    """A vector of base-field elements with field arithmetic operators."""

    __slots__ = ("values",)

    def __init__(self, values: np.ndarray) -> None:
        self.values = values

    def __add__(self, other: "FieldVector | int") -> "FieldVector":
        if isinstance(other, FieldVector):
            a, b = self.values, other.values
            if a.shape[0] == b.shape[0]:
                return FieldVector(gl.add_vec(a, b))
            return FieldVector(gl.add_tiled(a, b) if a.shape[0] > b.shape[0] else gl.add_tiled(b, a))
        return FieldVector(gl.add_scalar_vec(self.values, _as_scalar(other)))

    __radd__ = __add__

    def __sub__(self, other: "FieldVector | int") -> "FieldVector":
        if isinstance(other, FieldVector):
            a, b = self.values, other.values
            if a.shape[0] == b.shape[0]:
                return FieldVector(gl.sub_vec(a, b))
            return FieldVector(gl.sub_tiled(a, b, False) if a.shape[0] > b.shape[0] else gl.sub_tiled(b, a, True))
        return FieldVector(gl.add_scalar_vec(self.values, _as_scalar(-other)))

    def __rsub__(self, other: int) -> "FieldVector":
        return FieldVector(gl.add_scalar_vec(gl.neg_vec(self.values), _as_scalar(other)))

    def __mul__(self, other: "FieldVector | int") -> "FieldVector":
        if isinstance(other, FieldVector):
            a, b = self.values, other.values
            if a.shape[0] == b.shape[0]:
                return FieldVector(gl.mul_vec(a, b))
            return FieldVector(gl.mul_tiled(a, b) if a.shape[0] > b.shape[0] else gl.mul_tiled(b, a))
        return FieldVector(gl.scale_vec(self.values, _as_scalar(other)))

    __rmul__ = __mul__

    def __neg__(self) -> "FieldVector":
        return FieldVector(gl.neg_vec(self.values))

    def full(self, n: int) -> np.ndarray:
        """The values over all ``n`` points (a repeating vector tiled out)."""
        v = self.values
        return v if v.shape[0] == n else np.tile(v, n // v.shape[0])

    def __pow__(self, exponent: int) -> "FieldVector":
        result = self
        for _ in range(exponent - 1):
            result = result * self
        return result
