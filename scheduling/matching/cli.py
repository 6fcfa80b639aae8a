"""``python -m scheduling assign FILE [--format gap|json] [--problem K] [--time-limit S] [--workers N] [--out F]``.

gap: a generalised assignment text file (single or OR-Library multi-problem, --problem K picks one, 1-based);
prints status, objective, bound, wall_s and "assignment" (0-based agent per job). json: the province matching
problem of FORMAT.md; prints the matching, the unmatched projects with their reasons and the cost breakdown.
"""
from __future__ import annotations

import argparse

from scheduling.cli import InputError, positive_float, positive_int, write_result
from scheduling.common import SolverSettings


def register(commands) -> None:
    """Add the ``assign`` sub-command."""
    parser = commands.add_parser("assign", help="match projects with counsel, or solve a GAP file",
                                 description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("file", help="the problem file")
    parser.add_argument("--format", choices=("gap", "json"), default=None,
                        help="file format (default: json for *.json, gap otherwise)")
    parser.add_argument("--problem", type=positive_int, default=None,
                        help="which problem of an OR-Library multi-problem file (1-based)")
    parser.add_argument("--time-limit", type=positive_float, default=60.0, help="seconds (default 60)")
    parser.add_argument("--workers", type=positive_int, default=2, help="solver threads (default 2)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument("--out", default=None, help="write the JSON result here instead of printing it")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Read, solve, write; bad input raises InputError (exit status 2)."""
    settings = SolverSettings(time_limit=args.time_limit, workers=args.workers, seed=args.seed)
    kind = args.format or ("json" if args.file.lower().endswith(".json") else "gap")
    if kind == "gap":
        from scheduling.matching.gap import read_gap
        from scheduling.matching.gap_solve import solve_gap

        problem = read_gap(args.file, args.problem)
        answer = solve_gap(problem, settings)
        stats = answer.stats
        result = {"status": stats.status, "objective": stats.objective, "bound": stats.bound,
                  "wall_s": round(stats.wall_s, 3), "assignment": answer.assignment}
    else:
        if args.problem is not None:
            raise InputError(args.file, None, "--problem applies only to gap files")
        from scheduling.matching.jsonio import read_problem, result_dict
        from scheduling.matching.solve import match

        result = result_dict(match(read_problem(args.file), settings))
    write_result(result, args.out)
    return 0
