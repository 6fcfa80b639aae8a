"""Helpers shared by every feature's forms."""
from __future__ import annotations

from typing import Iterable, Mapping

from wtforms import SelectChoice


def choices(options: Mapping[str, object] | Iterable[tuple[str, object]], blank: object | None = None) -> list:
    """Select options from a vocabulary (code -> label), optionally led by a blank choice."""
    items = options.items() if isinstance(options, Mapping) else options
    result = [SelectChoice("", blank)] if blank is not None else []
    return result + [SelectChoice(code, label) for code, label in items]


def seconds_field(value: str | None, default: int = 30, low: int = 5, high: int = 600) -> int | None:
    """A solver time limit typed into a form: whole seconds within [low, high], or None when it is not."""
    try:
        seconds = int(value if value not in (None, "") else default)
    except ValueError:
        return None
    return seconds if low <= seconds <= high else None
