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

SMALL = """# comment
SECTION_HORIZON
7

SECTION_SHIFTS
E,480,
L,600,E

SECTION_STAFF
A,E=7|L=0,2880,960,3,2,2,1
B,E=7|L=7,2880,0,5,1,1,2

SECTION_DAYS_OFF
A,0,6

SECTION_SHIFT_ON_REQUESTS
B,2,L,3

SECTION_SHIFT_OFF_REQUESTS
A,3,E,2

SECTION_COVER
0,E,1,100,1
"""

CURTOIS = Path(__file__).resolve().parents[2] / "data" / "curtois"


@pytest.fixture
def curtois_dir() -> Path:
    """The Curtois instances the tests read (1 and 2), kept in the repository (tests/data/curtois)."""
    return CURTOIS


@pytest.fixture
def small_text() -> str:
    """A small Curtois file: 7 days, two shift types, two people (line numbers matter to the tests)."""
    return SMALL


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


def random_problem(seed: int = 1, staff: int = 12, days: int = 28) -> Problem:
    """A Curtois-like problem too big to prove optimal in a second: two shifts, sequences, requests, cover."""
    import random

    from scheduling.roster.problem import Cover, Request

    rng = random.Random(seed)
    shifts = [ShiftType("D", 480, name="day"), ShiftType("N", 480, not_follow=("D",), name="night")]
    people = [Staff(f"S{i}", max_shifts={"N": 8}, min_minutes=480 * 10, max_minutes=480 * 18, min_consecutive=2,
                    max_consecutive=5, min_days_off=2, max_weekends=2, days_off=frozenset({rng.randrange(days)}))
              for i in range(staff)]
    on = [Request(p.id, rng.randrange(days), rng.choice("DN"), rng.randint(1, 3)) for p in people for _ in range(4)]
    off = [Request(p.id, rng.randrange(days), rng.choice("DN"), rng.randint(1, 3)) for p in people for _ in range(4)]
    covers = [Cover(d, s, rng.randint(2, 4), 100, 1) for d in range(days) for s in "DN"]
    return Problem(days=days, shifts=shifts, staff=people, covers=covers, on_requests=on, off_requests=off)


@pytest.fixture
def medium():
    """Factory for random_problem."""
    return random_problem
