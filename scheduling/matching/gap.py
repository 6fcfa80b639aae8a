"""The generalised assignment problem (GAP): the plain data, the text readers and cost/feasibility checks.

Assign every job j to exactly one agent i so that, for each agent, the sum of a[i][j] over its jobs stays within
b[i]; minimise the sum of c[i][j]. Text format (OR-Library's; tests/data/README.md): ``m n``, the cost matrix c
(m rows of n), the resource matrix a (m rows of n), the capacities b (m numbers). OR-Library multi-problem files
start with the number of problems and hold that many such blocks one after another.

The solver lives in ``gap_solve.py``; this module only reads and checks.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from scheduling.cli import InputError


@dataclass(frozen=True)
class GapProblem:
    """One GAP instance: costs[i][j], weights[i][j] (resource used) and capacities[i], all whole numbers."""

    costs: tuple[tuple[int, ...], ...]
    weights: tuple[tuple[int, ...], ...]
    capacities: tuple[int, ...]
    name: str = ""

    @property
    def agents(self) -> int:
        """Number of agents (m)."""
        return len(self.capacities)

    @property
    def jobs(self) -> int:
        """Number of jobs (n)."""
        return len(self.costs[0]) if self.costs else 0


def gap_cost(problem: GapProblem, assignment: list[int]) -> int:
    """Total cost of an assignment (agent index per job)."""
    return sum(problem.costs[i][j] for j, i in enumerate(assignment))


def gap_loads(problem: GapProblem, assignment: list[int]) -> list[int]:
    """Resource used by each agent under an assignment."""
    loads = [0] * problem.agents
    for j, i in enumerate(assignment):
        loads[i] += problem.weights[i][j]
    return loads


def gap_is_feasible(problem: GapProblem, assignment: list[int] | None) -> bool:
    """True if every job has a valid agent and no agent is over its capacity."""
    if assignment is None or len(assignment) != problem.jobs:
        return False
    if any(not 0 <= i < problem.agents for i in assignment):
        return False
    return all(load <= cap for load, cap in zip(gap_loads(problem, assignment), problem.capacities))


_TOKEN = re.compile(r"\S+")


def _tokens(text: str, path: str) -> list[tuple[int, int]]:
    """Every whole number in the text with its 1-based line number; anything else is an input error."""
    found: list[tuple[int, int]] = []
    for line_no, line in enumerate(text.splitlines(), start=1):
        for match in _TOKEN.finditer(line):
            word = match.group()
            try:
                found.append((int(word), line_no))
            except ValueError:
                raise InputError(path, line_no, f"expected a whole number, found {word!r}") from None
    return found


class _Cursor:
    """Reads numbers one at a time and names the line of whatever goes wrong."""

    def __init__(self, tokens: list[tuple[int, int]], path: str):
        self.tokens = tokens
        self.path = path
        self.pos = 0

    def line(self) -> int:
        """Line of the next number (or of the last one at the end of the file)."""
        if not self.tokens:
            return 1
        return self.tokens[min(self.pos, len(self.tokens) - 1)][1]

    def take(self, what: str, minimum: int | None = None) -> int:
        """The next number; an input error if the file has ended or the number is below minimum."""
        if self.pos >= len(self.tokens):
            raise InputError(self.path, self.line(), f"file ends where {what} was expected")
        value, line_no = self.tokens[self.pos]
        self.pos += 1
        if minimum is not None and value < minimum:
            raise InputError(self.path, line_no, f"{what} must be at least {minimum}, found {value}")
        return value

    def matrix(self, m: int, n: int, what: str, minimum: int | None) -> tuple[tuple[int, ...], ...]:
        """An m x n matrix read row by row."""
        return tuple(
            tuple(self.take(f"{what}[{i + 1}][{j + 1}]", minimum) for j in range(n)) for i in range(m)
        )


def _read_block(cursor: _Cursor, name: str) -> GapProblem:
    """One problem: m n, costs, weights, capacities."""
    m = cursor.take("the number of agents", 1)
    n = cursor.take("the number of jobs", 1)
    costs = cursor.matrix(m, n, "cost", None)
    weights = cursor.matrix(m, n, "resource", 0)
    capacities = tuple(cursor.take(f"capacity[{i + 1}]", 0) for i in range(m))
    return GapProblem(costs=costs, weights=weights, capacities=capacities, name=name)


def _is_single(tokens: list[tuple[int, int]]) -> bool:
    """A single-problem file holds exactly 2 + 2mn + m numbers with m, n its first two."""
    if len(tokens) < 2:
        return False
    m, n = tokens[0][0], tokens[1][0]
    return m >= 1 and n >= 1 and len(tokens) == 2 + 2 * m * n + m


def parse_gap(text: str, path: str = "<text>", problem: int | None = None) -> GapProblem:
    """Parse a single-problem or OR-Library multi-problem GAP text; problem is 1-based (default 1)."""
    tokens = _tokens(text, path)
    if not tokens:
        raise InputError(path, 1, "the file holds no numbers")
    stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
    cursor = _Cursor(tokens, path)
    wanted = 1 if problem is None else problem
    if _is_single(tokens):
        if wanted != 1:
            raise InputError(path, 1, f"--problem {wanted} asked for, but the file holds one problem")
        return _read_block(cursor, stem)
    count = cursor.take("the number of problems", 1)
    if not 1 <= wanted <= count:
        raise InputError(path, 1, f"--problem {wanted} asked for, but the file holds {count} problems")
    chosen = None
    for k in range(1, count + 1):
        block = _read_block(cursor, f"{stem}-{k}")
        if k == wanted:
            chosen = block
    if cursor.pos != len(tokens):
        raise InputError(path, cursor.line(), f"unexpected numbers after the {count} problems")
    assert chosen is not None
    return chosen


def read_gap(path: str, problem: int | None = None) -> GapProblem:
    """Read a GAP file (single or multi-problem); raises InputError naming the file and line."""
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    return parse_gap(text, path, problem)


def gap_problem_count(path: str) -> int:
    """How many problems a GAP file holds (1 for a single-problem file)."""
    with open(path, encoding="utf-8") as handle:
        tokens = _tokens(handle.read(), path)
    if _is_single(tokens):
        return 1
    return tokens[0][0] if tokens else 0
