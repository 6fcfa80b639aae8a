"""Experiment, not used by the engine: column generation for rosters, with the person-level DP as the pricer.

    .venv/bin/python bench/roster_columns.py [--instance 13 | --province] [--seconds 60] [--integer 20]
                                             [--start 10] [--from-start]

Each person's roster row is a column. The master LP (GLOP) has one convexity row per person, one row per seat
group (people placed + short - over = requirement, short and over priced by the seat's weights), one per hard
seat minimum (with the constructive start's heavily weighted slack) and "high"/"low" rows per group of
comparable staff for fairness; an expensive "no row yet" column per person keeps it feasible from the first
round. Its duals price each (day, shift) duty for each person, the DP (``scheduling/roster/person_dp.py``) finds
a cheap valid row under those prices, and rows with a negative reduced cost join the pool. Prices are smoothed
between rounds. The integer master (CP-SAT, one boolean per pooled row, exactly one per person) then picks the
best roster the pool and the constructive start's rows can make.

Prints, per round, the LP value, its solve time, the rows added and the round's time; then the start's and the
integer master's objectives. The DP prices limits on totals by multipliers, so it can miss rows with a negative
reduced cost: the LP value it converges to is not a bound. Figures and why this is not in the engine:
bench/ROSTER_NOTES.md ("Column generation").
"""
from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field

import argparse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from ortools.linear_solver import pywraplp  # noqa: E402
from ortools.sat.python import cp_model  # noqa: E402

from scheduling.roster.model import relaxed_minimum_weight  # noqa: E402
from scheduling.roster.construct import Seats, construct, own_prices  # noqa: E402
from scheduling.roster.person_dp import cheapest_schedule  # noqa: E402
from scheduling.roster.problem import Problem, Roster, Staff  # noqa: E402

EPSILON = 1e-6
SMOOTHING = float(os.environ.get("ROSTER_SMOOTH", 0.5))  # weight of the last prices in the next round's prices
ARTIFICIAL = 1e6  # cost of a person without a pooled row in the LP


def _mix(centre: tuple, duals: tuple, weight: float) -> tuple:
    """weight * centre + (1 - weight) * duals, for the seat, convexity and fairness duals."""
    seat = [weight * a + (1 - weight) * b for a, b in zip(centre[0], duals[0])]
    one = [weight * a + (1 - weight) * b for a, b in zip(centre[1], duals[1])]
    fair = [[weight * a + (1 - weight) * b for a, b in zip(x, y)] for x, y in zip(centre[2], duals[2])]
    return seat, one, fair


@dataclass
class _Column:
    """A pooled row of one person, its true cost and the master rows it counts in."""

    person: int
    row: tuple[str, ...]
    cost: float
    covers: list[int]
    duties: int
    unpopular: int


@dataclass
class _Fair:
    """Fairness rows of one group and rule: high >= count >= low for each member."""

    weight: int
    unpopular: bool
    members: list[int]
    high: dict[int, object] = field(default_factory=dict)  # person index -> LP row 'high - count >= 0'
    low: dict[int, object] = field(default_factory=dict)  # person index -> LP row 'count - low >= 0'


