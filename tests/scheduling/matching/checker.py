"""Independent checker: recomputes feasibility and cost of any matching or GAP answer from scratch.

It reads only the problem's plain fields and repeats the rules and cost formulas of FORMAT.md in its own code, so
a solver bug does not hide behind a shared helper.
"""
from __future__ import annotations

import math

PENALTY = 10_000.0


# -- GAP --------------------------------------------------------------------------------------------------
def parse_gap(text: str, problem: int = 1):
    """(costs, weights, capacities) of one problem of a GAP text file (single or multi-problem)."""
    numbers = [int(token) for token in text.split()]
    m, n = numbers[0], numbers[1]
    if len(numbers) == 2 + 2 * m * n + m:
        blocks, pos = 1, 0
    else:
        blocks, pos = numbers[0], 1
    assert 1 <= problem <= blocks
    for k in range(1, blocks + 1):
        m, n = numbers[pos], numbers[pos + 1]
        pos += 2
        costs = [numbers[pos + i * n: pos + (i + 1) * n] for i in range(m)]
        pos += m * n
        weights = [numbers[pos + i * n: pos + (i + 1) * n] for i in range(m)]
        pos += m * n
        capacities = numbers[pos: pos + m]
        pos += m
        if k == problem:
            return costs, weights, capacities
    raise AssertionError("unreachable")


def check_gap(costs, weights, capacities, assignment) -> tuple[bool, int]:
    """(feasible, cost) of an assignment: every job on a real agent, no agent over capacity."""
    m, n = len(capacities), len(costs[0])
    if assignment is None or len(assignment) != n or any(not 0 <= a < m for a in assignment):
        return False, 0
    used = [0] * m
    total = 0
    for job, agent in enumerate(assignment):
        used[agent] += weights[agent][job]
        total += costs[agent][job]
    return all(u <= c for u, c in zip(used, capacities)), total


# -- province matching --------------------------------------------------------------------------------------
def km(a, b) -> float:
    """Haversine distance between two City-like objects."""
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    s = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.atan2(math.sqrt(s), math.sqrt(max(0.0, 1 - s)))


def allowed(problem, project, lawyer, role: str) -> bool:
    """The one-pair rules, written out again."""
    needed = list(project.areas) if role == "primary" else [project.areas[0]]
    share = 1.0 if role == "primary" else problem.backup_share
    return (all(lawyer.areas.get(a, 0) >= 1 for a in needed)
            and set(project.languages) <= set(lawyer.languages)
            and project.id not in lawyer.conflict_projects
            and not set(project.parties) & set(lawyer.conflict_firms)
            and lawyer.max_projects >= 1 and project.hours * share <= lawyer.hours + 1e-9)


def can_be_matched(problem, project) -> bool:
    """Some allowed primary and backup come from different firms."""
    prim = [lw for lw in problem.lawyers if allowed(problem, project, lw, "primary")]
    back = [lw for lw in problem.lawyers if allowed(problem, project, lw, "backup")]
    return any(a.firm != b.firm for a in prim for b in back)


def violations(problem, counsel) -> list[str]:
    """Every broken hard rule of a matching {project id: Counsel}."""
    lawyers = {lw.id: lw for lw in problem.lawyers}
    projects = {p.id: p for p in problem.projects}
    found = []
    hours = dict.fromkeys(lawyers, 0.0)
    count = dict.fromkeys(lawyers, 0)
    for pid, c in counsel.items():
        if pid not in projects:
            found.append(f"unknown project {pid}")
            continue
        project = projects[pid]
        if c.primary not in lawyers or c.backup not in lawyers:
            found.append(f"{pid}: unknown lawyer")
            continue
        if c.primary == c.backup:
            found.append(f"{pid}: same lawyer twice")
        elif lawyers[c.primary].firm == lawyers[c.backup].firm:
            found.append(f"{pid}: same firm")
        for role, lid in (("primary", c.primary), ("backup", c.backup)):
            if not allowed(problem, project, lawyers[lid], role):
                found.append(f"{pid}: {lid} not allowed as {role}")
            hours[lid] += project.hours * (1.0 if role == "primary" else problem.backup_share)
            count[lid] += 1
    for lid, lw in lawyers.items():
        if hours[lid] > lw.hours + 1e-6:
            found.append(f"{lid}: over hours")
        if count[lid] > lw.max_projects:
            found.append(f"{lid}: over project count")
    return found


def cost(problem, counsel) -> float:
    """Total cost: pair terms, balance above the fair share, and the penalty for matchable projects left out."""
    w = problem.weights
    lawyers = {lw.id: lw for lw in problem.lawyers}
    total = 0.0
    load = dict.fromkeys(lawyers, 0.0)
    matchable = [p for p in problem.projects if can_be_matched(problem, p)]
    for project in problem.projects:
        c = counsel.get(project.id)
        if c is None:
            if project in matchable:
                total += PENALTY
            continue
        for role, lid in (("primary", c.primary), ("backup", c.backup)):
            lw = lawyers[lid]
            needed = list(project.areas) if role == "primary" else [project.areas[0]]
            misfit = sum(5 - min(5, lw.areas.get(a, 0)) for a in needed)
            factor = 1.0 if role == "primary" else 0.5
            total += w.travel * km(problem.cities[project.city], problem.cities[lw.city]) / 100 * factor
            total += w.expertise * misfit + w.priority * misfit * max(0, project.priority - 1)
            current = project.current_primary if role == "primary" else project.current_backup
            if current is not None and current != lid:
                total += w.continuity
            load[lid] += project.hours * (1.0 if role == "primary" else problem.backup_share)
    demand = sum(p.hours * (1 + problem.backup_share) for p in matchable)
    supply = sum(lw.hours for lw in problem.lawyers) or 1.0
    ratio = min(1.0, demand / supply)
    total += w.balance * sum(max(0.0, load[lid] - lw.hours * ratio) for lid, lw in lawyers.items())
    return total
