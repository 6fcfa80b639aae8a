"""Helpers shared by every feature's forms."""
from __future__ import annotations

from typing import Iterable, Mapping

from wtforms import SelectChoice


def choices(options: Mapping[str, object] | Iterable[tuple[str, object]], blank: object | None = None) -> list:
    """Select options from a vocabulary (code -> label), optionally led by a blank choice."""
    items = options.items() if isinstance(options, Mapping) else options
    result = [SelectChoice("", blank)] if blank is not None else []
    return result + [SelectChoice(code, label) for code, label in items]
