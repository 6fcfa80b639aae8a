"""Column generation for a duty roster: the master LP in HiGHS, re-solved warm as rows join it, and the bound it
proves.

Each person's row of duties (a shift id or "" for each day) is a column. The master chooses, per person, a convex
combination of pooled rows (a convexity row each) and pays for the seats it leaves short or over (one row per seat
group, with short and over variables at the seat's weights; a hard minimum is a second row whose slack costs the
relaxed model's weight), for the spread of duties between comparable staff (a "high" and a "low" variable per group
and rule, with a row per member), and for each row's own terms (shift-on and shift-off requests, changes to a
published roster). An integral choice costs exactly what `penalties.evaluate` charges the roster, so the master's
LP over every valid row is a relaxation of the roster problem.

A pricer names, for one person and a matrix of prices per (day, shift), the cheapest row valid under all of that
person's hard rules. When the pricer is exact, the Lagrangian (Farley) bound holds: the LP value plus, for each
person, the least reduced cost of any row (when negative) is at most the optimum of the whole LP, hence of the
roster problem. It holds at every round, not only once no row prices out, so a bound is proven long before the
column generation ends. With an inexact pricer (`person_dp.cheapest_schedule`) the same loop still finds rows but
proves nothing; `generate` says which it was told.

An expensive "no row yet" column per person keeps the master feasible from the first round.
"""
from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from scheduling.roster.construct import Seats, own_prices
from scheduling.roster.model import relaxed_minimum_weight
from scheduling.roster.problem import Problem, Roster, Staff

ARTIFICIAL = 1e7  # the cost of a person with no pooled row yet
EPSILON = 1e-6
# pricer(problem, person, prices) -> (row, cost under prices) or None when the person has no valid row
Pricer = Callable[[Problem, Staff, np.ndarray], "tuple[list[str], float] | None"]


@dataclass
class Round:
    """One round: the LP value, the bound proven by then (None with an inexact pricer or while some person has no
    valid row priced), the rows added, and the seconds since the start."""

    lp: float
    bound: float | None
    added: int
    seconds: float


@dataclass
class Result:
    """What a run of column generation found."""

    lp: float
    bound: float | None
    rounds: list[Round] = field(default_factory=list)
    converged: bool = False
    columns: int = 0
    master: Master | None = None  # the pool, for best_roster


