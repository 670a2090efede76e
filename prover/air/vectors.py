"""Evaluation vectors over the Goldilocks field for prover-side constraint evaluation.

``FieldVector`` lets an AIR's constraint code (``a * b + 3``) run over every
point of the low-degree-extension domain at once, each operation being one
numba kernel call over a numpy array.
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
            return FieldVector(gl.add_vec(self.values, other.values))
        return FieldVector(gl.add_scalar_vec(self.values, _as_scalar(other)))

    __radd__ = __add__

    def __sub__(self, other: "FieldVector | int") -> "FieldVector":
        if isinstance(other, FieldVector):
            return FieldVector(gl.sub_vec(self.values, other.values))
        return FieldVector(gl.add_scalar_vec(self.values, _as_scalar(-other)))

    def __rsub__(self, other: int) -> "FieldVector":
        return FieldVector(gl.add_scalar_vec(gl.neg_vec(self.values), _as_scalar(other)))

    def __mul__(self, other: "FieldVector | int") -> "FieldVector":
        if isinstance(other, FieldVector):
            return FieldVector(gl.mul_vec(self.values, other.values))
        return FieldVector(gl.scale_vec(self.values, _as_scalar(other)))

    __rmul__ = __mul__

    def __neg__(self) -> "FieldVector":
        return FieldVector(gl.neg_vec(self.values))

    def __pow__(self, exponent: int) -> "FieldVector":
        result = self
        for _ in range(exponent - 1):
            result = result * self
        return result
