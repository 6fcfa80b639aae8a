"""Rosters from column generation's master: a dive gives a valid roster that costs what the master says, no less
than the bound."""
from __future__ import annotations

import pytest

from scheduling.common import SolverSettings
from scheduling.roster.columns import generate
from scheduling.roster.dive import dive, lp_roster
from scheduling.roster.solve import solve
from tests.scheduling.roster.conftest import roster_checker
from tests.scheduling.roster.test_columns import _enumerating_pricer, _problem


@pytest.mark.parametrize("share", [0.1, 1.0])
@pytest.mark.parametrize("seed", range(6))
def test_a_dive_ends_in_a_valid_roster_costing_its_lp_value_no_less_than_the_bound_and_is_undone(seed, share):
    problem = _problem(seed)
    pricer = _enumerating_pricer(problem)
    result = generate(problem, pricer, 30, exact=True)
    steps = []
    roster = dive(result.master, pricer, 30, share=share, endgame=0, on_step=lambda *step: steps.append(step))
    assert roster_checker.violations(problem, roster) == []
    cost = roster_checker.objective(problem, roster)
    assert steps[-1][0] == 0 and steps[-1][1] == pytest.approx(cost)  # integral: the LP costs the roster
    assert cost >= result.bound - 1e-6
    assert result.master.solve() <= result.lp + 1e-6  # the fixings are undone: column generation may go on


@pytest.mark.parametrize("seed", range(6))
def test_a_dive_s_endgame_by_cp_sat_is_valid_between_the_bound_and_the_dive_without_it(seed):
    problem = _problem(seed)
    pricer = _enumerating_pricer(problem)
    result = generate(problem, pricer, 30, exact=True)
    dived = roster_checker.objective(problem, dive(result.master, pricer, 30, endgame=0))
    roster = dive(result.master, pricer, 30, endgame=len(problem.staff))  # at once, over the pool: no worse
    assert roster_checker.violations(problem, roster) == []
    assert result.bound - 1e-6 <= roster_checker.objective(problem, roster) <= dived


@pytest.mark.parametrize("seed", range(4))
def test_a_dive_without_a_pricer_keeps_to_the_pool(seed):
    problem = _problem(seed)
    start = solve(problem, SolverSettings(2, 1, 0))
    result = generate(problem, _enumerating_pricer(problem), 30, exact=True, start=start.roster, rounds=2)
    pool = set(result.master.pool)
    roster = dive(result.master, None, 10, endgame=0)
    assert roster_checker.violations(problem, roster) == []
    assert all((i, tuple(roster[person.id])) in pool for i, person in enumerate(problem.staff))
    assert set(result.master.pool) == pool


@pytest.mark.parametrize("seed", range(3))
def test_a_roster_from_the_lp_is_valid_and_its_bound_below_the_optimum(seed):
    problem = _problem(seed)
    optimum = solve(problem, SolverSettings(10, 2, 0))
    rounded = lp_roster(problem, 600)  # 600: a cold cache compiles the pricer; these converge in well under 1 s
    assert rounded.converged
    assert roster_checker.violations(problem, rounded.roster) == []
    assert rounded.bound <= optimum.objective + 1e-6 <= roster_checker.objective(problem, rounded.roster) + 1e-6