class Master:
    """The pool of rows and the master LP over it (HiGHS, warm-started after each addition)."""

    def __init__(self, problem: Problem):
        import highspy

        self.problem = problem
        self.staff = list(problem.staff)
        self.column_of = {shift.id: k for k, shift in enumerate(problem.shifts)}
        self.at: dict[tuple[int, str], list[int]] = {}
        for index, cover in enumerate(problem.covers):
            self.at.setdefault((cover.day, cover.shift), []).append(index)
        self.able = [[cover.qualifies(person) for cover in problem.covers] for person in self.staff]
        requests = Seats(problem)
        self.own = [np.array(own_prices(problem, person, requests.on.get(person.id, ()),
                                        requests.off.get(person.id, ())), dtype=float).reshape(
            problem.days, len(problem.shifts)) for person in self.staff]
        self.constant = [_constant(problem, person) for person in self.staff]
        self.unpopular = np.array([[problem.is_unpopular(day, shift.id) for shift in problem.shifts]
                                   for day in range(problem.days)], dtype=float).reshape(
            problem.days, len(problem.shifts))
        self.pool: list[tuple[int, tuple[str, ...]]] = []
        self.pool_column: list[int] = []  # each pooled row's column in the LP (box columns come between)
        self.seen: set[tuple[int, tuple[str, ...]]] = set()
        self.highs = highspy.Highs()
        self.highs.setOptionValue("output_flag", False)
        self.highs.setOptionValue("log_to_console", False)
        self.inf = highspy.kHighsInf
        self.rhs: list[float] = []  # each row's right-hand side (its lower bound: rows are = or >=)
        self.fixed: list[tuple[float, float, list[int], list[float]]] = []  # the columns that are not rows
        self._build()
        # The rows that link the people (seats, minimums, fairness): every row but the convexity rows (all rows are
        # made here; only columns join later).
        convexity = set(self.convexity)
        self.linking = np.array([r for r in range(len(self.rhs)) if r not in convexity], dtype=np.int64)
        self.linking_rhs = np.array(self.rhs)[self.linking]

    # ---- rows ----------------------------------------------------------------------------------------------------

    def _row(self, lower: float, upper: float) -> int:
        self.highs.addRow(lower, upper, 0, np.array([], dtype=np.int32), np.array([], dtype=float))
        self.rhs.append(float(lower))
        return len(self.rhs) - 1

    def _column(self, cost: float, upper: float, rows: list[int], values: list[float], fixed: bool = True) -> None:
        """A column of the LP; `fixed`: one of the master's own (slacks, spreads), not a person's row."""
        self.highs.addCol(float(cost), 0.0, float(upper), len(rows), np.array(rows, dtype=np.int32),
                          np.array(values, dtype=float))
        if fixed:
            self.fixed.append((float(cost), float(upper), rows, values))

    def _build(self) -> None:
        p = self.problem
        self.convexity = [self._row(1.0, 1.0) for _ in self.staff]
        for row in self.convexity:  # "no row yet": priced by the Lagrangian as a person's alternative
            self._column(ARTIFICIAL, self.inf, [row], [1.0], fixed=False)
        self.seat_rows, self.minimum_rows = [], {}
        for index, cover in enumerate(p.covers):
            row = self._row(cover.requirement, cover.requirement)
            self.seat_rows.append(row)
            # short and below-minimum slacks are unbounded (an integral choice never uses more): their duals then
            # stay within the seat's weights, where a bounded slack would let an empty seat's dual grow without end
            self._column(cover.under_weight, self.inf, [row], [1.0])  # short
            self._column(cover.over_weight, self.inf, [row], [-1.0])  # over
            if cover.hard_min:
                minimum = self._row(cover.hard_min, self.inf)
                self.minimum_rows[index] = minimum
                self._column(relaxed_minimum_weight(cover), self.inf, [minimum], [1.0])
        # fairness: high >= count_i and count_i >= low for each member, weight * (high - low)
        self.fair: list[tuple[bool, dict[int, tuple[int, int]]]] = []
        groups: dict[str, list[int]] = {}
        for i, person in enumerate(self.staff):
            groups.setdefault(person.group, []).append(i)
        for members in groups.values():
            if len(members) < 2:
                continue
            for weight, unpopular in ((p.fairness.duties, False), (p.fairness.unpopular, True)):
                if not weight:
                    continue
                rows = {i: (self._row(0.0, self.inf), self._row(0.0, self.inf)) for i in members}
                self._column(weight, self.inf, [high for high, _low in rows.values()], [1.0] * len(rows))
                self._column(-weight, p.days, [low for _high, low in rows.values()], [-1.0] * len(rows))
                self.fair.append((unpopular, rows))

    # ---- columns -------------------------------------------------------------------------------------------------

    def cost(self, i: int, row) -> float:
        """The row's own cost: requests and changes to a published roster (the seats are the master's)."""
        own, column = self.own[i], self.column_of
        return self.constant[i] + sum(own[d, column[s]] for d, s in enumerate(row) if s)

    def add(self, i: int, row) -> bool:
        """Pool person i's row (a valid one); False when it is already there."""
        key = (i, tuple(row))
        if key in self.seen:
            return False
        self.seen.add(key)
        rows, values = [self.convexity[i]], [1.0]
        for day, shift in enumerate(row):
            if not shift:
                continue
            for c in self.at.get((day, shift), ()):
                if self.able[i][c]:
                    rows.append(self.seat_rows[c])
                    values.append(1.0)
                    if c in self.minimum_rows:
                        rows.append(self.minimum_rows[c])
                        values.append(1.0)
        duties = sum(1 for shift in row if shift)
        unpopular = sum(1 for day, shift in enumerate(row) if shift and self.unpopular[day, self.column_of[shift]])
        for is_unpopular, members in self.fair:
            if i in members:
                count = unpopular if is_unpopular else duties
                if count:
                    high, low = members[i]
                    rows += [high, low]
                    values += [-float(count), float(count)]
        self.pool_column.append(self.highs.getNumCol())
        self._column(self.cost(i, row), self.inf, rows, values, fixed=False)
        self.pool.append(key)
        return True

    def add_roster(self, roster: Roster) -> None:
        """Pool every row of a (valid) roster."""
        for i, person in enumerate(self.staff):
            self.add(i, roster[person.id])

    # ---- solving -------------------------------------------------------------------------------------------------

    def solve(self) -> float:
        """Solve the master LP over the pool (from the last basis); its value. Reads the duals."""
        import highspy

        self.highs.run()
        if self.highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            raise RuntimeError(f"master LP ended {self.highs.modelStatusToString(self.highs.getModelStatus())}")
        self.use(np.array(self.highs.getSolution().row_dual))
        self.value = self.highs.getInfo().objective_function_value
        return self.value

    def use(self, duals: np.ndarray) -> None:
        """Price with these row duals (the LP's, or a smoothed mix)."""
        self.duals = duals
        self.seat_dual = np.array([duals[row] for row in self.seat_rows])
        for c, row in self.minimum_rows.items():
            self.seat_dual[c] += duals[row]
        self.one_dual = np.array([duals[row] for row in self.convexity])
        self.fair_dual = np.zeros((len(self.staff), 2))
        for is_unpopular, members in self.fair:
            for i, (high, low) in members.items():
                self.fair_dual[i, int(is_unpopular)] += -duals[high] + duals[low]

    def box(self, centre: np.ndarray, delta: float) -> None:
        """Keep the LP's duals of the linking rows (all but the convexity rows) within delta of the centre: a column
        with +1 in the row at cost centre + delta caps its dual, one with -1 at cost delta - centre floors it.
        These columns are not the master's; the LP with them is stabilised, and only the Lagrangian is a bound."""
        linking = self.linking
        if not hasattr(self, "_box"):
            first = self.highs.getNumCol()
            for r in linking:
                self._column(0.0, self.inf, [r], [1.0], fixed=False)
                self._column(0.0, self.inf, [r], [-1.0], fixed=False)
            self._box = np.arange(first, first + 2 * len(linking), dtype=np.int32)
        costs = np.empty(2 * len(linking))
        costs[0::2] = centre[linking] + delta
        costs[1::2] = delta - centre[linking]
        self.highs.changeColsCost(len(self._box), self._box, costs)
        self.highs.changeColsBounds(len(self._box), self._box, np.zeros(len(self._box)),
                                    np.full(len(self._box), self.inf))  # back after an unbox

    def unbox(self) -> None:
        """Take the box columns out of the LP (bounds of 0): the LP is the master's own again."""
        if hasattr(self, "_box"):
            zeros = np.zeros(len(self._box))
            self.highs.changeColsBounds(len(self._box), self._box, zeros, zeros)

    def boxed(self) -> bool:
        """Whether the last LP used a box column (its duals sit on the box's edge somewhere)."""
        if not hasattr(self, "_box"):
            return False
        values = np.array(self.highs.getSolution().col_value)[self._box]
        return bool((values > EPSILON).any())

    def lagrangian(self, least: list[float | None]) -> float:
        """The Lagrangian bound at the duals in use, given each person's least priced row (min over valid rows of
        the sum of prices(i); None: no valid row, then there is no roster and no bound): the rows' right-hand
        sides at those duals, each person's cheapest choice (a row, or "no row yet"), and each of the master's own
        columns at its best bound. Minus infinity when the duals let an unbounded column fall without end (beyond the
        LP's tolerance: an LP's own duals leave such columns at a reduced cost of about -1e-15, which is 0)."""
        total = float(self.duals[self.linking] @ self.linking_rhs)
        for i, priced in enumerate(least):
            if priced is None:
                return float("-inf")
            total += min(self.constant[i] + priced, ARTIFICIAL)
        for cost, upper, rows, values in self.fixed:
            reduced = cost - sum(self.duals[r] * v for r, v in zip(rows, values))
            if reduced < -EPSILON and upper == self.inf:
                return float("-inf")
            if reduced < 0 and upper != self.inf:
                total += reduced * upper
        return total

    def prices(self, i: int) -> np.ndarray:
        """What each (day, shift) duty adds to person i's reduced cost (without the constant and the convexity
        dual): their own terms, less the seats it fills, plus its share of the fairness rows."""
        prices = self.own[i].copy()
        able = self.able[i]
        for (day, shift), indices in self.at.items():
            k = self.column_of[shift]
            for c in indices:
                if able[c]:
                    prices[day, k] -= self.seat_dual[c]
        duty, unpopular = self.fair_dual[i]
        if duty or unpopular:
            prices -= duty + unpopular * self.unpopular
        return prices

    def price(self, pricer: Pricer, people, threads=None) -> dict[int, tuple[list[str], float] | None]:
        """Each of these people's cheapest row at the duals in use, by the pricer; in the thread pool when one is
        given (the compiled pricer lets go of the GIL, so the people are priced side by side)."""
        people = list(people)
        jobs = [(self.problem, self.staff[i], self.prices(i)) for i in people]
        if threads is None:
            return {i: pricer(*job) for i, job in zip(people, jobs)}
        return dict(zip(people, threads.map(lambda job: pricer(*job), jobs)))

    def add_negative(self, found: dict[int, tuple[list[str], float] | None], repriced: bool) -> int:
        """Pool each found row whose reduced cost at the duals in use is negative; how many joined. `repriced`:
        the rows were priced at other duals (a mix), so their prices are taken again at these."""
        added = 0
        for i, item in found.items():
            if item is None:
                continue
            row, priced = item
            if repriced:
                prices, column = self.prices(i), self.column_of
                priced = sum(prices[d, column[s]] for d, s in enumerate(row) if s)
            if self.reduced_cost(i, priced) < -EPSILON:
                added += self.add(i, row)
        return added

    def reduced_cost(self, i: int, priced: float) -> float:
        """Person i's reduced cost of a row whose duties sum to `priced` under prices(i)."""
        return self.constant[i] + priced - self.one_dual[i]


