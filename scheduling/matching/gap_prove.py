"""The GAP solver's proof phase (step 6 of ``gap_solve``): once the knapsack Lagrangian bound (``gap_lagrange``)
leaves few pairs an answer cheaper than a target could use, the branch-and-bound of ``gap_branch`` races a
one-worker CP-SAT on those pairs until one proves that no answer is cheaper than the target or finds one.

The target is the bound plus one, not the best answer: an answer near the bound is found or ruled out with far
fewer pairs than the search's best leaves when it is a few units above the optimum (c10200 at 2810: 503 pairs and
6 s for one unit; the optimum 2806 against the bound 2804: 260 and 302 pairs), and each round ruled out raises the
bound by one. When the best answer is one above the bound the target is the best answer: the old proof.

``ProofPhase`` is a part of the solver's ``_Search`` (its state: ``p``, ``best``, ``best_cost``, ``bound``, ``lp``,
``tuning``, the clock, the lock and the solvers listed for stop_search), kept here so that the solver's module
reads as its search and this one as its proof.
"""
from __future__ import annotations

import math
import threading
import time

from ortools.sat.python import cp_model

from scheduling.common import SolverSettings
from scheduling.matching.gap_branch import BranchAndBound, memory_cells
from scheduling.matching.gap_bounds import job_prices
from scheduling.matching.gap_lagrange import KnapsackBound


MAX_CELLS = 20_000_000  # the branch-and-bound's stack of masks (a byte a cell): 200 jobs x 20 agents use 0.8 M


