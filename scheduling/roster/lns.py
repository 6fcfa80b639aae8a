"""The search strategy: a constructive start, then large-neighbourhood search beside a full CP-SAT solve.

1. Start: a roster built person by person (``construct.py``); when that fails (or a hint is given) the full
   model is solved until its first solution.
2. With two or more workers, one thread keeps solving the full model (one worker, full linear relaxation) from
   the incumbent: it proves optimality on small periods and raises the bound on large ones; its better rosters
   are adopted. The main thread runs large-neighbourhood search: each step frees a few people (all their days),
   a window of days (all people) or a block of both, builds a sub-model where every other cell is a constant,
   caps its objective at the incumbent's and solves it for about a second. Equal-cost moves are accepted to
   drift on plateaus; neighbourhood sizes grow when sub-solves finish early and shrink when they time out.
   On large periods the full model's linear relaxation may not even finish: when a quarter of the search's time
   has passed and its bound is still below half the incumbent, the full solve stops and its thread runs a
   second neighbourhood search (its own random stream) on the same incumbent; from NO_FULL_SOLVE_STAFF people on
   it does so from the start. Most steps are aimed at a cost of the incumbent (``neighbourhoods.py``). A step
   from an incumbent the other search has replaced meanwhile is carried over to the new one when the people it
   moved are as they were there.
   A sub-model's build cannot be interrupted, so a build that would end past the deadline (BuildTimes guesses it)
   is not started; the DP's re-planning passes (``construct.replan``) use the time instead. On the longest
   periods (Curtois 24: builds of 4-34 s) that is most of the search.
3. With one worker, the search ends with a full solve from the incumbent instead.
The full model is built after the start (by the thread that solves it), and not at all for very large periods
(FULL_MODEL_DUTIES), whose start would otherwise wait for its build (about 250 s on Curtois instance 24).
"""
from __future__ import annotations

import os
import random
import sys
import threading
import time

from ortools.sat.python import cp_model

from scheduling.common import CancelToken, Progress, ProgressCallback, SolverSettings
from scheduling.roster import exchange
from scheduling.roster.construct import construct, meets_hard_minimums, replan
from scheduling.roster.model import build_model
from scheduling.roster.neighbourhoods import Costs, free_cells, has_spread
from scheduling.roster.variables import RosterModel
from scheduling.roster.penalties import evaluate, objective
from scheduling.roster.problem import Problem, Roster
from scheduling.roster.solve import FullSolve, extract, run_solver, set_hint, solve_model

CONSTRUCT_SHARE = 0.4  # time for the constructive start (it may run a little over)
FINAL_SHARE = 0.15  # kept for the closing full solve when there is a single worker
# "replan" (DP passes, construct.replan, after REPLAN_EVERY steps without improvement) may be added through
# ROSTER_KINDS: it was not better on 1-12 (instances 6 and 12 lost 5% and 4%, one seed, load 5-6)
KINDS = ("staff", "days", "block")  # and the WIDE kinds on large periods (WHOLE_COST_STAFF)
REPLAN_EVERY = 10
# from this many people on, steps also free everyone concerned by one kind of cost at once: every group's spread
# ("spreads", at most once per incumbent: neighbourhoods.spread_extremes) or every unmet request that can be met
# when they are few enough ("requests": neighbourhoods.request_people); on the province, steps around one cost at
# a time stalled at 184-187 in 60 s, as these costs need people of several groups to move together
WHOLE_COST_STAFF = 200
WIDE = ("spreads", "requests")
WIDE_WORK = 6  # such a step (40-150 people) gets this many times a step's work limit
# and grows this much faster after a quick proof: on the province, steps over every request that free 6 holders
# of each request's shift (150 people) went on from 179 to 175 where steps freeing 2 (70 people) had stalled; with
# a share of 0.1 to start (about 2 holders) growing by 1.3, three seeds gave 175, 175, 179 (by 1.15 from 0.04: 177,
# 179, 178; from 0.2: 180, 176, 180; by 1.5: 178, 177, 177; quiet machine)
WIDE_GROWTH = 1.3
REPLAN_SECONDS = 3.0
# work limit of one sub-solve: the time limit / this (0.4 at 60 s; 1.0 gave fewer, slower steps and worse rosters)
SUB_SHARE = 150
# the full solve gives way to a second neighbourhood search when, this share of the search's time after the
# start, its bound is below this share of the incumbent
SWITCH_AFTER = 0.25
SWITCH_BOUND = 0.5
# the full model is built only up to this many duties (staff x days x shift types): Curtois instance 23 (580k)
# takes about 25 s to build and 24 (1.7M) about 250 s, and a full solve of such periods never helps within minutes
FULL_MODEL_DUTIES = 150_000
# from this many people on, no full solve runs beside the search (its thread searches neighbourhoods too): on the
# province (420) and generated duty periods of 200-400 lawyers its linear relaxation never finished within a
# minute (bound 0 or negative), and it slowed the search's first quarter (no Curtois instance has over 150)
NO_FULL_SOLVE_STAFF = 200
_TRACE = bool(os.environ.get("ROSTER_TRACE"))