SMOOTHING = 0.8  # the weight of the best duals so far in the duals priced (Wentges' stabilisation)


def generate(problem: Problem, pricer: Pricer, seconds: float, *, exact: bool, start: Roster | None = None,
             rounds: int | None = None, on_round: Callable[[Round], None] | None = None,
             smoothing: float = SMOOTHING, box: float | None = None, workers: int = 1) -> Result:
    """Rounds of master LP and pricing every person until no row prices out, the time is up or `rounds` rounds
    are done. With an exact pricer every round proves a bound (see the module's docstring).

    Stabilised as Wentges proposed: each round prices at a mix of the duals with the best bound so far (weight
    `smoothing`) and the LP's; a row joins the pool when its reduced cost under the LP's duals is negative, and the
    Lagrangian at the mixed duals is a bound in its own right. A round that adds nothing prices at the LP's own
    duals next; only such a round ending with nothing to add ends the generation (the LP is then optimal over
    every row, and equals the bound). `workers` threads price the people side by side."""
    began = time.monotonic()
    master = Master(problem)
    if start is not None:
        master.add_roster(start)
    result = Result(lp=float("inf"), bound=None, master=master)
    # The first centre is no duals at all: each person's own best row, a modest bound, where the first LP's duals
    # (an integral start's, degenerate: every empty seat at its full weight) would promise every row a fortune.
    centre = np.zeros(len(master.rhs))
    weight = smoothing
    delta = box
    with ThreadPoolExecutor(workers) if workers > 1 else nullcontext() as threads:
        while rounds is None or len(result.rounds) < rounds:
            if delta is not None:
                master.box(centre, delta)
            value = master.solve()
            lp_duals = master.duals
            priced_at = lp_duals if not weight else weight * centre + (1 - weight) * lp_duals
            master.use(priced_at)
            found = master.price(pricer, range(len(master.staff)), threads)
            least = [None if item is None else item[1] for item in found.values()]
            bound = master.lagrangian(least) if exact else None
            master.use(lp_duals)
            added = master.add_negative(found, repriced=priced_at is not lp_duals)
            result.lp, result.columns = value, len(master.pool)
            if bound is not None and bound > float("-inf") and (result.bound is None or bound > result.bound):
                result.bound, centre = bound, priced_at
            step = Round(value, result.bound, added, time.monotonic() - began)
            result.rounds.append(step)
            if on_round is not None:
                on_round(step)
            if not added:
                if delta is not None and master.boxed():
                    delta *= 4  # the box held the duals back: widen it
                    continue
                if not weight:
                    result.converged = True
                    break
                weight = 0.0  # mispriced: the mix found nothing the LP lacks; price at the LP's own duals
                continue
            weight = smoothing
            if time.monotonic() - began >= seconds:
                break
    return result


