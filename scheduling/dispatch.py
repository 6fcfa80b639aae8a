"""Dispatch of disputes to people's mediation committees.

Each dispute goes to at most one committee that may take it: the committee's jurisdiction holds the dispute's place
(or one of the units above it), it handles the dispute's type, it is a senior committee when the risk is red or
orange, it speaks the parties' language, it is not excluded for this dispute, and it has room left.

The objective is lexicographic:
  1. serve the highest risk first: as many red disputes as possible, then orange, yellow and blue;
  2. then the lowest capable level (矛盾不上交: a village committee before the township's, the township's before the
     county's key-and-difficult committee);
  3. then the shortest distance from the dispute's place to the committee;
  4. then an even load: the sum over committees of load² / capacity.

It is solved exactly as a sequence of linear programs over one bipartite flow model (HiGHS simplex). The constraint
matrix is totally unimodular, so every vertex solution is whole. After each stage the optimal face is kept by
complementary slackness: a column with a non-zero reduced cost is fixed at its bound and a constraint with a non-zero
dual is made tight; the next stage optimises its own costs inside that face, so no later stage can give back any of an
earlier stage's optimum. Stage 1 alone needs only weights that order the risks (4, 3, 2, 1): the disputes that can be
served together form a transversal matroid, whose maximum-weight bases are exactly the lexicographically best ones.
"""
from __future__ import annotations

import math
import os
import sys
import time
from dataclasses import dataclass, field

import numpy as np

from scheduling.common import Words

RISKS = ("red", "orange", "yellow", "blue")
RISK_WEIGHT = {"red": 4.0, "orange": 3.0, "yellow": 2.0, "blue": 1.0}
SENIOR_RISKS = frozenset({"red", "orange"})
_TOLERANCE = 1e-7


class InvalidProblem(ValueError):
    """The problem is inconsistent; `section` and `item` name where (for the command line's line numbers)."""

    def __init__(self, section: str, item: str, message: str):
        super().__init__(message)
        self.section = section
        self.item = item


@dataclass(frozen=True)
class Committee:
    """A mediation committee: its level (0 village or community, 1 township, 2 county, ...), the org units it
    serves, the dispute types it takes (empty: all), its languages, whether it is senior, and its room left."""

    id: str
    level: int
    units: frozenset[str]
    capacity: int
    types: frozenset[str] = frozenset()
    languages: frozenset[str] = frozenset({"zh"})
    senior: bool = False
    lat: float = 0.0
    lon: float = 0.0


@dataclass(frozen=True)
class Dispute:
    """A dispute to dispatch: its risk, type, language, the org units it lies in (its place and every unit above
    it), where it is, and committees that may not take it (a party sits on it, say)."""

    id: str
    risk: str
    type: str
    units: frozenset[str]
    language: str = "zh"
    lat: float = 0.0
    lon: float = 0.0
    excluded: frozenset[str] = frozenset()


@dataclass(frozen=True)
class DispatchProblem:
    committees: tuple[Committee, ...]
    disputes: tuple[Dispute, ...]


@dataclass
class DispatchResult:
    """The plan: dispute id → committee id, the unassigned with their reasons, and the figures of each stage."""

    status: str
    assignment: dict[str, str]
    unassigned: dict[str, Words]
    served_by_risk: dict[str, int]
    level_total: int
    distance_km: int
    balance: float
    load: dict[str, int]
    wall_s: float
    stages: list[dict] = field(default_factory=list)

    @property
    def objective(self) -> tuple:
        """The lexicographic objective, smaller is better."""
        return (*(-self.served_by_risk[r] for r in RISKS), self.level_total, self.distance_km,
                round(self.balance, 6))


def validate(problem: DispatchProblem) -> None:
    """Refuse duplicate ids, unknown risks, negative capacities or levels, and places outside the globe."""
    seen: set[str] = set()
    for committee in problem.committees:
        if committee.id in seen:
            raise InvalidProblem("committees", committee.id, f"committee {committee.id!r} appears twice")
        seen.add(committee.id)
        if committee.capacity < 0:
            raise InvalidProblem("committees", committee.id, f"committee {committee.id!r}: capacity below zero")
        if committee.level < 0:
            raise InvalidProblem("committees", committee.id, f"committee {committee.id!r}: level below zero")
        _check_place("committees", committee.id, committee.lat, committee.lon)
    seen = set()
    for dispute in problem.disputes:
        if dispute.id in seen:
            raise InvalidProblem("disputes", dispute.id, f"dispute {dispute.id!r} appears twice")
        seen.add(dispute.id)
        if dispute.risk not in RISK_WEIGHT:
            raise InvalidProblem("disputes", dispute.id,
                                 f"dispute {dispute.id!r}: risk {dispute.risk!r} is not one of {', '.join(RISKS)}")
        if not dispute.units:
            raise InvalidProblem("disputes", dispute.id, f"dispute {dispute.id!r} lies in no org unit")
        _check_place("disputes", dispute.id, dispute.lat, dispute.lon)


