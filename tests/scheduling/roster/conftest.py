"""Fixtures for the roster tests: the independent checker, a tiny-problem factory and a solve-and-check helper."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from scheduling.common import SolverSettings
from scheduling.roster.problem import Problem, ShiftType, Staff
from scheduling.roster.solve import solve

_spec = importlib.util.spec_from_file_location("roster_checker", Path(__file__).with_name("checker.py"))
roster_checker = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(roster_checker)

CURTOIS = Path(__file__).resolve().parents[4] / "shared" / "bench" / "curtois"


@pytest.fixture
def checker():
    """The independent checker module."""
    return roster_checker


def tiny(days: int = 5, staff=("A",), shifts=None, **fields) -> Problem:
    """A small problem: one 8-hour day shift 'D' and unlimited staff unless told otherwise."""
    shifts = shifts or [ShiftType("D", 480, name="day")]
    people = [s if isinstance(s, Staff) else Staff(s) for s in staff]
    return Problem(days=days, shifts=list(shifts), staff=people, **fields)


@pytest.fixture
def make():
    """Factory for tiny problems."""
    return tiny


@pytest.fixture
def solved():
    """Solve a problem, check it with the independent checker (and by brute force when tiny), return the result."""

    def run(problem: Problem, time_limit: float = 5.0, brute: bool = True, workers: int = 2, seed: int = 0):
        result = solve(problem, SolverSettings(time_limit, workers, seed))
        assert result.roster is not None, result.status
        assert roster_checker.violations(problem, result.roster) == []
        assert result.objective == roster_checker.objective(problem, result.roster)
        if brute:
            best, _ = roster_checker.brute_force(problem)
            assert result.objective == best
            assert result.status == "OPTIMAL"
        return result

    return run
