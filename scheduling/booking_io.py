"""``python -m scheduling book FILE``: read a consultation-booking batch from JSON, allocate it, print the answer.

The JSON format is in BOOKING_FORMAT.md. Errors name the file and the line of the offending object (or the line
json reports for a syntax error) and exit with status 2.
"""
from __future__ import annotations

import argparse
import re
from datetime import date, datetime
from typing import Any

from scheduling.booking import (
    BookingLawyer,
    BookingProblem,
    BookingRequest,
    BookingResult,
    BookingSlot,
    InvalidProblem,
    allocate,
    validate,
)
from scheduling.cli import (
    FieldReader, load_object, nonnegative_int, positive_float, positive_int, read_text, validated,
    write_result,
)
from scheduling.common import SolverSettings

_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def register(commands) -> None:
    """Add the ``book`` sub-command."""
    parser = commands.add_parser("book", help="allocate pending counsel requests to consultation slots",
                                 description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", help="the JSON batch (see scheduling/BOOKING_FORMAT.md)")
    parser.add_argument("--time-limit", type=positive_float, default=60.0,
                        help="seconds (default 60; taken like the other engines, but the exact flow solve "
                             "finishes without one)")
    parser.add_argument("--workers", type=positive_int, default=2, help="solver threads (default 2; not used)")
    parser.add_argument("--seed", type=nonnegative_int, default=0, help="random seed (default 0; not used)")
    parser.add_argument("--out", default=None, help="write the JSON result here instead of printing it")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Read, allocate, write; bad input raises InputError (exit status 2)."""
    problem = read_problem(args.file)
    result = allocate(problem, SolverSettings(time_limit=args.time_limit, workers=args.workers, seed=args.seed))
    write_result(result_dict(result), args.out)
    return 0


def result_dict(result: BookingResult) -> dict[str, Any]:
    """The answer as the command line prints it."""
    return {
        "status": result.status,
        "objective": result.objective,
        "bound": result.bound,
        "gap": result.gap,
        "wall_s": round(result.wall_s, 3),
        "served": result.served,
        "served_weight": result.served_weight,
        "own_counsel": result.own_counsel_count,
        "allocation": result.allocation,
        "unallocated": result.unallocated,
    }


def read_problem(path: str) -> BookingProblem:
    """Read a JSON batch file."""
    return parse_problem(read_text(path), path)


def parse_problem(text: str, path: str = "<json>") -> BookingProblem:
    """Parse and validate a JSON batch; raises InputError naming the file and line."""
    data = load_object(text, path)
    r = _Reader(path)
    lawyers = tuple(r.lawyer(item) for item in r.objects(data, "lawyers"))
    slots = tuple(r.slot(item) for item in r.objects(data, "slots"))
    requests = tuple(r.request(item) for item in r.objects(data, "requests"))
    return validated(BookingProblem(lawyers=lawyers, slots=slots, requests=requests), validate, InvalidProblem, r, path)




class _Reader(FieldReader):
    """Booking field readers (the generic ones are in scheduling.cli.FieldReader)."""

    def moment(self, obj: dict, value: Any, noun: str, what: str) -> datetime:
        """An ISO 8601 date and time with a UTC offset."""
        try:
            moment = datetime.fromisoformat(value) if isinstance(value, str) else None
        except ValueError:
            moment = None
        if moment is None:
            raise self.fail(obj, f"{noun}: {what} {value!r} is not an ISO 8601 date and time")
        if moment.tzinfo is None:
            raise self.fail(obj, f"{noun}: {what} {value!r} has no UTC offset")
        return moment

    def day(self, obj: dict, value: Any, noun: str, what: str) -> date:
        """A date written YYYY-MM-DD."""
        if isinstance(value, str) and _DATE.fullmatch(value):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        raise self.fail(obj, f"{noun}: {what} {value!r} is not a date (YYYY-MM-DD)")

    def lawyer(self, obj: dict) -> BookingLawyer:
        lid = self.ident(obj, "lawyers", "a lawyer")
        noun = f"lawyer {lid!r}"
        booked = self.value(obj, "already_booked", dict, noun, {})
        if not all(isinstance(n, int) and not isinstance(n, bool) for n in booked.values()):
            raise self.fail(obj, f"{noun}: 'already_booked' must map dates to whole numbers")
        return BookingLawyer(
            id=lid, areas=self.names(obj, "areas", noun), daily_cap=self.value(obj, "daily_cap", int, noun),
            already_booked={self.day(obj, d, noun, "already_booked date"): n for d, n in booked.items()})

    def slot(self, obj: dict) -> BookingSlot:
        sid = self.ident(obj, "slots", "a slot")
        noun = f"slot {sid!r}"
        start = self.moment(obj, self.value(obj, "start", str, noun), noun, "start")
        end = self.moment(obj, self.value(obj, "end", str, noun), noun, "end")
        day = obj.get("day")
        return BookingSlot(id=sid, lawyer=str(self.value(obj, "lawyer", (str, int), noun)), start=start, end=end,
                           mode=self.value(obj, "mode", str, noun),
                           day=start.date() if day is None else self.day(obj, day, noun, "day"))

    def request(self, obj: dict) -> BookingRequest:
        rid = self.ident(obj, "requests", "a request")
        noun = f"request {rid!r}"
        windows = []
        for number, pair in enumerate(self.value(obj, "windows", list, noun), 1):
            if not isinstance(pair, list) or len(pair) != 2:
                raise self.fail(obj, f"{noun}: window {number} must be a [start, end] pair")
            windows.append((self.moment(obj, pair[0], noun, f"window {number} start"),
                            self.moment(obj, pair[1], noun, f"window {number} end")))
        return BookingRequest(
            id=rid, area=self.value(obj, "area", str, noun), mode=self.value(obj, "mode", str, noun),
            priority=self.value(obj, "priority", int, noun, 1), windows=tuple(windows),
            own_counsel=self.names(obj, "own_counsel", noun), excluded=self.names(obj, "excluded", noun))
