"""Re-matching keeps every assignment that need not change and lists the changes."""
from __future__ import annotations

from dataclasses import replace

from scheduling.matching.demo import province_instance
from scheduling.matching.rematch import rematch, with_current
from scheduling.matching.solve import match


def small_province():
    return province_instance(seed=3, projects=60, lawyers=24, firms=8)


def test_after_one_lawyer_leaves_only_their_projects_change(build, checker):
    problem = small_province()
    first = match(problem, build.settings)
    load = {}
    for c in first.counsel.values():
        for lid in (c.primary, c.backup):
            load[lid] = load.get(lid, 0) + 1
    leaving = max(load, key=load.get)
    after = replace(problem, lawyers=tuple(lw for lw in problem.lawyers if lw.id != leaving))
    second = rematch(after, first.counsel, build.settings)
    assert checker.violations(after, second.counsel) == []
    # the re-match prices continuity against the previous counsel
    assert abs(checker.cost(with_current(after, first.counsel), second.counsel) - second.objective) < 1e-6
    touched = {(pid, role) for pid, c in first.counsel.items()
               for role in ("primary", "backup") if getattr(c, role) == leaving}
    changed = {(ch.project, ch.role) for ch in second.changes}
    assert changed == touched
    assert all(ch.before == leaving and ch.after not in (None, leaving) for ch in second.changes)
    assert set(second.counsel) == set(first.counsel)


def test_added_projects_change_nothing_else(build, checker):
    problem = small_province()
    first = match(problem, build.settings)
    extra = [build.project(f"new{i}", city="dalian", areas=("company",)) for i in range(3)]
    grown = replace(problem, projects=problem.projects + tuple(extra))
    second = rematch(grown, first.counsel, build.settings)
    assert checker.violations(grown, second.counsel) == []
    assert {ch.project for ch in second.changes} <= {p.id for p in extra}
    assert all(ch.before is None for ch in second.changes)
