"""GAP solver: LP bound, LP-rounded regret start with repair, then a compiled tabu search in one thread beside
CP-SAT large-neighbourhood search and a final CP-SAT in the others, all sharing the best answer.

1. The LP relaxation (column generation, ``gap_bounds``) gives a proven bound and reduced costs.
2. Start (``gap_start``): jobs the LP assigns whole keep that agent; the rest go by regret to the agent with room
   and the least reduced cost; shifts repair any overload; if that fails CP-SAT looks for a first solution.
3. LNS: free every job of a few related agents and let CP-SAT re-assign them (to any agent with room and a small
   enough reduced cost) with everything else fixed; the neighbourhood grows while the sub-solves prove optimal.
4. Beside 3 and 5, from the start to the end: the tabu search of ``gap_local`` (shift/swap moves, capacity excess
   penalised with oscillating weights); it takes better answers from CP-SAT at its restarts and hands its own over.
5. CP-SAT on the whole problem, pairs that cannot be in an improving solution removed, hinted with the best answer,
   with ``linearization_level=2``: it tries to improve and to prove the bound.
6. Proof (``gap_prove``), instead of the rest of 3 and of 5, once the best is within ``prove_gap`` of the bound and
   the knapsack Lagrangian bound (``gap_lagrange``) leaves at most 3n pairs an answer cheaper than the bound plus
   one could use: rounds in which the branch-and-bound of ``gap_branch`` races a one-worker CP-SAT on those pairs
   either find such an answer (optimal) or raise the bound by one (b/c 200-job problems, small type d).
"""
from __future__ import annotations

import math
import random
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ortools.sat.python import cp_model

from scheduling.common import STATUS_NAMES, CancelToken, Progress, ProgressCallback, SolverSettings, SolveStats
from scheduling.matching.gap import GapProblem, gap_cost, gap_is_feasible
from scheduling.matching.gap_bounds import LpInfo, lp_relaxation
from scheduling.matching.gap_local import TabuSearch
from scheduling.matching.gap_prove import ProofPhase
from scheduling.matching.gap_start import StartPhase

if TYPE_CHECKING:
    from scheduling.matching.gap_lagrange import KnapsackBound


@dataclass
class GapResult:
    """A GAP answer: solve figures and the agent index of each job (None when no answer was found)."""

    stats: SolveStats
    assignment: list[int] | None


@dataclass(frozen=True)
class GapTuning:
    """Knobs of the search (defaults measured on gapd and yagiura; see bench/MATCHING_NOTES.md)."""

    lp_share: float = 0.3
    lns_share: float = 0.75
    sub_time: float = 0.3
    first_jobs: int = 30
    max_agents: int = 8
    stall_rounds: int = 400
    cutoff: bool = False
    near_only: bool = True
    tabu: bool = True
    knapsack: bool = True
    prove_share: float = 0.1
    prove_pairs: float = 3.0
    prove_gap: int = 10  # the proof starts only with the best at most this far above the bound (one unit a round)
    prove_helper: str = "cpsat"  # beside the branch-and-bound: "cpsat" on the same pairs, "tabu" (kept on), "none"
    improve: bool = True  # improving rounds (targets a few units above the bound) when the proof is out of reach
    improve_step: int = 2  # the first improving round's target above the bound (doubled after each exhausted tree)
    improve_round: float = 0.1  # share of the time limit one improving round may take
    improve_pairs: float = 12.0  # no improving round when more than this many pairs per job are left


def solve_gap(
    problem: GapProblem,
    settings: SolverSettings = SolverSettings(),
    on_progress: ProgressCallback | None = None,
    cancel: CancelToken | None = None,
    tuning: GapTuning = GapTuning(),
) -> GapResult:
    """Solve a GAP instance within settings.time_limit; the answer is always feasible or None."""
    return _Search(problem, settings, on_progress, cancel, tuning).run()