class ProofPhase:
    """The proof phase's methods of the GAP solver's search (mixed into ``gap_solve._Search``)."""

    def _prove(self) -> bool:
        """While the knapsack bound leaves a small model: drop the pairs no answer cheaper than the target (the
        bound plus one, at most the best) can use, then search what is left for such an answer (branch-and-bound
        beside a CP-SAT worker): none raises the bound to the target, one found starts a new round; until the best
        meets the bound. False when the model is too large for this."""
        while not self.done():
            pairs = self._tightened()
            if self.done():
                return True
            if not self._within_reach(pairs):
                return False
            self._race(pairs, self._target())
        return True

    def _within_reach(self, pairs: list[tuple[int, int]]) -> bool:
        """True when the proof is worth the cores: few pairs left, and the best near enough to the bound that the
        rounds of one unit each can meet (type d problems leave few pairs but a gap of a hundred units)."""
        return (len(pairs) <= self.tuning.prove_pairs * self.p.jobs
                and self.best_cost - self.bound <= self.tuning.prove_gap)

    def _target(self, step: int = 1) -> int:
        """The next round looks for an answer cheaper than this: `step` above the bound (one for the proof), at
        most the best's cost."""
        return int(min(self.best_cost, self.bound + step))

    def _improve(self, until: float) -> None:
        """Improving rounds while the best is too far above the bound for the proof's rounds of one unit: look for
        an answer cheaper than a target a few units above the bound (the knapsack bound leaves few pairs there, so
        the branch-and-bound's tree is small), the step doubling after each round. An exhausted tree raises the bound
        to the target; a round out of its share of the time most likely had no answer to find (proving that takes
        the whole tree), and a higher target has some: e40400 from the bound 44557, target + 4: nothing in 8 s,
        + 8: 44562 (the best known) in 6 s. Answers found below a target are near the optimum (e20400: 44877, the
        optimum, found and proven from 44917 at the bound plus 5 in 1.4 s). Ends when a target would leave too many
        pairs: then the tree is too large for this (type d beyond about 10 units). Also ends when the first round
        or two rounds in a row neither exhaust their tree nor find an answer: the trees are too large there (type
        d: d20200 from 12230, targets + 2, + 4, + 8: 6 s each for nothing, time the LNS had better use)."""
        step, misses = self.tuning.improve_step, 0
        while not self.done() and time.monotonic() < until:
            pairs = self._tightened(step)
            if self.done() or len(pairs) > self.tuning.improve_pairs * self.p.jobs:
                return
            target, before = self._target(step), self.best_cost
            last = target >= self.best_cost  # the target is the best itself: no higher one to ask for
            round_end = min(until, time.monotonic() + self.tuning.improve_round * self.settings.time_limit)
            exhausted = self._race(pairs, target, round_end)
            misses = 0 if exhausted or self.best_cost < before else misses + 1
            if last or misses >= 2 or (misses and step == self.tuning.improve_step):
                return
            step *= 2

    def _race(self, pairs: list[tuple[int, int]], incumbent: int, until: float | None = None) -> bool:
        """Branch-and-bound here and CP-SAT (one worker) in a thread on the pairs left, each looking for an answer
        cheaper than incumbent (the target), until one of them proves there is none (the bound rises to it), a
        cheaper answer turns up, or time is up. The tabu search stops: near the optimum the proof needs the cores
        more. With `until` (an improving round) the tabu search keeps the other core instead of CP-SAT, and the
        tree runs on past answers (each cheaper answer prunes it) to its end or `until`. True when the tree was
        exhausted."""
        improving = until is not None
        if not improving:
            self.tabu_stop = self.tuning.prove_helper != "tabu"
        halt = threading.Event()
        helper = threading.Thread(target=self._cheaper_on, args=(pairs, incumbent, self.left(), halt), daemon=True)
        if self.tuning.prove_helper == "cpsat" and not improving:
            helper.start()
        search = BranchAndBound(self.p, self.knapsack.allowed, self.knapsack.v, incumbent,  # type: ignore[union-attr]
                                self.best)  # type: ignore[arg-type]
        nodes = 4
        while not self.done() and (improving or self.best_cost >= incumbent) and self.bound < incumbent:
            if improving and time.monotonic() >= until:
                break
            began = time.monotonic()
            search.ub[0] = min(search.ub[0], int(self.best_cost))  # the tabu search's answers prune the tree too
            search.run(nodes)
            if search.ub[0] < self.best_cost:
                self.offer(search.best.tolist())
            if search.finished:
                # no answer cheaper than ub (the target, or the cheaper answer found) on the pairs one could use
                self._raise_bound(int(search.ub[0]))
                break
            took = time.monotonic() - began
            # chunks long enough to pay the call, short enough to stop soon after the deadline
            nodes = max(1, min(nodes * 4, int(nodes * 0.1 / max(took, 1e-4))))
        with self._lock:
            halt.set()
            for solver in list(self._solvers):
                solver.stop_search()
        if helper.is_alive():
            helper.join(timeout=self.left() + 0.5)
        return search.finished

    def _provable(self) -> bool:
        """True when the knapsack bound can be used: an answer, the LP's duals, the knob on, and a problem small
        enough for the branch-and-bound's stack."""
        return (self.best is not None and self.lp is not None and bool(self.lp.duals) and self.tuning.knapsack
                and memory_cells(self.p) <= MAX_CELLS)

    def _tightened(self, step: int = 1) -> list[tuple[int, int]]:
        """Raise the knapsack bound against the target `step` above the bound (the bound rises to the target, and
        the target with it, while the knapsack bound passes it) and return the pairs an answer cheaper than the
        target could use."""
        if self.knapsack is None:
            self.knapsack = KnapsackBound(self.p, job_prices(self.p, self.lp.duals))  # type: ignore[union-attr]
            # the bound over all pairs first, so the targets start near it rather than at the LP bound
            bound = self.knapsack.lift(int(self.best_cost))
            self._raise_bound(min(int(self.best_cost), math.ceil(bound - 1e-6)))
        while not self.done():
            target = self._target(step)
            bound = self.knapsack.tighten(target, time.monotonic() + 0.3 * self.left())
            if bound == -math.inf:
                break  # the time ran out before a round
            self._raise_bound(target if bound == math.inf else math.ceil(bound - 1e-6))
            if bound < math.inf:
                break
        return self.knapsack.pairs()

    def _raise_bound(self, bound: int) -> None:
        """No answer is cheaper than `bound`: the best is optimal once it costs no more."""
        with self._lock:
            self.bound = max(self.bound, bound)

    def _cheaper_on(self, pairs: list[tuple[int, int]], incumbent: int, budget: float,
                    halt: threading.Event) -> None:
        """CP-SAT (one worker) for an answer cheaper than incumbent on the given pairs: INFEASIBLE proves the
        best optimal; an answer found is offered."""
        p = self.p
        model = cp_model.CpModel()
        x = {(i, j): model.new_bool_var(f"x_{i}_{j}") for i, j in pairs}
        by_job: dict[int, list] = {j: [] for j in range(p.jobs)}
        by_agent: dict[int, list] = {i: [] for i in range(p.agents)}
        for (i, j), var in x.items():
            by_job[j].append(var)
            by_agent[i].append((var, p.weights[i][j]))
        for lits in by_job.values():
            model.add_exactly_one(lits)
        for i, terms in by_agent.items():
            if sum(w for _, w in terms) > p.capacities[i]:
                model.add(cp_model.LinearExpr.weighted_sum([v for v, _ in terms], [w for _, w in terms])
                          <= p.capacities[i])
        objective = cp_model.LinearExpr.weighted_sum(list(x.values()), [p.costs[i][j] for i, j in x])
        model.add(objective <= incumbent - 1)  # only a cheaper answer is wanted
        model.minimize(objective)
        with self._lock:
            for j, i in enumerate(self.best):  # type: ignore[arg-type]
                if (i, j) in x:
                    model.add_hint(x[i, j], True)
        solver = cp_model.CpSolver()
        SolverSettings(time_limit=budget, workers=1, seed=self.rng.randrange(1 << 30),
                       log=self.settings.log).apply(solver)
        solver.parameters.linearization_level = 2
        status = self._run(solver, model, halt)
        if status is None:
            return
        if status == cp_model.INFEASIBLE:
            self._raise_bound(incumbent)  # nothing cheaper than the target
        elif status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            new = [0] * p.jobs
            for (i, j), var in x.items():
                if solver.boolean_value(var):
                    new[j] = i
            self.offer(new)
            if status == cp_model.OPTIMAL:
                # the cheapest of the answers cheaper than the target: optimal overall
                self._raise_bound(round(solver.objective_value))
