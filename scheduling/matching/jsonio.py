"""Read the province matching problem from JSON (see FORMAT.md) and write the answer as a plain dict.

Errors name the file and the line of the offending object (found by its id), so a coordinator can fix the file.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any

from scheduling.cli import InputError
from scheduling.matching.problem import City, Lawyer, MatchingProblem, MatchResult, Project, Weights


class _Reader:
    """Builds dataclasses from parsed JSON, locating errors in the original text."""

    def __init__(self, text: str, path: str):
        self.text = text
        self.path = path

    def line_of(self, section: str, ident: Any = None) -> int:
        """Line of an object's id inside a section (or of the section key, or 1)."""
        start = self.text.find(f'"{section}"')
        if start < 0:
            return 1
        if ident is not None:
            match = re.compile(r'"id"\s*:\s*' + re.escape(json.dumps(ident))).search(self.text, start)
            if match:
                start = match.start()
        return self.text.count("\n", 0, start) + 1

    def fail(self, section: str, ident: Any, problem: str) -> InputError:
        return InputError(self.path, self.line_of(section, ident), problem)

    def field(self, section: str, item: dict, name: str, kind, default: Any = ..., check=None):
        """One field of an object, type-checked; a missing required field is an input error."""
        ident = item.get("id") if isinstance(item, dict) else None
        if not isinstance(item, dict):
            raise self.fail(section, None, f"each entry of {section!r} must be an object")
        if name not in item:
            if default is ...:
                raise self.fail(section, ident, f"{section[:-1]} {ident!r} has no {name!r}")
            return default
        value = item[name]
        ok = isinstance(value, kind) and not isinstance(value, bool) if kind is not bool else isinstance(value, bool)
        if kind in ((int, float), float) and ok and not math.isfinite(value):
            ok = False
        if not ok or (check is not None and not check(value)):
            raise self.fail(section, ident, f"{section[:-1]} {ident!r}: {name!r} has a bad value {value!r}")
        return value


def _strings(values) -> tuple[str, ...]:
    return tuple(str(v) for v in values)


def parse_problem(text: str, path: str = "<json>") -> MatchingProblem:
    """Parse the JSON problem; raises InputError naming the file and line."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(path, error.lineno, f"not valid JSON: {error.msg}") from None
    if not isinstance(data, dict):
        raise InputError(path, 1, "the file must hold one JSON object")
    r = _Reader(text, path)
    number, ident_kind = (int, float), (str, int)
    for section in ("cities", "lawyers", "projects"):
        if not isinstance(data.get(section), list):
            raise InputError(path, r.line_of(section), f"{section!r} must be a list")
    cities = {}
    for item in data["cities"]:
        cid = r.field("cities", item, "id", ident_kind)
        cities[cid] = City(cid, float(r.field("cities", item, "lat", number, check=lambda v: -90 <= v <= 90)),
                           float(r.field("cities", item, "lon", number, check=lambda v: -180 <= v <= 180)),
                           str(r.field("cities", item, "name", str, "")))
    lawyers, seen = [], set()
    for item in data["lawyers"]:
        lid = r.field("lawyers", item, "id", ident_kind)
        if lid in seen:
            raise r.fail("lawyers", lid, f"lawyer id {lid!r} appears twice")
        seen.add(lid)
        city = r.field("lawyers", item, "city", ident_kind)
        if city not in cities:
            raise r.fail("lawyers", lid, f"lawyer {lid!r}: unknown city {city!r}")
        areas = r.field("lawyers", item, "areas", dict)
        if not all(isinstance(v, int) and not isinstance(v, bool) and 1 <= v <= 5 for v in areas.values()):
            raise r.fail("lawyers", lid, f"lawyer {lid!r}: area levels must be whole numbers from 1 to 5")
        lawyers.append(Lawyer(
            id=lid, city=city, firm=r.field("lawyers", item, "firm", ident_kind), areas=dict(areas),
            languages=_strings(r.field("lawyers", item, "languages", list, [])),
            hours=float(r.field("lawyers", item, "hours", number, 160.0, check=lambda v: v >= 0)),
            max_projects=r.field("lawyers", item, "max_projects", int, 40, check=lambda v: v >= 0),
            conflict_projects=frozenset(r.field("lawyers", item, "conflict_projects", list, [])),
            conflict_firms=frozenset(_strings(r.field("lawyers", item, "conflict_firms", list, []))),
        ))
    projects, seen = [], set()
    for item in data["projects"]:
        pid = r.field("projects", item, "id", ident_kind)
        if pid in seen:
            raise r.fail("projects", pid, f"project id {pid!r} appears twice")
        seen.add(pid)
        city = r.field("projects", item, "city", ident_kind)
        if city not in cities:
            raise r.fail("projects", pid, f"project {pid!r}: unknown city {city!r}")
        areas = r.field("projects", item, "areas", list, check=lambda v: len(v) > 0)
        projects.append(Project(
            id=pid, city=city, areas=_strings(areas),
            languages=_strings(r.field("projects", item, "languages", list, [])),
            hours=float(r.field("projects", item, "hours", number, 4.0, check=lambda v: v >= 0)),
            priority=r.field("projects", item, "priority", int, 1, check=lambda v: 1 <= v <= 5),
            ftz_area=item.get("ftz_area"), sector=str(item.get("sector", "")),
            investment=float(r.field("projects", item, "investment", number, 0.0)),
            parties=_strings(r.field("projects", item, "parties", list, [])),
            current_primary=item.get("current_primary"), current_backup=item.get("current_backup"),
        ))
    weights = data.get("weights", {})
    if not isinstance(weights, dict) or not all(
            k in Weights.__dataclass_fields__ and isinstance(v, (int, float)) and v >= 0 for k, v in weights.items()):
        raise InputError(path, r.line_of("weights"), "'weights' must map travel, expertise, priority, balance "
                                                     "and continuity to numbers of at least 0")
    share = data.get("backup_share", 0.25)
    if not isinstance(share, (int, float)) or not 0 <= share <= 1:
        raise InputError(path, r.line_of("backup_share"), "'backup_share' must be a number from 0 to 1")
    keep = data.get("candidates", 12)
    if not isinstance(keep, int) or keep < 2:
        raise InputError(path, r.line_of("candidates"), "'candidates' must be a whole number of at least 2")
    return MatchingProblem(cities=cities, projects=tuple(projects), lawyers=tuple(lawyers),
                           weights=Weights(**{k: float(v) for k, v in weights.items()}),
                           backup_share=float(share), candidates=keep)


def read_problem(path: str) -> MatchingProblem:
    """Read a JSON problem file."""
    with open(path, encoding="utf-8") as handle:
        return parse_problem(handle.read(), path)


def result_dict(result: MatchResult) -> dict[str, Any]:
    """The answer as the command line prints it."""
    return {
        "status": result.status,
        "objective": result.objective,
        "bound": result.bound,
        "gap": result.gap,
        "wall_s": round(result.wall_s, 3),
        "greedy_objective": result.greedy_objective,
        "matching": {str(pid): {"primary": c.primary, "backup": c.backup} for pid, c in result.counsel.items()},
        "unmatched": [{"project": pid, "reason": reason} for pid, reason in result.unmatched.items()],
        "breakdown": result.breakdown,
        "changes": [{"project": c.project, "role": c.role, "before": c.before, "after": c.after}
                    for c in result.changes],
    }
