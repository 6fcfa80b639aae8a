"""``python -m scheduling dispatch FILE``: read disputes and mediation committees from JSON, dispatch, print the plan.

The JSON format is in DISPATCH_FORMAT.md. Errors name the file and the line of the offending object (or the line
json reports for a syntax error) and exit with status 2.
"""
from __future__ import annotations

import argparse
import math
from typing import Any

from scheduling.cli import FieldReader, load_object, read_text, validated, write_result
from scheduling.dispatch import Committee, DispatchProblem, DispatchResult, Dispute, InvalidProblem, dispatch, validate


def register(commands) -> None:
    """Add the ``dispatch`` sub-command."""
    parser = commands.add_parser("dispatch", help="dispatch disputes to people's mediation committees",
                                 description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", help="the JSON problem (see scheduling/DISPATCH_FORMAT.md)")
    parser.add_argument("--out", default=None, help="write the JSON result here instead of printing it")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Read, dispatch, write; bad input raises InputError (exit status 2)."""
    write_result(result_dict(dispatch(read_problem(args.file))), args.out)
    return 0


def result_dict(result: DispatchResult) -> dict[str, Any]:
    """The plan as the command line prints it; the solve is exact, so the bound is the objective."""
    objective = list(result.objective)
    return {
        "status": result.status,
        "objective": objective,
        "bound": objective if result.status == "OPTIMAL" else None,
        "wall_s": round(result.wall_s, 3),
        "served_by_risk": result.served_by_risk,
        "level_total": result.level_total,
        "distance_km": result.distance_km,
        "balance": round(result.balance, 6),
        "assignment": result.assignment,
        "unassigned": {ident: words.as_dict() for ident, words in result.unassigned.items()},
        "load": result.load,
    }


def read_problem(path: str) -> DispatchProblem:
    """Read a JSON problem file."""
    return parse_problem(read_text(path), path)


def parse_problem(text: str, path: str = "<json>") -> DispatchProblem:
    """Parse and validate a JSON problem; raises InputError naming the file and line."""
    data = load_object(text, path)
    reader = _Reader(path)
    problem = DispatchProblem(
        committees=tuple(reader.committee(item) for item in reader.objects(data, "committees")),
        disputes=tuple(reader.dispute(item) for item in reader.objects(data, "disputes")))
    return validated(problem, validate, InvalidProblem, reader, path)


class _Reader(FieldReader):
    """Committee and dispute readers."""

    def whole(self, obj: dict, key: str, noun: str, default: Any = ...) -> int:
        value = self.value(obj, key, int, noun, default)
        if value < 0:
            raise self.fail(obj, f"{noun}: {key!r} must not be below zero")
        return value

    def number(self, obj: dict, key: str, noun: str) -> float:
        value = float(self.value(obj, key, (int, float), noun, 0.0))
        if not math.isfinite(value):
            raise self.fail(obj, f"{noun}: {key!r} is not a finite number")
        return value

    def flag(self, obj: dict, key: str, noun: str) -> bool:
        value = obj.get(key, False)
        if not isinstance(value, bool):
            raise self.fail(obj, f"{noun}: {key!r} must be true or false")
        return value

    def committee(self, obj: dict) -> Committee:
        ident = self.ident(obj, "committees", "a committee")
        noun = f"committee {ident!r}"
        return Committee(
            id=ident, level=self.whole(obj, "level", noun), units=self.names(obj, "units", noun),
            capacity=self.whole(obj, "capacity", noun), types=self.names(obj, "types", noun),
            languages=self.names(obj, "languages", noun) or frozenset({"zh"}), senior=self.flag(obj, "senior", noun),
            lat=self.number(obj, "lat", noun), lon=self.number(obj, "lon", noun))

    def dispute(self, obj: dict) -> Dispute:
        ident = self.ident(obj, "disputes", "a dispute")
        noun = f"dispute {ident!r}"
        return Dispute(
            id=ident, risk=self.value(obj, "risk", str, noun), type=self.value(obj, "type", str, noun),
            units=self.names(obj, "units", noun), language=self.value(obj, "language", str, noun, "zh"),
            lat=self.number(obj, "lat", noun), lon=self.number(obj, "lon", noun),
            excluded=self.names(obj, "excluded", noun))
