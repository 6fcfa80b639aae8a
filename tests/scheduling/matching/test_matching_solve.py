"""The province solver on a small synthetic instance: feasible, costed right, bounded, beats greedy, reports."""
from __future__ import annotations

import math

import pytest

from scheduling.common import CancelToken, SolverSettings
from scheduling.matching.demo import province_instance
from scheduling.matching.evaluate import broken_rules
from scheduling.matching.jsonio import result_dict
from scheduling.matching.model import eligible, find_candidates, pair_cost
from scheduling.matching.solve import match


def test_small_province_is_feasible_bounded_and_beats_greedy(build, checker):
    problem = province_instance(seed=1, projects=120, lawyers=30, firms=10)
    seen = []
    result = match(problem, SolverSettings(time_limit=8, workers=2), on_progress=seen.append)
    assert checker.violations(problem, result.counsel) == []
    assert broken_rules(problem, result.counsel) == []
    assert abs(checker.cost(problem, result.counsel) - result.objective) < 1e-6
    assert result.bound is not None and result.bound <= result.objective + 1e-6
    assert result.greedy_objective >= result.objective
    assert seen and all(not math.isnan(p.objective) for p in seen)
    assert sum(result.breakdown.values()) == result.objective
    assert set(result_dict(result)) >= {"status", "objective", "bound", "wall_s", "matching", "unmatched"}


def test_large_province_anneals_to_a_rule_abiding_bounded_matching(build, checker):
    problem = province_instance(seed=2, projects=200, lawyers=30, firms=10)
    seen = []
    result = match(problem, SolverSettings(time_limit=4, workers=2), on_progress=seen.append)
    assert result.extra["anneal_moves"] > 0
    assert checker.violations(problem, result.counsel) == []
    assert abs(checker.cost(problem, result.counsel) - result.objective) < 1e-6
    assert result.bound is not None and result.bound <= result.objective + 1e-6
    assert result.objective < result.greedy_objective
    assert len(seen) >= 2 and seen[-1].objective == pytest.approx(result.objective, abs=1e-6)


def test_candidate_costs_match_the_named_terms(build):
    problem = province_instance(seed=2, projects=10, lawyers=12, firms=5)
    found = find_candidates(problem, list(range(10)))
    for (p, role), pairs in found.eligible.items():
        for l, cost in pairs:
            assert abs(cost - pair_cost(problem, problem.projects[p], problem.lawyers[l], role)) < 1e-9


def test_candidates_are_exactly_the_pairs_the_rules_allow():
    problem = province_instance(seed=3, projects=60, lawyers=40, firms=8)
    found = find_candidates(problem, list(range(60)))
    assert any(lw.conflict_projects or lw.conflict_firms for lw in problem.lawyers)
    for p, project in enumerate(problem.projects):
        for role in ("primary", "backup"):
            allowed = [l for l, lw in enumerate(problem.lawyers) if eligible(problem, project, lw, role)]
            assert sorted(l for l, _ in found.eligible[p, role]) == allowed


def test_cancel_returns_a_feasible_answer_quickly(build, checker):
    problem = province_instance(seed=1, projects=400, lawyers=40, firms=12)
    token = CancelToken()
    token.cancel()
    result = match(problem, SolverSettings(time_limit=30, workers=2), cancel=token)
    assert result.wall_s < 15
    assert checker.violations(problem, result.counsel) == []
    assert result.status in ("FEASIBLE", "OPTIMAL")
