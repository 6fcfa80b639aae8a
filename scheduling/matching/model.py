"""The province matching model: hard rules, cost terms, candidate pruning and the CP-SAT model.

Rules that concern one project and one lawyer are filters (a pair that breaks one is never a candidate); rules
that tie several choices together are CP-SAT constraints. Each rule is one named function.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from ortools.sat.python import cp_model

from scheduling.matching.problem import MAX_LEVEL, Id, Lawyer, MatchingProblem, Project, distance_km

COST_SCALE = 1000  # CP-SAT works in thousandths of a cost unit
HOUR_SCALE = 100  # and in hundredths of an hour
UNMATCHED_PENALTY = 10_000.0  # cost of leaving a matchable project without counsel (only when room runs out)
ROLES = ("primary", "backup")


# -- hard rules on one project and one lawyer (filters) ---------------------------------------------------
def covers_all_areas(lawyer: Lawyer, project: Project) -> bool:
    """The primary knows every legal area the project needs."""
    return all(lawyer.level(area) > 0 for area in project.areas)


def covers_main_area(lawyer: Lawyer, project: Project) -> bool:
    """The backup knows at least the project's main legal area."""
    return lawyer.level(project.main_area) > 0


def speaks_languages(lawyer: Lawyer, project: Project) -> bool:
    """Both lawyers speak every language the project's investors require."""
    return all(language in lawyer.languages for language in project.languages)


def has_no_conflict(lawyer: Lawyer, project: Project) -> bool:
    """A lawyer never serves a project, or a project involving a firm, they have a conflict of interest with."""
    return project.id not in lawyer.conflict_projects and not (set(project.parties) & set(lawyer.conflict_firms))


def fits_alone(lawyer: Lawyer, project: Project, share: float) -> bool:
    """The role's monthly hours fit in the lawyer's hours at all, and the lawyer takes projects at all."""
    return lawyer.max_projects >= 1 and project.hours * share <= lawyer.hours + 1e-9


def eligible(problem: MatchingProblem, project: Project, lawyer: Lawyer, role: str) -> bool:
    """All one-pair hard rules for a role."""
    return _eligible_apart_from_conflicts(problem, project, lawyer, role) and has_no_conflict(lawyer, project)


def role_hours(problem: MatchingProblem, project: Project, role: str) -> float:
    """Monthly hours a role takes: the project's hours for the primary, a share of them for the backup."""
    return project.hours if role == "primary" else project.hours * problem.backup_share


def role_units(problem: MatchingProblem, project: Project, role: str) -> int:
    """A role's hours in model units (hundredths, rounded up so the model never under-counts)."""
    return math.ceil(role_hours(problem, project, role) * HOUR_SCALE - 1e-6)


def capacity_units(lawyer: Lawyer) -> int:
    """A lawyer's available hours in model units (rounded down)."""
    return math.floor(lawyer.hours * HOUR_SCALE + 1e-6)


# -- cost terms ----------------------------------------------------------------------------------------
def pair_terms(problem: MatchingProblem, project: Project, lawyer: Lawyer, role: str) -> dict[str, float]:
    """Named cost terms of giving a project this lawyer in this role."""
    w = problem.weights
    km = distance_km(problem.cities[project.city], problem.cities[lawyer.city])
    areas = project.areas if role == "primary" else project.areas[:1]
    misfit = sum(MAX_LEVEL - min(MAX_LEVEL, lawyer.level(a)) for a in areas)
    current = project.current_primary if role == "primary" else project.current_backup
    return {
        "travel": w.travel * km / 100.0 * (1.0 if role == "primary" else 0.5),
        "expertise": w.expertise * misfit,
        "priority": w.priority * misfit * max(0, project.priority - 1),
        "continuity": w.continuity if current is not None and current != lawyer.id else 0.0,
    }


def pair_cost(problem: MatchingProblem, project: Project, lawyer: Lawyer, role: str) -> float:
    """Total cost of one (project, lawyer, role) choice."""
    return sum(pair_terms(problem, project, lawyer, role).values())


def fair_shares(problem: MatchingProblem, projects: list[Project]) -> dict[Id, float]:
    """Each lawyer's fair share of the hours: their available hours times the team's overall load ratio."""
    demand = sum(p.hours * (1.0 + problem.backup_share) for p in projects)
    supply = sum(lawyer.hours for lawyer in problem.lawyers) or 1.0
    ratio = min(1.0, demand / supply)
    return {lawyer.id: lawyer.hours * ratio for lawyer in problem.lawyers}


# -- candidates ---------------------------------------------------------------------------------------
@dataclass
class Candidates:
    """Eligible lawyers (index, cost) per project index and role; pruned lists are what the model uses."""

    eligible: dict[tuple[int, str], list[tuple[int, float]]] = field(default_factory=dict)
    pruned: dict[tuple[int, str], list[tuple[int, float]]] = field(default_factory=dict)


