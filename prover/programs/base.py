"""The program interface: an AIR plus the code that executes it and builds its trace.

A program is identified by its **program id**, the keccak256 of a canonical
description of its AIR (name, version, width, constraint degrees, periodic
columns and parameters), in the manner of a zkVM image id.  Changing the
constraints of a program must bump its ``version`` so its id changes.
"""

from __future__ import annotations

import json
from abc import abstractmethod
from functools import cached_property
from typing import Sequence

import numpy as np

from prover.air.air import Air
from prover.crypto.keccak import keccak256
from prover.errors import InvalidInputError
from prover.math.goldilocks import P

#: Largest trace any program may ask for (rows).
MAX_LOG_TRACE_LENGTH = 22
#: Smallest trace the STARK accepts (rows).
MIN_LOG_TRACE_LENGTH = 3


def next_power_of_two(value: int) -> int:
    """Smallest power of two that is >= value (and >= 1)."""
    return 1 << max(0, (value - 1).bit_length())


class Program(Air):
    """A registered program: constraints, execution and trace generation."""

    #: Short registry name, e.g. ``"fib"``.
    name: str
    #: Bumped whenever the AIR changes.
    version: int = 1
    #: Number of public input and output field elements.
    num_inputs: int
    num_outputs: int
    #: One-line description shown by the CLI.
    description: str = ""

    def parameters(self) -> dict:
        """Program parameters that are part of its identity."""
        return {}

    def definition(self) -> bytes:
        """Canonical bytes describing the AIR; hashed into the program id."""
        body = {
            "name": self.name,
            "version": self.version,
            "width": self.width,
            "inputs": self.num_inputs,
            "outputs": self.num_outputs,
            "transition_degrees": [[d.base, list(d.cycles)] for d in self.transition_degrees()],
            "periodic_columns": self.periodic_columns(),
            "parameters": self.parameters(),
        }
        return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()

    @cached_property
    def program_id(self) -> bytes:
        """keccak256 of :meth:`definition`: 32 bytes."""
        return keccak256(self.definition())

    def validate_inputs(self, inputs: Sequence[int]) -> tuple[int, ...]:
        """Check count and range of the inputs; raise InvalidInputError with a reason."""
        if len(inputs) != self.num_inputs:
            raise InvalidInputError(f"{self.name} takes {self.num_inputs} input(s), got {len(inputs)}")
        values = []
        for value in inputs:
            if isinstance(value, bool) or not isinstance(value, int):
                raise InvalidInputError(f"{self.name} inputs must be integers, got {value!r}")
            if not 0 <= value < P:
                raise InvalidInputError(f"{self.name} input {value} is not a field element")
            values.append(value)
        self.check_inputs(tuple(values))
        return tuple(values)

    def check_inputs(self, inputs: tuple[int, ...]) -> None:
        """Program-specific input bounds; raise InvalidInputError."""

    @abstractmethod
    def execute(self, inputs: Sequence[int]) -> tuple[int, ...]:
        """Run the program natively and return its outputs."""

    @abstractmethod
    def trace_length(self, inputs: Sequence[int], outputs: Sequence[int]) -> int:
        """Fewest trace rows (a power of two >= 8) this execution needs.

        A proof may use any longer power-of-two trace: the extra rows continue
        the computation or repeat a final state, and the assertions still hold.
        """

    @abstractmethod
    def generate_trace(self, inputs: Sequence[int], length: int | None = None) -> np.ndarray:
        """Execution trace, uint64 of shape (width, length); ``length`` defaults to the minimum."""

    def trace_rows(self, inputs: Sequence[int]) -> int:
        """Trace rows needed for ``inputs`` (executes the program)."""
        return self.trace_length(inputs, self.execute(inputs))