def _check_place(section: str, ident: str, lat: float, lon: float) -> None:
    if not (math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180):
        raise InvalidProblem(section, ident, f"{section[:-1]} {ident!r}: lat/lon {lat}, {lon} is not a place")


def distance_km(lat1, lon1, lat2, lon2):
    """Great-circle distance in whole kilometres (numpy arrays or numbers)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(lon2) - np.radians(lon1)
    a = np.sin(dp / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2) ** 2
    return np.rint(2 * 6371.0 * np.arcsin(np.sqrt(np.minimum(a, 1.0)))).astype(np.int64)


def _eligible(problem: DispatchProblem):
    """(dispute index, committee index) pairs that may be assigned, and a reason for each dispute with none."""
    by_unit: dict[str, list[int]] = {}
    for j, committee in enumerate(problem.committees):
        for unit in committee.units:
            by_unit.setdefault(unit, []).append(j)
    rows: list[int] = []
    cols: list[int] = []
    reasons: dict[int, Words] = {}
    committees = problem.committees
    for i, dispute in enumerate(problem.disputes):
        candidates = sorted({j for unit in dispute.units for j in by_unit.get(unit, ())})
        if not candidates:
            reasons[i] = Words("No committee's jurisdiction covers the place of this dispute.", "dispatch_no_jurisdiction")
            continue
        typed = [j for j in candidates if not committees[j].types or dispute.type in committees[j].types]
        if not typed:
            reasons[i] = Words(f"No committee covering its place handles disputes of type {dispute.type}.",
                               "dispatch_no_type", type=dispute.type)
            continue
        senior = [j for j in typed if committees[j].senior or dispute.risk not in SENIOR_RISKS]
        if not senior:
            reasons[i] = Words(f"A {dispute.risk} dispute needs a senior committee and none covers its place.",
                               "dispatch_no_senior", risk=dispute.risk)
            continue
        spoken = [j for j in senior if dispute.language in committees[j].languages]
        if not spoken:
            reasons[i] = Words(f"No committee that may take it mediates in {dispute.language}.",
                               "dispatch_no_language", language=dispute.language)
            continue
        allowed = [j for j in spoken if committees[j].id not in dispute.excluded]
        if not allowed:
            reasons[i] = Words("Every committee that may take it is excluded for this dispute.", "dispatch_excluded")
            continue
        roomy = [j for j in allowed if committees[j].capacity > 0]
        if not roomy:
            reasons[i] = Words("Every committee that may take it is full.", "dispatch_full")
            continue
        rows.extend([i] * len(roomy))
        cols.extend(roomy)
    return np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64), reasons


def _quiet_highs():
    """A HiGHS solver that prints nothing: its constructor writes a banner to standard output, which would spoil the
    command line's one JSON object, so the descriptor is pointed at /dev/null while it runs."""
    import highspy

    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "w") as devnull:
            os.dup2(devnull.fileno(), 1)
            solver = highspy.Highs()
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    solver.setOptionValue("output_flag", False)
    return solver