class Master:
    """The pool of rows and the master LP over it."""

    def __init__(self, problem: Problem):
        self.problem = problem
        self.staff = list(problem.staff)
        self.index = {person.id: i for i, person in enumerate(self.staff)}
        self.column_of = {s.id: k for k, s in enumerate(problem.shifts)}
        self.columns: list[_Column] = []
        self.by_person: list[list[int]] = [[] for _ in self.staff]
        self.seen: set[tuple[int, tuple[str, ...]]] = set()
        self.at: dict[tuple[int, str], list[int]] = {}
        for index, cover in enumerate(problem.covers):
            self.at.setdefault((cover.day, cover.shift), []).append(index)
        self.able = [[cover.qualifies(person) for cover in problem.covers] for person in self.staff]
        requests = Seats(problem)  # only for its requests grouped by person
        self.own = [own_prices(problem, person, requests.on.get(person.id, ()), requests.off.get(person.id, ()))
                    for person in self.staff]
        self.const = [_constant(problem, person) for person in self.staff]
        self.lp = pywraplp.Solver.CreateSolver("GLOP")
        self._centre: tuple | None = None
        self.verbose = False
        self._build_rows()

    def _build_rows(self) -> None:
        """Convexity, seat, hard-minimum and fairness rows with their slack variables."""
        p, lp, inf = self.problem, self.lp, self.lp.infinity()
        objective = lp.Objective()
        self.convexity = [lp.Constraint(1, 1, f"one row {person.id}") for person in self.staff]
        # an expensive "no row yet" per person keeps the LP feasible and its duals telling from the first round
        for i, row in enumerate(self.convexity):
            artificial = lp.NumVar(0, inf, f"no row {i}")
            row.SetCoefficient(artificial, 1)
            objective.SetCoefficient(artificial, ARTIFICIAL)
        self.seat_rows = []
        self.minimum_rows: dict[int, object] = {}
        for index, cover in enumerate(p.covers):
            row = lp.Constraint(cover.requirement, cover.requirement, f"seat {index}")
            short = lp.NumVar(0, cover.requirement, f"short {index}")
            over = lp.NumVar(0, inf, f"over {index}")
            row.SetCoefficient(short, 1)
            row.SetCoefficient(over, -1)
            objective.SetCoefficient(short, cover.under_weight)
            objective.SetCoefficient(over, cover.over_weight)
            self.seat_rows.append(row)
            if cover.hard_min:
                minimum = lp.Constraint(cover.hard_min, inf, f"minimum {index}")
                slack = lp.NumVar(0, cover.hard_min, f"below minimum {index}")
                minimum.SetCoefficient(slack, 1)
                objective.SetCoefficient(slack, relaxed_minimum_weight(cover))
                self.minimum_rows[index] = minimum
        self.fair: list[_Fair] = []
        groups: dict[str, list[int]] = {}
        for i, person in enumerate(self.staff):
            groups.setdefault(person.group, []).append(i)
        for name, members in groups.items():
            if len(members) < 2:
                continue
            for weight, unpopular in ((p.fairness.duties, False), (p.fairness.unpopular, True)):
                if not weight:
                    continue
                fair = _Fair(weight, unpopular, members)
                high = lp.NumVar(0, p.days, f"high {name} {unpopular}")
                low = lp.NumVar(0, p.days, f"low {name} {unpopular}")
                objective.SetCoefficient(high, weight)
                objective.SetCoefficient(low, -weight)
                for i in members:
                    fair.high[i] = lp.Constraint(0, inf, f"high {i} {unpopular}")
                    fair.high[i].SetCoefficient(high, 1)
                    fair.low[i] = lp.Constraint(0, inf, f"low {i} {unpopular}")
                    fair.low[i].SetCoefficient(low, -1)
                self.fair.append(fair)
        objective.SetMinimization()

    def add(self, person: Staff, row: list[str]) -> bool:
        """Pool a person's row (a valid one); False when it is already there."""
        i = self.index[person.id]
        key = (i, tuple(row))
        if key in self.seen:
            return False
        self.seen.add(key)
        p, able = self.problem, self.able[i]
        covers = [c for d, s in enumerate(row) if s for c in self.at.get((d, s), ()) if able[c]]
        duties = sum(1 for s in row if s)
        unpopular = sum(1 for d, s in enumerate(row) if s and p.is_unpopular(d, s))
        column = _Column(i, key[1], self.cost(i, row), covers, duties, unpopular)
        var = self.lp.NumVar(0, self.lp.infinity(), f"row {len(self.columns)}")
        self.lp.Objective().SetCoefficient(var, column.cost)
        self.convexity[i].SetCoefficient(var, 1)
        for c in covers:
            self.seat_rows[c].SetCoefficient(var, 1)
            if c in self.minimum_rows:
                self.minimum_rows[c].SetCoefficient(var, 1)
        for fair in self.fair:
            if i in fair.high:
                count = unpopular if fair.unpopular else duties
                if count:
                    fair.high[i].SetCoefficient(var, -count)
                    fair.low[i].SetCoefficient(var, count)
        self.by_person[i].append(len(self.columns))
        self.columns.append(column)
        return True

    def add_roster(self, roster: Roster) -> None:
        """Pool every row of a roster."""
        for person in self.staff:
            self.add(person, roster[person.id])

    def cost(self, i: int, row: list[str] | tuple[str, ...]) -> float:
        """The row's own cost: requests and changes to a published roster (seats are the master's)."""
        own, column = self.own[i], self.column_of
        return self.const[i] + sum(own[d][column[s]] for d, s in enumerate(row) if s)

    def solve_lp(self) -> float:
        """Solve the master LP over the pool; its value (every person needs a pooled row)."""
        status = self.lp.Solve()
        if status != pywraplp.Solver.OPTIMAL:
            raise RuntimeError(f"master LP ended with status {status}")
        value = self.lp.Objective().Value()
        # read every dual now: adding a column invalidates the solver's solution
        self.seat_dual = [row.dual_value() for row in self.seat_rows]
        for c, row in self.minimum_rows.items():
            self.seat_dual[c] += row.dual_value()
        self.one_dual = [row.dual_value() for row in self.convexity]
        self.fair_dual = [[0.0, 0.0] for _ in self.staff]
        for fair in self.fair:
            for i in fair.members:
                self.fair_dual[i][fair.unpopular] += fair.high[i].dual_value() - fair.low[i].dual_value()
        return value

    def prices(self, i: int) -> list[list[float]]:
        """The DP's price of each (day, shift) duty for person i under the LP's duals (without the constant)."""
        p, own, able = self.problem, self.own[i], self.able[i]
        prices = [list(day) for day in own]
        for (day, shift), indices in self.at.items():
            k = self.column_of[shift]
            for c in indices:
                if able[c]:
                    prices[day][k] -= self.seat_dual[c]
        duty, unpopular = self.fair_dual[i]
        if duty or unpopular:
            for day in range(p.days):
                for k, shift in enumerate(p.shifts):
                    prices[day][k] += duty + (unpopular if p.is_unpopular(day, shift.id) else 0.0)
        return prices

    def reduced_cost(self, i: int, prices: list[list[float]], row: list[str]) -> float:
        """The row's reduced cost in the current LP."""
        column = self.column_of
        return self.const[i] + sum(prices[d][column[s]] for d, s in enumerate(row) if s) \
            - self.one_dual[i]

    def generate(self, deadline: float, stop=lambda: False, rounds: int | None = None) -> dict:
        """Rounds of LP solve and pricing every person, until no row with negative reduced cost is found, the
        deadline passes or `rounds` rounds are done; figures of the run.

        Prices are smoothed (a mix of this round's duals and the last prices used): right after an integral start
        the duals jump between extremes and the LP stalls for many rounds. A row joins the pool when its reduced
        cost under the true duals is negative; when a whole round adds nothing, the next one prices with the true
        duals, and only a round with the true duals that adds nothing ends the generation."""
        figures = {"rounds": 0, "columns_added": 0, "converged": False, "lp": None}
        smooth = SMOOTHING
        while rounds is None or figures["rounds"] < rounds:
            if stop() or time.monotonic() >= deadline:
                break
            tick = time.monotonic()
            figures["lp"] = self.solve_lp()
            lp_seconds = time.monotonic() - tick
            figures["rounds"] += 1
            true_duals = self._duals()
            if self._centre is None or not smooth:
                self._centre = true_duals
            else:
                self._centre = _mix(self._centre, true_duals, smooth)
            added = 0
            for i, person in enumerate(self.staff):
                if stop() or time.monotonic() >= deadline:
                    return figures
                self._set_duals(self._centre)
                row = cheapest_schedule(self.problem, person, self.prices(i))
                if row is None:
                    continue
                self._set_duals(true_duals)
                if self.reduced_cost(i, self.prices(i), row) < -EPSILON:
                    added += self.add(person, row)
            self._set_duals(true_duals)
            figures["columns_added"] += added
            if self.verbose:
                print(f"cg round {figures['rounds']} lp {figures['lp']:.1f} ({lp_seconds:.2f} s) added {added} "
                      f"pool {len(self.columns)} smooth {smooth} {time.monotonic() - tick:.2f} s", flush=True)
            if not added:
                if not smooth:
                    figures["converged"] = True
                    break
                smooth = 0.0
            else:
                smooth = SMOOTHING
        return figures

    def _duals(self) -> tuple:
        """The duals read by the last LP solve."""
        return (list(self.seat_dual), list(self.one_dual), [list(f) for f in self.fair_dual])

    def _set_duals(self, duals: tuple) -> None:
        """Price with these duals."""
        self.seat_dual, self.one_dual, self.fair_dual = duals

    def integer(self, seconds: float, hint: Roster | None = None, seed: int = 0) -> Roster | None:
        """The best roster made of pooled rows (CP-SAT, one worker), or None when none was found in time."""
        p = self.problem
        model = cp_model.CpModel()
        chosen = [model.new_bool_var(f"row {n}") for n in range(len(self.columns))]
        for i, indices in enumerate(self.by_person):
            if not indices:
                return None
            model.add_exactly_one(chosen[n] for n in indices)
        on_cover: list[list[int]] = [[] for _ in p.covers]
        for n, column in enumerate(self.columns):
            for c in column.covers:
                on_cover[c].append(n)
        terms, weights = [], []
        for n, column in enumerate(self.columns):
            if column.cost:
                terms.append(chosen[n])
                weights.append(column.cost)
        for index, cover in enumerate(p.covers):
            assigned = cp_model.LinearExpr.sum([chosen[n] for n in on_cover[index]])
            short = model.new_int_var(0, cover.requirement, f"short {index}")
            over = model.new_int_var(0, len(on_cover[index]), f"over {index}")
            model.add(assigned - cover.requirement == over - short)
            terms += [short, over]
            weights += [cover.under_weight, cover.over_weight]
            if cover.hard_min:
                missing = model.new_int_var(0, cover.hard_min, f"below minimum {index}")
                model.add(assigned + missing >= cover.hard_min)
                terms.append(missing)
                weights.append(relaxed_minimum_weight(cover))
        for fair in self.fair:
            high = model.new_int_var(0, p.days, "high")
            low = model.new_int_var(0, p.days, "low")
            for i in fair.members:
                count = cp_model.LinearExpr.weighted_sum(
                    [chosen[n] for n in self.by_person[i]],
                    [self.columns[n].unpopular if fair.unpopular else self.columns[n].duties for n in self.by_person[i]])
                model.add(high >= count)
                model.add(low <= count)
            terms += [high, low]
            weights += [fair.weight, -fair.weight]
        model.minimize(cp_model.LinearExpr.weighted_sum(terms, [int(round(w)) for w in weights]))
        if hint is not None:
            for n, column in enumerate(self.columns):
                model.add_hint(chosen[n], tuple(hint[self.staff[column.person].id]) == column.row)
        solver = cp_model.CpSolver()
        solver.parameters.max_time_in_seconds = max(seconds, 0.05)
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = seed
        status = solver.solve(model)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        roster = {}
        for n, column in enumerate(self.columns):
            if solver.boolean_value(chosen[n]):
                roster[self.staff[column.person].id] = list(column.row)
        return roster