class _Search(StartPhase, ProofPhase):
    """State of one solve: incumbent, bound, clock, cancel flag."""

    def __init__(self, problem, settings, on_progress, cancel, tuning):
        self.p: GapProblem = problem
        self.settings: SolverSettings = settings
        self.tuning: GapTuning = tuning
        self.on_progress = on_progress
        self.started = time.monotonic()
        self.deadline = self.started + settings.time_limit
        self.rng = random.Random(settings.seed)
        self.best: list[int] | None = None
        self.best_cost = math.inf
        self.bound = -math.inf
        self.lp: LpInfo | None = None
        self.proven = False
        self.infeasible = False
        self.cancelled = False
        self.cpsat_workers = max(1, settings.workers)  # one fewer while the tabu search runs
        self.tabu_stop = False
        self.knapsack: KnapsackBound | None = None
        self._solvers: set[cp_model.CpSolver] = set()
        self._lock = threading.Lock()
        self._unlisten = cancel.listen(self._stop) if cancel is not None else None

    # -- bookkeeping ---------------------------------------------------------------------------------
    def _stop(self) -> None:
        self.cancelled = True
        for solver in list(self._solvers):
            solver.stop_search()

    def left(self) -> float:
        """Seconds left before the deadline (0 once cancelled)."""
        return 0.0 if self.cancelled else max(0.0, self.deadline - time.monotonic())

    def offer(self, assignment: list[int]) -> bool:
        """Keep the assignment if it is feasible and cheaper than the best; report progress."""
        with self._lock:
            return self._offer(assignment)

    def _offer(self, assignment: list[int]) -> bool:
        if not gap_is_feasible(self.p, assignment):
            return False
        cost = gap_cost(self.p, assignment)
        if cost >= self.best_cost:
            return False
        self.best, self.best_cost = list(assignment), cost
        if self.on_progress is not None:
            bound = self.bound if self.bound > -math.inf else float("nan")
            self.on_progress(Progress(float(cost), float(bound), time.monotonic() - self.started))
        return True

    def done(self) -> bool:
        """True once the best answer meets the bound, is proven optimal, or time is up."""
        return self.proven or self.infeasible or self.left() <= 0 or self.best_cost <= self.bound

    # -- phases --------------------------------------------------------------------------------------
    def run(self) -> GapResult:
        """LP, start, LNS, final CP-SAT; returns the result."""
        try:
            if self._obviously_infeasible():
                self.infeasible = True
            else:
                self.lp = lp_relaxation(self.p, self.left() * self.tuning.lp_share)
                if self.lp is not None and self.lp.infeasible:
                    self.infeasible = True
                elif self.lp is not None:
                    self.bound = math.ceil(self.lp.bound - 1e-6)
            if not self.infeasible:
                self._construct()
                tabu = self._start_tabu()
                if self.best is not None:
                    lns_end = self.started + self.settings.time_limit * self.tuning.lns_share
                    if self.deadline - lns_end < 3e-5 * self.p.agents * self.p.jobs:
                        lns_end = self.deadline  # no time for a useful whole-model pass: search to the end
                    if self._provable():
                        # the knapsack bound may leave a model small enough to prove: try it early if so
                        self._lns(min(lns_end, self.started + self.settings.time_limit * self.tuning.prove_share))
                        if not self.done() and self.tuning.improve and not self._within_reach(self._tightened()):
                            self._improve(lns_end)  # the best too far above the bound for the proof's rounds
                        if not self.done() and self._within_reach(self._tightened()):
                            lns_end = time.monotonic()
                    self._lns(lns_end)
                if not self.done():
                    self._final_cpsat()
                if tabu is not None:
                    # a first run that is still compiling (cold numba cache) is not waited for past the deadline
                    tabu.join(timeout=self.left() + 0.5)
        finally:
            if self._unlisten is not None:
                self._unlisten()
        return self._result()

    def _obviously_infeasible(self) -> bool:
        """A job no agent can take at all."""
        p = self.p
        return any(all(p.weights[i][j] > p.capacities[i] for i in range(p.agents)) for j in range(p.jobs))

    def _reduced(self, i: int, j: int) -> float:
        return self.lp.reduced[i][j] if self.lp is not None else float(self.p.costs[i][j])

    # -- tabu search ---------------------------------------------------------------------------------
    def _start_tabu(self) -> threading.Thread | None:
        """Start the tabu search thread from the best answer (it takes one of the workers from CP-SAT)."""
        if self.best is None or not self.tuning.tabu or self.done():
            return None
        self.cpsat_workers = max(1, self.settings.workers - 1)
        thread = threading.Thread(target=self._tabu_thread, daemon=True)
        thread.start()
        return thread

    def _tabu_thread(self) -> None:
        """Tabu search in chunks of about a tenth of a second (compiled, GIL released), trading answers."""
        p = self.p
        reduced = self.lp.reduced if self.lp is not None else [list(map(float, row)) for row in p.costs]
        duals = self.lp.duals if self.lp is not None and self.lp.duals else [0.0] * p.agents
        with self._lock:
            search = TabuSearch(p, reduced, duals, self.best, seed=self.settings.seed)  # type: ignore[arg-type]
        chunk = 10
        while not self.done() and not self.tabu_stop:
            began = time.monotonic()
            if search.run(chunk):
                self.offer([int(i) for i in search.best])
            with self._lock:
                if self.best_cost < search.best_cost:
                    search.adopt(self.best, int(self.best_cost))  # type: ignore[arg-type]
            took = time.monotonic() - began
            # chunks long enough to pay the call, short enough to stop soon after the deadline
            chunk = max(1, min(chunk * 4, int(chunk * 0.1 / max(took, 1e-4))))

    # -- LNS -----------------------------------------------------------------------------------------
    def _near(self) -> list[list[int]]:
        """For each job, the agents with the least reduced cost (computed once)."""
        if not hasattr(self, "_near_cache"):
            p = self.p
            self._near_cache = [
                sorted((i for i in range(p.agents) if p.weights[i][j] <= p.capacities[i]),
                       key=lambda i: self._reduced(i, j))[:6]
                for j in range(p.jobs)
            ]
        return self._near_cache

    def _related_agents(self, size: int, rng: random.Random) -> list[int]:
        """A seed agent and agents that could cheaply take its jobs, or whose jobs it could take."""
        p, best, near = self.p, self.best, self._near()
        chosen = [rng.randrange(p.agents)]
        while len(chosen) < size:
            score: dict[int, float] = {}
            for j, i in enumerate(best):  # type: ignore[arg-type]
                inside = i in chosen
                for k in near[j]:
                    if k == i:
                        continue
                    if inside and k not in chosen:
                        score[k] = score.get(k, 0.0) + 1.0 / (1.0 + self._reduced(k, j))
                    elif not inside and k in chosen:
                        score[i] = score.get(i, 0.0) + 1.0 / (1.0 + self._reduced(k, j))
            if not score:
                chosen.append(rng.choice([k for k in range(p.agents) if k not in chosen]))
                continue
            chosen.append(max(score, key=lambda k: score[k] * (0.3 + rng.random())))
        return chosen

    def _lns(self, until: float) -> None:
        """One search thread per worker, each with its own random stream, sharing the best answer."""
        self._near()
        seeds = [self.rng.randrange(1 << 30) for _ in range(self.cpsat_workers)]
        if len(seeds) == 1:
            self._lns_thread(until, random.Random(seeds[0]))
            return
        threads = [threading.Thread(target=self._lns_thread, args=(until, random.Random(seed)), daemon=True)
                   for seed in seeds]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    def _lns_thread(self, until: float, rng: random.Random) -> None:
        """Re-solve a batch of jobs from a few related agents, the rest fixed, while time lasts."""
        p = self.p
        batch = self.tuning.first_jobs
        reach = self.tuning.max_agents
        stall = 0
        sub_time = max(0.05, min(self.tuning.sub_time, self.settings.time_limit / 20))
        while not self.done() and time.monotonic() < until and stall < self.tuning.stall_rounds:
            size = min(p.agents, rng.randint(2, max(2, int(reach))))
            agents = self._related_agents(size, rng) if size < p.agents else list(range(p.agents))
            chosen = set(agents)
            with self._lock:
                hint = list(self.best)  # type: ignore[arg-type]
            jobs = [j for j, i in enumerate(hint) if i in chosen]
            if len(jobs) > batch:
                jobs = rng.sample(jobs, int(batch))
            whole = len(jobs) == p.jobs
            budget = min(sub_time, max(0.0, until - time.monotonic()))
            improved, optimal = self._solve_sub(agents, jobs, hint, budget, whole=whole, rng=rng)
            stall = 0 if improved else stall + 1
            # grow the neighbourhood while sub-problems are proven, shrink it when they time out
            if optimal and not improved:
                batch, reach = min(p.jobs, batch * 1.1 + 1), min(p.agents, reach * 1.05 + 0.1)
            elif not improved:
                batch, reach = max(8, batch * 0.8), max(3, reach * 0.9)

    def _solve_sub(self, agents, jobs, hint, budget, whole=False, rng=None) -> tuple[bool, bool]:
        """CP-SAT on the given jobs (others fixed); returns (improved, proven optimal for the sub-problem)."""
        p = self.p
        if budget <= 0:
            return False, False
        chosen = set(agents)
        moving = set(jobs)
        room = list(p.capacities)
        if not whole:
            for j, i in enumerate(hint):
                if j not in moving:
                    room[i] -= p.weights[i][j]
        slack = self.best_cost - self.lp.bound + 1e-6 if self.lp is not None and self.best else math.inf
        near = self._near() if self.tuning.near_only and not whole else None
        model = cp_model.CpModel()
        terms: dict[int, list] = {i: [] for i in range(p.agents)}
        objective_vars, objective_coefs, x = [], [], {}
        for j in jobs:
            lits = []
            for i in range(p.agents):
                # other agents take jobs into their spare room; pairs that cannot improve are left out
                if p.weights[i][j] > room[i]:
                    continue
                if i != hint[j] and self._reduced(i, j) > slack:
                    continue
                if self.tuning.near_only and not whole and i not in chosen and i not in near[j]:
                    continue
                var = model.new_bool_var("")
                x[i, j] = var
                lits.append(var)
                terms[i].append((var, p.weights[i][j]))
                objective_vars.append(var)
                objective_coefs.append(p.costs[i][j])
                if i == hint[j]:
                    model.add_hint(var, True)
            if not lits:
                return False, False
            model.add_exactly_one(lits)
        for i, pairs in terms.items():
            if pairs and sum(w for _, w in pairs) > room[i]:
                model.add(cp_model.LinearExpr.weighted_sum([v for v, _ in pairs], [w for _, w in pairs]) <= room[i])
        objective = cp_model.LinearExpr.weighted_sum(objective_vars, objective_coefs)
        model.minimize(objective)
        if self.tuning.cutoff and not whole:
            # ask only for strictly better sub-answers: the cutoff tightens the LP and prunes the search
            model.add(objective <= sum(p.costs[hint[j]][j] for j in jobs) - 1)
        solver = cp_model.CpSolver()
        # sub-problems are small: one worker with the full LP relaxation proves them fastest (measured)
        workers = self.cpsat_workers if whole else 1
        settings = SolverSettings(time_limit=budget, workers=workers,
                                  seed=(rng or self.rng).randrange(1 << 30), log=self.settings.log)
        settings.apply(solver)
        solver.parameters.linearization_level = 2
        status = self._run(solver, model)
        if status is None:
            return False, False
        if status == cp_model.INFEASIBLE and whole and slack == math.inf:
            self.infeasible = True
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            # with the cutoff, INFEASIBLE proves the sub-problem has nothing better
            return False, status == cp_model.OPTIMAL or (status == cp_model.INFEASIBLE and not whole)
        with self._lock:
            # apply the sub-answer to the current best (another thread may have moved other jobs meanwhile)
            new = list(hint) if whole or self.best is None else list(self.best)
            for (i, j), var in x.items():
                if solver.boolean_value(var):
                    new[j] = i
            improved = self._offer(new)
        if whole:
            self.bound = max(self.bound, math.ceil(solver.best_objective_bound - 1e-6))
            if status == cp_model.OPTIMAL:
                self.proven = True
        return improved, status == cp_model.OPTIMAL

    def _run(self, solver: cp_model.CpSolver, model: cp_model.CpModel,
             halt: threading.Event | None = None) -> int | None:
        """Solve while listed for stop_search (a cancel, or the end of a proof race); None, unsolved, when the
        search was already cancelled or the race already over."""
        with self._lock:
            if self.cancelled or (halt is not None and halt.is_set()):
                return None
            self._solvers.add(solver)
        try:
            return solver.solve(model)
        finally:
            with self._lock:
                self._solvers.discard(solver)

    def _final_cpsat(self) -> None:
        """The knapsack-bound proof when it leaves a small model, else CP-SAT on the whole problem for the time
        left, from the best answer."""
        if self._provable() and self._prove():
            return
        if self.best is not None and self.left() < 3e-5 * self.p.agents * self.p.jobs:
            return  # building and presolving the whole model would take longer than the time left
        hint = self.best if self.best is not None else [0] * self.p.jobs
        self._solve_sub(list(range(self.p.agents)), list(range(self.p.jobs)), hint, self.left(), whole=True)

    def _result(self) -> GapResult:
        wall = time.monotonic() - self.started
        bound = float(self.bound) if self.bound > -math.inf else None
        if self.best is None:
            status = "INFEASIBLE" if self.infeasible else "UNKNOWN"
            return GapResult(SolveStats(status, None, bound if not self.infeasible else None, wall), None)
        optimal = self.proven or (bound is not None and self.best_cost <= bound)
        if optimal:
            bound = float(self.best_cost)
        status = STATUS_NAMES[cp_model.OPTIMAL if optimal else cp_model.FEASIBLE]
        return GapResult(SolveStats(status, float(self.best_cost), bound, wall), list(self.best))
