"""Registered programs, looked up by name or by program id."""

from __future__ import annotations

from prover.errors import UnknownProgramError
from prover.programs.base import Program
from prover.programs.collatz import Collatz
from prover.programs.fib import Fib
from prover.programs.mimc import Mimc

PROGRAMS: dict[str, Program] = {program.name: program for program in (Fib(), Mimc(), Collatz())}
_BY_ID: dict[bytes, Program] = {program.program_id: program for program in PROGRAMS.values()}


def get_program(name: str) -> Program:
    """The program registered under ``name``."""
    try:
        return PROGRAMS[name]
    except KeyError:
        raise UnknownProgramError(f"unknown program {name!r}; known: {', '.join(sorted(PROGRAMS))}") from None


def program_by_id(program_id: bytes) -> Program:
    """The program whose id is ``program_id`` (32 bytes)."""
    try:
        return _BY_ID[program_id]
    except (KeyError, TypeError):
        shown = program_id.hex() if isinstance(program_id, (bytes, bytearray)) else repr(program_id)
        raise UnknownProgramError(f"unknown program id 0x{shown}") from None


__all__ = ["PROGRAMS", "Program", "get_program", "program_by_id"]