def _constant(problem: Problem, person: Staff) -> float:
    """What the person's all-off row costs: their unmet shift-on requests and their published duties dropped."""
    total = sum(r.weight for r in problem.on_requests if r.staff == person.id)
    if problem.published is not None and problem.change_weight:
        total += problem.change_weight * sum(1 for s in problem.published.get(person.id, ()) if s)
    return total


def main() -> int:
    """Run column generation on one instance and print the figures."""
    from scheduling.roster.curtois import read_curtois
    from scheduling.roster.penalties import evaluate, objective

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--instance", type=int, default=13, help="Curtois instance number")
    parser.add_argument("--province", action="store_true", help="the province-size period instead")
    parser.add_argument("--seconds", type=float, default=60.0, help="column generation time")
    parser.add_argument("--integer", type=float, default=20.0, help="integer master time")
    parser.add_argument("--start", type=float, default=10.0, help="constructive start time")
    parser.add_argument("--from-start", action="store_true", help="pool the start's rows before generating")
    args = parser.parse_args()
    if args.province:
        sys.path.insert(0, str(ROOT / "bench"))
        from roster_province import province_problem

        problem = province_problem()
    else:
        curtois = Path(os.environ.get("ROSTER_CURTOIS_DIR", ROOT.parent / "shared" / "bench" / "curtois"))
        problem = read_curtois(curtois / f"Instance{args.instance}.txt")
    tick = time.monotonic()
    start = construct(problem, args.start, 0)
    print(f"start {objective(evaluate(problem, start))} in {time.monotonic() - tick:.1f} s")
    master = Master(problem)
    master.verbose = True
    if args.from_start:
        master.add_roster(start)
    tick = time.monotonic()
    figures = master.generate(tick + args.seconds)
    print(f"generation: {figures}, {len(master.columns)} rows pooled, {time.monotonic() - tick:.1f} s")
    master.add_roster(start)
    tick = time.monotonic()
    roster = master.integer(args.integer, start)
    found = "none" if roster is None else objective(evaluate(problem, roster))
    print(f"integer master: {found} in {time.monotonic() - tick:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
