"""Sub-commands of ``python -m scheduling``: one ``register(subparsers)`` function per engine.

Each register function adds its sub-parser and sets ``run=handler`` via ``set_defaults``; the handler takes the
parsed arguments, writes the result with ``scheduling.cli.write_result`` and returns the exit status.
"""
from __future__ import annotations

from typing import Callable


def _roster(commands) -> None:
    """python -m scheduling roster ..."""
    from scheduling.roster.cli import register

    register(commands)


def _assign(commands) -> None:
    """python -m scheduling assign ..."""
    from scheduling.matching.cli import register

    register(commands)


def _book(commands) -> None:
    """python -m scheduling book ..."""
    from scheduling.booking_io import register

    register(commands)


def _dispatch(commands) -> None:
    """python -m scheduling dispatch ..."""
    from scheduling.dispatch_io import register

    register(commands)


REGISTRARS: list[Callable] = [_roster, _assign, _book, _dispatch]