class Search:
    """Constructive start -> neighbourhood search beside a full solve, keeping the best roster and bound."""

    def __init__(self, problem: Problem, settings: SolverSettings, on_progress: ProgressCallback | None,
                 cancel: CancelToken | None, started: float, use_lns: bool = True):
        self.problem = problem
        self._rm: RosterModel | None = None
        self.settings = settings
        self.cancel = cancel
        self.started = started
        self.deadline = started + settings.time_limit
        self.use_lns = use_lns
        self.best: Roster | None = None
        self.best_objective = float("inf")
        self.bound: float | None = None
        self.proven = False  # the full solve finished: best is optimal (or nothing exists)
        self._on_progress = on_progress
        self._lock = threading.Lock()
        self._reported = float("inf")
        self._full_solver: cp_model.CpSolver | None = None
        self._switched = False  # the full solve gave way to a second neighbourhood search
        self.figures = {"start": "", "lns_iterations": 0, "lns_improvements": 0, "full_solve_improvements": 0,
                        "full_solve_switched_at": None}

    def model(self) -> RosterModel | None:
        """The full model, built on first use (after the start, so a start comes first), or None when the period
        is too large for it."""
        p = self.problem
        if self._rm is None and len(p.staff) * p.days * len(p.shifts) <= FULL_MODEL_DUTIES:
            self._rm = build_model(p)
        return self._rm

    def remaining(self) -> float:
        """Seconds left before the deadline."""
        return self.deadline - time.monotonic()

    def stopped(self) -> bool:
        """True when cancelled, out of time or proven optimal."""
        return (self.cancel is not None and self.cancel.cancelled) or self.remaining() <= 0.05 or self.proven

    def report(self, progress: Progress) -> None:
        """Forward only improving objectives, with the best bound known."""
        with self._lock:
            if self._on_progress is None or progress.objective >= self._reported:
                return
            self._reported = progress.objective
            bound = progress.bound if self.bound is None else max(progress.bound, self.bound)
            self._on_progress(Progress(progress.objective, min(bound, progress.objective), progress.seconds))

    def count(self, figure: str) -> None:
        """One more of a counted figure (two threads count)."""
        with self._lock:
            self.figures[figure] = self.figures.get(figure, 0) + 1

    def offer(self, roster: Roster, value: float, source: str) -> bool:
        """Keep the roster when it is at least as good as the incumbent; True when strictly better."""
        with self._lock:
            if value > self.best_objective:
                return False
            better = value < self.best_objective
            self.best, self.best_objective = roster, value
        if better:
            self.count(f"{source}_improvements")
            self.report(Progress(value, self.bound if self.bound is not None else 0.0,
                                 time.monotonic() - self.started))
        return better

    def run(self, hint: Roster | None = None) -> FullSolve:
        """The whole search; returns the best roster found and the best bound proven."""
        start = None
        if hint is None and self.use_lns:
            # without a start nothing else works on long periods, so it may use most of the time if it must
            start = construct(self.problem, self.settings.time_limit * CONSTRUCT_SHARE, self.settings.seed,
                              self.stopped, self.remaining() * 0.97)
        if start is not None:
            self.figures["start"] = "constructed"
            self.offer(start, objective(evaluate(self.problem, start)), "start")
            self._exchange(self.started + self.settings.time_limit * CONSTRUCT_SHARE, random.Random(self.settings.seed))
        else:
            self.figures["start"] = "full solve"
            first = self._full(self.remaining(), hint, self.settings.workers,
                               soft_limit=0.0 if self.use_lns else None)
            if first.status in ("OPTIMAL", "INFEASIBLE", "MODEL_INVALID") or first.roster is None or self.stopped():
                return first
            self.offer(first.roster, first.objective, "start")
        if not self.use_lns:
            return self._result("FEASIBLE")
        if self.settings.workers >= 2:
            background = threading.Thread(target=self._background, name="roster full solve", daemon=True)
            background.start()
            self._neighbourhoods(self.deadline, random.Random(self.settings.seed), switch_at=time.monotonic()
                                 + (self.deadline - time.monotonic()) * SWITCH_AFTER)
            background.join()
        else:
            self._neighbourhoods(self.deadline - self.settings.time_limit * FINAL_SHARE, random.Random(self.settings.seed))
            if not self.stopped():
                self._background()
        return self._result("OPTIMAL" if self.proven else "FEASIBLE")

    def _result(self, status: str) -> FullSolve:
        """The outcome so far."""
        if self.bound is not None and self.best_objective <= self.bound + 1e-6:
            status = "OPTIMAL"
        return FullSolve(status, self.best, self.best_objective, self.bound)

    def _full(self, seconds: float, hint: Roster | None, workers: int, soft_limit: float | None = None) -> FullSolve:
        """A full-model solve that updates the bound (UNKNOWN without one when there is no time or model)."""
        rm = self.model() if seconds > 0.05 else None
        if rm is None:
            return FullSolve("UNKNOWN", None, None, None)
        settings = SolverSettings(self.settings.time_limit, workers, self.settings.seed, self.settings.log)
        outcome = solve_model(rm, settings, seconds, self.report, self.cancel, hint, self.started,
                              soft_limit=soft_limit)
        self._raise_bound(outcome.bound)
        return outcome

    def _raise_bound(self, bound: float | None) -> None:
        """Keep the best lower bound."""
        if bound is not None:
            with self._lock:
                self.bound = bound if self.bound is None else max(self.bound, bound)

    def _background(self) -> None:
        """Solve the full model with one worker from the incumbent until the deadline (or until it gives way to a
        second neighbourhood search); adopt better rosters."""
        if self.stopped() or (self.bound is not None and self.best_objective <= self.bound + 1e-6):
            return
        rm = self.model() if len(self.problem.staff) < NO_FULL_SOLVE_STAFF else None
        if rm is None:
            self._switch()  # no full model, or no use for one: this thread searches neighbourhoods from the start
        solver = cp_model.CpSolver()
        SolverSettings(max(self.remaining(), 0.05), 1, self.settings.seed, self.settings.log).apply(solver)
        # the full linear relaxation: much better bounds (and proofs) than the default on these models
        solver.parameters.linearization_level = 2
        with self._lock:
            switched, self._full_solver = self._switched, solver
        if not switched and self._solve_full(rm, solver) == cp_model.OPTIMAL:
            self.proven = True
        elif self._switched and not self.stopped():
            self._neighbourhoods(self.deadline, random.Random(self.settings.seed + 1))

    def _solve_full(self, rm: RosterModel, solver: cp_model.CpSolver):
        """The full solve itself, from the incumbent: adopts its better rosters, raises the bound; its status."""
        search = self

        def bound_found(bound: float) -> None:
            search._raise_bound(bound)
            if search._switched:  # a stop asked for just before the solve started is not seen by CP-SAT
                solver.stop_search()

        class Adopt(cp_model.CpSolverSolutionCallback):
            """Offer each solution of the full solve to the search."""

            def on_solution_callback(self) -> None:
                bound_found(self.best_objective_bound)
                if self.objective_value < search.best_objective:
                    search.offer(extract(rm, self), self.objective_value, "full_solve")

        solver.best_bound_callback = bound_found
        set_hint(rm, self.best)
        try:
            status = run_solver(solver, rm.model, Adopt(), self.cancel)
        finally:
            rm.model.clear_hints()
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            self._raise_bound(solver.best_objective_bound)
            if solver.objective_value <= self.best_objective:
                # on a tie the full solve's roster wins: it does not depend on thread timing
                self.offer(extract(rm, solver), solver.objective_value, "full_solve")
        elif status == cp_model.UNKNOWN and not (self.cancel and self.cancel.cancelled):
            self._raise_bound(solver.best_objective_bound)
        return status

    def _switch(self) -> None:
        """Stop the full solve (its thread then searches neighbourhoods) when its bound says it is not helping."""
        with self._lock:
            if self._switched or (self.bound is not None and self.bound >= SWITCH_BOUND * self.best_objective):
                return
            self._switched = True
            self.figures["full_solve_switched_at"] = round(time.monotonic() - self.started, 1)
            solver = self._full_solver
        if solver is not None:
            solver.stop_search()

    def _neighbourhoods(self, until: float, rng: random.Random, switch_at: float | None = None) -> None:
        """Large-neighbourhood search until `until` (monotonic seconds), drawing from `rng`; at `switch_at` the
        full solve may give way to a second search."""
        p = self.problem
        # "spreads": the share of people drawn at random beside every group's spread; "requests": the share of
        # the people on each request's shift freed with its requester
        sizes = {"staff": min(max(2, len(p.staff) // 10), 4) / len(p.staff),
                 "days": min(4, p.days) / p.days, "block": 0.1, "spreads": 0.02, "requests": 0.1}
        wide = ()
        if len(p.staff) >= WHOLE_COST_STAFF:
            wide = ("requests",) + (("spreads",) if has_spread(p) else ())
        kinds = os.environ.get("ROSTER_KINDS", ",".join(KINDS + wide)).split(",")
        steps = [k for k in kinds if k != "replan"]
        base_limit = float(os.environ.get("ROSTER_SUB", 0)) or min(max(self.settings.time_limit / SUB_SHARE, 0.2), 1.5)
        stall = 0
        spread_tried = None  # the incumbent of the last "spreads" step
        builds = BuildTimes(len(p.staff) * p.days * len(p.shifts))
        costs = Costs()  # one per thread: what the incumbent pays for, to aim the steps at
        while time.monotonic() < until and not self.stopped():
            if self.bound is not None and self.best_objective <= self.bound + 1e-6:
                self.proven = True
                break
            if switch_at is not None and time.monotonic() >= switch_at:
                self._switch()
                switch_at = None
            if stall and stall % REPLAN_EVERY == 0 and "replan" in kinds:
                # a plateau: the DP's passes re-plan every person against the others in about a second
                self._replan(min(until, time.monotonic() + REPLAN_SECONDS), rng)
                stall += 1
                continue
            with self._lock:
                incumbent, value = self.best, self.best_objective
            kind = rng.choice(steps)
            free = {} if kind == "spreads" and incumbent is spread_tried else \
                free_cells(p, kind, sizes[kind], rng, incumbent, costs)
            if kind == "spreads":
                spread_tried = incumbent
            if kind in WIDE and not free:
                # nothing of that kind to remove (or too much of it for one step), or tried on this incumbent
                kind = rng.choice([k for k in steps if k not in WIDE] or KINDS)
                free = free_cells(p, kind, sizes[kind], rng, incumbent, costs)
            # when nothing improves for a while, longer sub-solves let the neighbourhoods grow past the plateau
            work_limit = base_limit * (WIDE_WORK if kind in WIDE else min(1 + stall // 15, 4))
            cells = sum(map(len, free.values()))
            tick = time.monotonic()
            # a build cannot be interrupted (instance 24: 4-34 s each at load 3), so one that would end past the
            # deadline is not started
            if tick + builds.predict(cells) + min(work_limit, 0.2) > until:
                # no sub-model fits in the time left (on the longest periods none ever does): the DP's re-planning
                # passes, which stop at the deadline, use it instead
                self._replan(until, rng)
                continue
            sub = build_model(p, fixed=incumbent, free=free)
            sub.model.add(sub.objective <= int(round(value)))
            set_hint(sub, incumbent)
            built = time.monotonic() - tick
            builds.add(cells, built)
            solver = cp_model.CpSolver()
            wall = max(min(until - time.monotonic(), 2 * work_limit), 0.05)
            SolverSettings(wall, 1, rng.randrange(1 << 30)).apply(solver)
            # a deterministic work limit keeps a seeded search repeatable (the wall-clock cap only matters on a
            # busy machine); one worker with the full linear
            # relaxation solves these small models several times faster than the default
            solver.parameters.max_deterministic_time = work_limit
            solver.parameters.linearization_level = 2
            tick = time.monotonic()
            status = run_solver(solver, sub.model, None, self.cancel)
            took = time.monotonic() - tick
            self.count("lns_iterations")
            if status == cp_model.OPTIMAL and solver.deterministic_time < work_limit * 0.5:
                sizes[kind] = min(sizes[kind] * (WIDE_GROWTH if kind in WIDE else 1.15), 1.0)
            elif status != cp_model.OPTIMAL:
                sizes[kind] = max(sizes[kind] * 0.85, 0.01)
            if status == cp_model.OPTIMAL and cells == len(p.staff) * p.days:
                # the whole roster was free: the sub-solve's optimum is the optimum
                self._raise_bound(solver.objective_value)
            if _TRACE:
                print(f"lns {kind:5} size={sizes[kind]:.3f} free={cells} "
                      f"st={solver.status_name(status)} build={built:.2f} t={took:.2f} "
                      f"obj={solver.objective_value if status in (2, 4) else None} best={value}", file=sys.stderr)
            stall += 1
            if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                step = extract(sub, solver)
                # a step from an incumbent the other search has since replaced is kept when it is better, or
                # carried over to the new incumbent when it improved on its own and moved other people
                if self.best is incumbent or solver.objective_value < self.best_objective:
                    if self.offer(step, solver.objective_value, "lns"):
                        stall = 0
                elif solver.objective_value < value and self._carry_over(incumbent, step, free):
                    stall = 0
        if self._full_solver is not None and self.bound is not None and self.best_objective <= self.bound + 1e-6:
            self._full_solver.stop_search()  # proven by the neighbourhood search: the full solve can stop

    def _carry_over(self, incumbent: Roster, step: Roster, free: dict[str, list[int]]) -> bool:
        """Offer the current best roster with the rows a step changed from `incumbent` (which the other search has
        since replaced): allowed when the other search left those people's rows as they were (so each row still
        meets every person's rules) and the seats' hard minimums still hold; True when it is better."""
        moved = [s for s in free if step[s] != incumbent[s]]
        with self._lock:
            best = self.best
        if not moved or any(best[s] != incumbent[s] for s in moved):
            return False
        merged = dict(best)
        for s in moved:
            merged[s] = step[s]
        if not meets_hard_minimums(self.problem, merged):
            return False
        return self.offer(merged, objective(evaluate(self.problem, merged)), "carried_over")

    def _exchange(self, until: float, rng: random.Random) -> None:
        """Exchange moves of two people at once (``exchange.py``) on the incumbent until they find nothing or
        `until`, then the DP's re-planning passes from there: from the constructive start, where each costs
        microseconds and most of the cost needs two people to move (province: 1,229 -> about 200 in 20 s)."""
        with self._lock:
            incumbent, value = self.best, self.best_objective
        roster, gained = exchange.improve(self.problem, incumbent, until, rng, self.stopped, value)
        self.figures["exchange_gain"] = self.figures.get("exchange_gain", 0) + gained
        if gained:
            self.offer(roster, objective(evaluate(self.problem, roster)), "exchange")
            if time.monotonic() < until:
                self._replan(until, rng)

    def _replan(self, until: float, rng: random.Random) -> None:
        """Re-plan people one at a time by the DP against the incumbent's others (construct.replan) and offer the
        result: a move of milliseconds per person where a sub-model would take seconds to build."""
        with self._lock:
            incumbent = self.best
        stop = self.stopped
        roster = replan(self.problem, incumbent, until, stop, rng.randrange(1, 1 << 30))
        self.count("replan_passes")
        if meets_hard_minimums(self.problem, roster):
            value = objective(evaluate(self.problem, roster))
            if _TRACE:
                print(f"replan {value} best={self.best_objective}", file=sys.stderr)
            self.offer(roster, value, "replan")


class BuildTimes:
    """A guess at how long building a sub-model takes: a part for the whole period (the fixed cells' constants,
    every seat group) and a part per free cell, both from the builds seen so far (the slowest rate seen)."""

    # before any build: about 2.5 microseconds per duty of the period for the whole-period part (instance 24,
    # 1.7M duties, 4.3 s at load 3) and nothing per free cell
    PER_DUTY = 2.5e-6

    def __init__(self, duties: int):
        self.whole = duties * self.PER_DUTY
        self.seen = False
        self.per_cell = 0.0

    def predict(self, cells: int) -> float:
        """Seconds a build with this many free cells should take."""
        return self.whole + self.per_cell * cells

    def add(self, cells: int, seconds: float) -> None:
        """Learn from one build."""
        self.whole = seconds if not self.seen else min(self.whole, seconds)
        self.seen = True
        self.per_cell = max(self.per_cell, (seconds - self.whole) / max(cells, 1))