def find_candidates(problem: MatchingProblem, projects: list[int]) -> Candidates:
    """Every eligible lawyer per project and role, with its cost (same sum as pair_terms), cheapest first.

    The same verdicts as ``eligible`` pair by pair, but the rules on areas, languages and hours are asked once per
    kind of project and conflicts are looked up: pair by pair took 4-10 s of the 30 on the province instance."""
    found = Candidates()
    w = problem.weights
    km: dict[tuple, float] = {}
    allowed: dict[tuple, list[int]] = {}
    misfits: dict[tuple, list[int]] = {}
    barred = _conflicted_lawyers(problem)
    for p in projects:
        project = problem.projects[p]
        city = problem.cities[project.city]
        conflicted = barred(project)
        for role in ROLES:
            areas = project.areas if role == "primary" else project.areas[:1]
            current = project.current_primary if role == "primary" else project.current_backup
            travel = w.travel / 100.0 * (1.0 if role == "primary" else 0.5)
            fit = w.expertise + w.priority * max(0, project.priority - 1)
            kind = (role, project.areas, project.languages, project.hours)
            if kind not in allowed:
                allowed[kind] = [l for l, lawyer in enumerate(problem.lawyers)
                                 if _eligible_apart_from_conflicts(problem, project, lawyer, role)]
            if areas not in misfits:
                misfits[areas] = [sum(MAX_LEVEL - min(MAX_LEVEL, lawyer.level(a)) for a in areas)
                                  for lawyer in problem.lawyers]
            pairs = []
            for l in allowed[kind]:
                if l in conflicted:
                    continue
                lawyer = problem.lawyers[l]
                key = (project.city, lawyer.city)
                if key not in km:
                    km[key] = distance_km(city, problem.cities[lawyer.city])
                cost = travel * km[key] + fit * misfits[areas][l]
                if current is not None and current != lawyer.id:
                    cost += w.continuity
                pairs.append((l, cost))
            pairs.sort(key=lambda pair: pair[1])
            found.eligible[p, role] = pairs
    return found


def _eligible_apart_from_conflicts(problem: MatchingProblem, project: Project, lawyer: Lawyer, role: str) -> bool:
    """The one-pair rules that depend only on the project's areas, languages and hours (not on who it is)."""
    if role == "primary":
        covers, share = covers_all_areas(lawyer, project), 1.0
    else:
        covers, share = covers_main_area(lawyer, project), problem.backup_share
    return covers and speaks_languages(lawyer, project) and fits_alone(lawyer, project, share)


def _conflicted_lawyers(problem: MatchingProblem):
    """A function giving the lawyers (indices) that has_no_conflict rules out for a project."""
    by_project: dict = {}
    by_party: dict = {}
    for l, lawyer in enumerate(problem.lawyers):
        for pid in lawyer.conflict_projects:
            by_project.setdefault(pid, set()).add(l)
        for party in lawyer.conflict_firms:
            by_party.setdefault(party, set()).add(l)

    def conflicted(project: Project) -> set[int]:
        found = set(by_project.get(project.id, ()))
        for party in project.parties:
            found |= by_party.get(party, set())
        return found

    return conflicted


def prune(problem: MatchingProblem, found: Candidates, keep: dict[tuple[int, str], set[int]]) -> None:
    """Keep the cheapest few per project and role, each firm at most twice, plus the lawyers in `keep`."""
    for key, pairs in found.eligible.items():
        chosen, per_firm = [], {}
        must = keep.get(key, set())
        for l, cost in pairs:
            firm = problem.lawyers[l].firm
            if l in must or (len(chosen) < problem.candidates and per_firm.get(firm, 0) < 2):
                chosen.append((l, cost))
                per_firm[firm] = per_firm.get(firm, 0) + 1
        found.pruned[key] = chosen


# -- the CP-SAT model ---------------------------------------------------------------------------------
@dataclass
class BuiltModel:
    """The CP-SAT model with its variables keyed by (project index, lawyer index) per role."""

    model: cp_model.CpModel
    x: dict[tuple[int, int], cp_model.IntVar]
    y: dict[tuple[int, int], cp_model.IntVar]
    unmatched: dict[int, cp_model.IntVar]
    over: dict[int, cp_model.IntVar]
    base: Base


@dataclass
class Base:
    """Load already on each lawyer (model hour units, places) from projects that stay out of the model."""

    units: list[int]
    places: list[int]
    fair: dict[Id, float]