def dispatch(problem: DispatchProblem) -> DispatchResult:
    """Solve the dispatch exactly (see the module's docstring)."""
    import highspy

    started = time.monotonic()
    validate(problem)
    disputes, committees = problem.disputes, problem.committees
    n, m = len(disputes), len(committees)
    pair_d, pair_c, reasons = _eligible(problem)
    p = len(pair_d)
    capacity = np.array([min(c.capacity, n) for c in committees], dtype=np.int64)
    # Load columns: the k-th dispute a committee takes costs (2k - 1) / capacity in the balance stage, so their sum
    # is load² / capacity; the costs rise with k, so the cheapest k columns are always the ones taken.
    load_owner = np.repeat(np.arange(m, dtype=np.int64), capacity)
    load_k = np.concatenate([np.arange(1, k + 1) for k in capacity]) if m and capacity.sum() else np.zeros(0)
    q = len(load_owner)

    # Columns: the p pairs, then the q load units. Rows: n disputes (at most one committee), then m committees
    # (pairs taken minus load units = 0).
    starts = np.empty(p + q + 1, dtype=np.int32)
    starts[: p + 1] = np.arange(0, 2 * p + 1, 2)
    starts[p + 1:] = 2 * p + np.arange(1, q + 1)
    index = np.empty(2 * p + q, dtype=np.int32)
    index[0: 2 * p: 2] = pair_d
    index[1: 2 * p: 2] = n + pair_c
    index[2 * p:] = n + load_owner
    value = np.ones(2 * p + q)
    value[2 * p:] = -1.0

    lp = highspy.HighsLp()
    lp.num_col_ = p + q
    lp.num_row_ = n + m
    lp.col_lower_ = np.zeros(p + q)
    lp.col_upper_ = np.ones(p + q)
    lp.col_cost_ = np.zeros(p + q)
    lp.row_lower_ = np.concatenate([np.full(n, -highspy.kHighsInf), np.zeros(m)])
    lp.row_upper_ = np.concatenate([np.ones(n), np.zeros(m)])
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = starts
    lp.a_matrix_.index_ = index
    lp.a_matrix_.value_ = value
    solver = _quiet_highs()
    solver.setOptionValue("solver", "simplex")
    solver.passModel(lp)

    risk_weight = np.array([RISK_WEIGHT[d.risk] for d in disputes])
    levels = np.array([c.level for c in committees], dtype=np.float64)
    d_lat = np.array([d.lat for d in disputes]); d_lon = np.array([d.lon for d in disputes])
    c_lat = np.array([c.lat for c in committees]); c_lon = np.array([c.lon for c in committees])
    km = distance_km(d_lat[pair_d], d_lon[pair_d], c_lat[pair_c], c_lon[pair_c]) if p else np.zeros(0, np.int64)
    zeros_q, zeros_p = np.zeros(q), np.zeros(p)
    room = np.array([max(c.capacity, 1) for c in committees], dtype=np.float64)
    balance_cost = (2 * load_k - 1) / room[load_owner] if q else zeros_q
    stage_costs = (
        ("risk", np.concatenate([-risk_weight[pair_d] if p else zeros_p, zeros_q])),
        ("level", np.concatenate([levels[pair_c] if p else zeros_p, zeros_q])),
        ("distance", np.concatenate([km.astype(np.float64), zeros_q])),
        ("balance", np.concatenate([zeros_p, balance_cost])),
    )
    columns = np.arange(p + q, dtype=np.int32)
    rows = np.arange(n + m, dtype=np.int32)
    stages = []
    status = "OPTIMAL"
    for number, (name, cost) in enumerate(stage_costs):
        if p + q == 0:
            break
        solver.changeColsCost(p + q, columns, cost)
        solver.run()
        model_status = solver.getModelStatus()
        if model_status != highspy.HighsModelStatus.kOptimal:
            status = "UNKNOWN"
            break
        solution = solver.getSolution()
        x = np.asarray(solution.col_value)
        stages.append({"stage": name, "objective": float(cost @ x), "seconds": round(time.monotonic() - started, 3)})
        if number == len(stage_costs) - 1:
            break
        # Keep the optimal face: fix columns with a non-zero reduced cost, make rows with a non-zero dual tight.
        reduced = np.asarray(solution.col_dual)
        info = solver.getLp()
        lower, upper = np.asarray(info.col_lower_).copy(), np.asarray(info.col_upper_).copy()
        at_lower = reduced > _TOLERANCE
        at_upper = reduced < -_TOLERANCE
        upper[at_lower] = lower[at_lower]
        lower[at_upper] = upper[at_upper]
        solver.changeColsBounds(p + q, columns, lower, upper)
        duals = np.asarray(solution.row_dual)
        row_lower, row_upper = np.asarray(info.row_lower_).copy(), np.asarray(info.row_upper_).copy()
        activity = np.asarray(solution.row_value)
        tight = np.abs(duals) > _TOLERANCE
        row_lower[tight] = np.rint(activity[tight])
        row_upper[tight] = np.rint(activity[tight])
        solver.changeRowsBounds(n + m, rows, row_lower, row_upper)

    x = np.asarray(solver.getSolution().col_value)[:p] if p and status == "OPTIMAL" else np.zeros(p)
    taken = x > 0.5
    assignment = {disputes[i].id: committees[j].id for i, j in zip(pair_d[taken], pair_c[taken])}
    load = np.bincount(pair_c[taken], minlength=m) if m else np.zeros(0, np.int64)
    for i, dispute in enumerate(disputes):
        if dispute.id not in assignment and i not in reasons:
            reasons[i] = Words("Every committee that may take it is full with disputes of the same or higher risk.",
                               "dispatch_capacity")
    served = {risk: 0 for risk in RISKS}
    for i in pair_d[taken]:
        served[disputes[i].risk] += 1
    return DispatchResult(
        status=status,
        assignment=assignment,
        unassigned={disputes[i].id: words for i, words in sorted(reasons.items())},
        served_by_risk=served,
        level_total=int(levels[pair_c[taken]].sum()) if p else 0,
        distance_km=int(km[taken].sum()) if p else 0,
        balance=float(sum(int(k) ** 2 / c.capacity for k, c in zip(load, committees) if c.capacity)),
        load={c.id: int(k) for c, k in zip(committees, load)},
        wall_s=time.monotonic() - started,
        stages=stages,
    )