def best_roster(master: Master, seconds: float, hint: Roster | None = None, workers: int = 2,
                seed: int = 0, fixed: dict[int, int] | None = None, proven: bool = False) -> Roster | None:
    """The cheapest roster made of pooled rows (one per person; seats, hard minimums and fairness as the roster
    problem has them), by CP-SAT within `seconds`, hinted with a roster whose rows are pooled; None when none is
    found in time. Price-and-branch: only the pool's rows, so the roster is valid but not proven optimal. `fixed`
    maps people to the one pooled row (an index into master.pool) each may have; `proven`: None unless the roster
    is proven the pool's best."""
    from ortools.sat.python import cp_model

    p, staff = master.problem, master.staff
    model = cp_model.CpModel()
    pool = [entry for n, entry in enumerate(master.pool) if (fixed or {}).get(entry[0], n) == n]
    chosen = [model.new_bool_var(f"row {n}") for n in range(len(pool))]
    by_person: list[list[int]] = [[] for _ in staff]
    for n, (i, _row) in enumerate(pool):
        by_person[i].append(n)
    if any(not rows for rows in by_person):
        return None
    for rows in by_person:
        model.add_exactly_one(chosen[n] for n in rows)
    on_cover: list[list[int]] = [[] for _ in p.covers]
    duties, unpopular = [], []
    for n, (i, row) in enumerate(pool):
        for day, shift in enumerate(row):
            if shift:
                for c in master.at.get((day, shift), ()):
                    if master.able[i][c]:
                        on_cover[c].append(n)
        duties.append(sum(1 for shift in row if shift))
        unpopular.append(sum(1 for day, shift in enumerate(row)
                             if shift and master.unpopular[day, master.column_of[shift]]))
    terms, weights = list(chosen), [int(round(master.cost(i, row))) for i, row in pool]
    for index, cover in enumerate(p.covers):
        assigned = sum(chosen[n] for n in on_cover[index])
        short = model.new_int_var(0, cover.requirement, f"short {index}")
        over = model.new_int_var(0, len(on_cover[index]), f"over {index}")
        model.add(assigned - cover.requirement == over - short)
        terms += [short, over]
        weights += [cover.under_weight, cover.over_weight]
        if cover.hard_min:
            model.add(assigned >= cover.hard_min)
    for is_unpopular, members in master.fair:
        weight = p.fairness.unpopular if is_unpopular else p.fairness.duties
        high, low = model.new_int_var(0, p.days, "high"), model.new_int_var(0, p.days, "low")
        for i in members:
            count = sum((unpopular if is_unpopular else duties)[n] * chosen[n] for n in by_person[i])
            model.add(high >= count)
            model.add(low <= count)
        terms += [high, low]
        weights += [weight, -weight]
    model.minimize(cp_model.LinearExpr.weighted_sum(terms, weights))
    if hint is not None:
        for n, (i, row) in enumerate(pool):
            model.add_hint(chosen[n], tuple(hint[staff[i].id]) == row)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(seconds, 0.05)
    solver.parameters.num_workers = workers
    solver.parameters.random_seed = seed
    if solver.solve(model) not in ((cp_model.OPTIMAL,) if proven else (cp_model.OPTIMAL, cp_model.FEASIBLE)):
        return None
    roster: Roster = {}
    for n, (i, row) in enumerate(pool):
        if solver.value(chosen[n]):
            roster[staff[i].id] = list(row)
    return roster


def _constant(problem: Problem, person: Staff) -> float:
    """What the person's all-off row costs: their unmet shift-on requests and their published duties dropped."""
    total = sum(request.weight for request in problem.on_requests if request.staff == person.id)
    if problem.published is not None and problem.change_weight:
        total += problem.change_weight * sum(1 for shift in problem.published.get(person.id, ()) if shift)
    return total
