"""The province project-counsel matching problem and its answer, as plain id-keyed dataclasses.

Each key investment project needs a primary and a backup lawyer from the FTZ lawyer service team. Services map
database rows to these classes; the solver never sees anything else. The JSON form is documented in FORMAT.md and
read/written by ``scheduling.matching.jsonio``.

Legal areas and languages are plain codes (e.g. "company", "foreign_investment", "ko", "en"); a project's first
legal area is its main one. Lawyer expertise levels run from 1 (some experience) to 5 (leading expert).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Mapping, Union

from scheduling.common import relative_gap

Id = Union[str, int]

MAX_LEVEL = 5


@dataclass(frozen=True)
class City:
    """A city with its coordinates (degrees), used for travel distances."""

    id: Id
    lat: float
    lon: float
    name: str = ""


@dataclass(frozen=True)
class Project:
    """A key investment project that needs counsel."""

    id: Id
    city: Id
    areas: tuple[str, ...]
    languages: tuple[str, ...] = ()
    hours: float = 4.0
    priority: int = 1
    ftz_area: str | None = None
    sector: str = ""
    investment: float = 0.0
    parties: tuple[str, ...] = ()
    current_primary: Id | None = None
    current_backup: Id | None = None

    @property
    def main_area(self) -> str:
        """The project's main legal area (the first one listed)."""
        return self.areas[0]


@dataclass(frozen=True)
class Lawyer:
    """A lawyer of the FTZ service team, with expertise levels, languages, limits and conflicts."""

    id: Id
    city: Id
    firm: Id
    areas: Mapping[str, int]
    languages: tuple[str, ...] = ()
    hours: float = 160.0
    max_projects: int = 40
    conflict_projects: frozenset = frozenset()
    conflict_firms: frozenset = frozenset()

    def level(self, area: str) -> int:
        """Expertise level in an area (0 when the lawyer does not practise it)."""
        return int(self.areas.get(area, 0))


@dataclass(frozen=True)
class Weights:
    """Coordinator-set weights of the cost terms (all per project and role unless said otherwise)."""

    travel: float = 1.0  # per 100 km between the project's and the lawyer's city (backup counts half)
    expertise: float = 10.0  # per level below the top, over the areas the role must cover
    priority: float = 5.0  # per level below the top, times (priority - 1): important projects get the best fits
    balance: float = 2.0  # per monthly hour a lawyer works above a fair share of the total
    continuity: float = 30.0  # per role whose current counsel is replaced


@dataclass(frozen=True)
class MatchingProblem:
    """Everything the matching needs: cities, projects, lawyers, weights and the model's size knobs."""

    cities: Mapping[Id, City]
    projects: tuple[Project, ...]
    lawyers: tuple[Lawyer, ...]
    weights: Weights = Weights()
    backup_share: float = 0.25  # a backup spends this share of the project's monthly hours
    candidates: int = 12  # lawyers kept per project and role after pruning

    def lawyer_index(self) -> dict[Id, Lawyer]:
        """Lawyers by id."""
        return {lawyer.id: lawyer for lawyer in self.lawyers}


@dataclass(frozen=True)
class Counsel:
    """The matched counsel of one project."""

    primary: Id
    backup: Id


@dataclass(frozen=True)
class Change:
    """One change of counsel made by a re-match: role is "primary" or "backup"; None means none before/after."""

    project: Id
    role: str
    before: Id | None
    after: Id | None


@dataclass
class MatchResult:
    """The answer: counsel per matched project, unmatched projects with their reason, and the solve figures."""

    status: str
    objective: float | None
    bound: float | None
    wall_s: float
    counsel: dict[Id, Counsel] = field(default_factory=dict)
    unmatched: dict[Id, str] = field(default_factory=dict)
    breakdown: dict[str, float] = field(default_factory=dict)
    greedy_objective: float | None = None
    changes: list[Change] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    @property
    def gap(self) -> float | None:
        """Relative gap between objective and bound (0.0 when they meet)."""
        return relative_gap(self.objective, self.bound)


def distance_km(a: City, b: City) -> float:
    """Great-circle distance between two cities in kilometres."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(h)))
