"""``python -m scheduling roster FILE``: read a Curtois or JSON roster problem, solve it, print the JSON result."""
from __future__ import annotations

import argparse
from pathlib import Path

from scheduling.cli import InputError, nonnegative_int, positive_float, positive_int, write_result
from scheduling.common import SolverSettings
from scheduling.roster.curtois import looks_like_curtois, parse_curtois
from scheduling.roster.jsonio import parse_json
from scheduling.roster.problem import Problem


def register(commands) -> None:
    """Add the `roster` sub-command."""
    parser = commands.add_parser("roster", help="build a duty roster", description=__doc__)
    parser.add_argument("file", help="problem file (Curtois text or JSON)")
    parser.add_argument("--format", choices=("curtois", "json"), help="file format (default: from the file)")
    parser.add_argument("--time-limit", type=positive_float, default=60.0, help="seconds (default 60)")
    parser.add_argument("--workers", type=positive_int, default=2, help="solver threads (default 2)")
    parser.add_argument("--seed", type=nonnegative_int, default=0, help="random seed (default 0)")
    parser.add_argument("--out", help="write the JSON result to this file instead of printing it")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Solve the file and write the result; bad input raises InputError (exit status 2)."""
    from scheduling.roster.solve import solve

    problem = load(args.file, args.format)
    result = solve(problem, SolverSettings(args.time_limit, args.workers, args.seed))
    write_result(result.to_json(), args.out)
    return 0


def load(path: str, fmt: str | None = None) -> Problem:
    """Read a problem file, guessing the format from the extension or the content when not given."""
    with open(path, encoding="utf-8") as handle:
        try:
            text = handle.read()
        except UnicodeDecodeError:
            raise InputError(path, None, "not a UTF-8 text file") from None
    if fmt is None:
        suffix = Path(path).suffix.lower()
        if suffix == ".json" or text.lstrip().startswith("{"):
            fmt = "json"
        elif suffix == ".txt" or looks_like_curtois(text):
            fmt = "curtois"
        else:
            raise InputError(path, 1, "unknown format: use --format curtois or --format json")
    return parse_json(text, path) if fmt == "json" else parse_curtois(text, path)
