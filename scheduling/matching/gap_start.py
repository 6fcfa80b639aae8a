"""The GAP solver's start (step 2 of ``gap_solve``): regret starts (LP-rounded by reduced cost, then by relative
weight), repaired by shifts off overloaded agents, then first-improvement shifts; CP-SAT for a first answer when no
start can be repaired.

``StartPhase`` is a part of the solver's ``_Search`` (its state: ``p``, ``lp``, ``best``, the clock, ``offer``,
``_reduced`` and ``_solve_sub``), kept here so that the solver's module reads as its search.
"""
from __future__ import annotations

import math
import time

from scheduling.matching.gap import gap_loads


class StartPhase:
    """The start's methods of the GAP solver's search (mixed into ``gap_solve._Search``)."""

    def _construct(self) -> None:
        """Regret starts (LP-rounded by reduced cost, then by relative weight), repaired by shifts; CP-SAT for a
        first answer if none of them is feasible."""
        p = self.p
        rounded = list(self.lp.rounded) if self.lp is not None else [None] * p.jobs
        by_cost = lambda i, j: (self._reduced(i, j), p.weights[i][j])  # noqa: E731
        # tight instances: placing each job where it uses the least share of the capacity finds room
        by_room = lambda i, j: (p.weights[i][j] / max(1, p.capacities[i]), self._reduced(i, j))  # noqa: E731
        full = []
        for start, key in ((rounded, by_cost), ([None] * p.jobs, by_room)):
            full = self._regret_start(start, key)
            self._repair(full)
            if self.offer(full) or self.best is not None:
                break
        if self.best is None:
            self._first_by_cpsat(full)
        if self.best is not None:
            self._improve_by_shifts()

    def _regret_start(self, start: list[int | None], key) -> list[int]:
        """Complete a partial assignment: jobs by decreasing regret, each to its best agent with room."""
        p, m = self.p, self.p.agents
        assignment = list(start)
        room = list(p.capacities)
        for j, i in enumerate(assignment):
            if i is not None:
                room[i] -= p.weights[i][j]

        def regret(j: int) -> float:
            keys = sorted(key(i, j)[0] for i in range(m) if p.weights[i][j] <= p.capacities[i])
            return keys[1] - keys[0] if len(keys) > 1 else math.inf

        for j in sorted((j for j, i in enumerate(assignment) if i is None), key=regret, reverse=True):
            fits = [i for i in range(m) if p.weights[i][j] <= room[i]]
            pool = fits or [i for i in range(m) if p.weights[i][j] <= p.capacities[i]]
            i = min(pool, key=lambda a: key(a, j))
            assignment[j] = i
            room[i] -= p.weights[i][j]
        return [int(i) for i in assignment]  # type: ignore[arg-type]

    def _repair(self, assignment: list[int]) -> None:
        """Move jobs off overloaded agents to agents with room, cheapest reduced cost first."""
        p = self.p
        loads = gap_loads(p, assignment)
        until = time.monotonic() + 0.1 * self.left()
        for _ in range(p.jobs):
            over = [i for i in range(p.agents) if loads[i] > p.capacities[i]]
            if not over or time.monotonic() > until:
                return
            moves = []
            for i in over:
                for j in (j for j, a in enumerate(assignment) if a == i):
                    for k in range(p.agents):
                        if k != i and loads[k] + p.weights[k][j] <= p.capacities[k]:
                            moves.append((self._reduced(k, j) - self._reduced(i, j), j, k))
            if not moves:
                return
            _, j, k = min(moves)
            loads[assignment[j]] -= p.weights[assignment[j]][j]
            assignment[j] = k
            loads[k] += p.weights[k][j]

    def _improve_by_shifts(self) -> None:
        """First-improvement shifts of single jobs to cheaper agents with room."""
        p = self.p
        assignment = list(self.best)  # type: ignore[arg-type]
        loads = gap_loads(p, assignment)
        improved = True
        while improved and self.left() > 0:
            improved = False
            for j in range(p.jobs):
                i = assignment[j]
                for k in range(p.agents):
                    if p.costs[k][j] < p.costs[i][j] and loads[k] + p.weights[k][j] <= p.capacities[k]:
                        loads[i] -= p.weights[i][j]
                        loads[k] += p.weights[k][j]
                        assignment[j], i, improved = k, k, True
        self.offer(assignment)

    def _first_by_cpsat(self, hint: list[int]) -> None:
        """No repaired start: ask CP-SAT for any answer on the whole problem (hinted with the start)."""
        budget = self.left() * 0.5
        self._solve_sub(list(range(self.p.agents)), list(range(self.p.jobs)), hint, budget, whole=True)