def build_model(problem: MatchingProblem, projects: list[int], found: Candidates,
                base: Base | None = None) -> BuiltModel:
    """Variables, hard rules and the objective over the pruned candidates of these projects."""
    if base is None:
        zeros = [0] * len(problem.lawyers)
        base = Base(zeros, zeros, fair_shares(problem, [problem.projects[p] for p in projects]))
    model = cp_model.CpModel()
    x = {(p, l): model.new_bool_var(f"primary_{problem.projects[p].id}_{problem.lawyers[l].id}")
         for p in projects for l, _ in found.pruned[p, "primary"]}
    y = {(p, l): model.new_bool_var(f"backup_{problem.projects[p].id}_{problem.lawyers[l].id}")
         for p in projects for l, _ in found.pruned[p, "backup"]}
    unmatched = {p: model.new_bool_var(f"unmatched_{problem.projects[p].id}") for p in projects}
    built = BuiltModel(model, x, y, unmatched, {}, base)
    add_one_primary_one_backup(built, projects)
    add_different_firms(problem, built, projects)
    add_hours_limit(problem, built)
    add_project_limit(problem, built)
    terms = cost_terms(problem, found, built) + balance_terms(problem, built)
    terms += [(var, round(UNMATCHED_PENALTY * COST_SCALE)) for var in unmatched.values()]
    model.minimize(cp_model.LinearExpr.weighted_sum([v for v, _ in terms], [c for _, c in terms]))
    return built


def _by_lawyer(pairs: dict[tuple[int, int], cp_model.IntVar]) -> dict[int, list[tuple[int, cp_model.IntVar]]]:
    grouped: dict[int, list] = {}
    for (p, l), var in pairs.items():
        grouped.setdefault(l, []).append((p, var))
    return grouped


def add_one_primary_one_backup(built: BuiltModel, projects: list[int]) -> None:
    """Every project gets exactly one primary and one backup (or, when room runs out, neither)."""
    primaries, backups = {p: [] for p in projects}, {p: [] for p in projects}
    for (p, _), var in built.x.items():
        primaries[p].append(var)
    for (p, _), var in built.y.items():
        backups[p].append(var)
    for p in projects:
        built.model.add_exactly_one(primaries[p] + [built.unmatched[p]])
        built.model.add_exactly_one(backups[p] + [built.unmatched[p]])


def add_different_firms(problem: MatchingProblem, built: BuiltModel, projects: list[int]) -> None:
    """Primary and backup are two different lawyers from two different law firms."""
    per_firm: dict[tuple[int, Id], list] = {}
    for pairs in (built.x, built.y):
        for (p, l), var in pairs.items():
            per_firm.setdefault((p, problem.lawyers[l].firm), []).append(var)
    for group in per_firm.values():
        if len(group) > 1:
            built.model.add_at_most_one(group)


def add_hours_limit(problem: MatchingProblem, built: BuiltModel) -> None:
    """No lawyer works more monthly hours than they have available."""
    for l, load in hour_loads(problem, built).items():
        built.model.add(load <= capacity_units(problem.lawyers[l]) - built.base.units[l])


def add_project_limit(problem: MatchingProblem, built: BuiltModel) -> None:
    """No lawyer serves more projects (as primary or backup) than their maximum."""
    grouped = _by_lawyer(built.x)
    for l, pairs in _by_lawyer(built.y).items():
        grouped.setdefault(l, []).extend(pairs)
    for l, pairs in grouped.items():
        room = problem.lawyers[l].max_projects - built.base.places[l]
        if len(pairs) > room:
            built.model.add(sum(var for _, var in pairs) <= room)


def hour_loads(problem: MatchingProblem, built: BuiltModel) -> dict[int, cp_model.LinearExpr]:
    """Each lawyer's monthly hours in model units as a linear expression."""
    loads: dict[int, tuple[list, list]] = {}
    for pairs, role in ((built.x, "primary"), (built.y, "backup")):
        for (p, l), var in pairs.items():
            hours = role_units(problem, problem.projects[p], role)
            loads.setdefault(l, ([], []))
            loads[l][0].append(var)
            loads[l][1].append(hours)
    return {l: cp_model.LinearExpr.weighted_sum(v, c) for l, (v, c) in loads.items()}


def cost_terms(problem: MatchingProblem, found: Candidates, built: BuiltModel) -> list[tuple]:
    """Travel, expertise, priority and continuity of every candidate choice, as (variable, coefficient)."""
    terms = []
    for pairs, role in ((built.x, "primary"), (built.y, "backup")):
        costs = {(p, l): cost for (p, r), cands in found.pruned.items() if r == role for l, cost in cands}
        terms += [(var, round(costs[key] * COST_SCALE)) for key, var in pairs.items()]
    return terms


def balance_terms(problem: MatchingProblem, built: BuiltModel) -> list[tuple]:
    """Workload balance: every hour a lawyer works above their fair share costs the balance weight."""
    weight = round(problem.weights.balance * COST_SCALE / HOUR_SCALE)
    if weight <= 0:
        return []
    fair = built.base.fair
    terms = []
    for l, load in hour_loads(problem, built).items():
        lawyer = problem.lawyers[l]
        over = built.model.new_int_var(0, capacity_units(lawyer), f"over_{lawyer.id}")
        built.model.add(over >= load + built.base.units[l] - math.floor(fair[lawyer.id] * HOUR_SCALE))
        built.over[l] = over
        terms.append((over, weight))
    return terms
