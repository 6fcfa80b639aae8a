"""The cells of a register: how each column's text becomes a value, and the reasons a cell is refused.

Cells are read as the department types them: codes or the labels in either language ("labour", "Labour",
"劳动争议"), full-width digits and punctuation, yes/no as 是/否, lists separated by ; , 、 or new lines. A refused
cell raises ``CellError`` with a code and parameters; the page says it in the reader's language.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from hotline import phones, vocab
from hotline.registers.sheets import looks_like_formula

LIST_SEPARATORS = re.compile(r"[;,、\n|/]+")
TRUE_WORDS = {"1", "y", "yes", "true", "是", "✓", "√", "on"}
FALSE_WORDS = {"0", "n", "no", "false", "否", "×", "off", "-"}
LANGUAGE_ALIASES = {"中文": "zh", "汉语": "zh", "chinese": "zh", "韩国语": "ko", "朝鲜语": "ko"}
USERNAME = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
LICENCE = re.compile(r"^[A-Za-z0-9-]{4,32}$")
PROJECT_CODE = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")


class CellError(ValueError):
    """A cell that cannot be taken; ``code`` and ``params`` are said by the page."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


def clean(text: str | None) -> str:
    """Full-width characters to their plain forms, spaces trimmed; formulas refused."""
    text = unicodedata.normalize("NFKC", text or "").strip()
    if looks_like_formula(text):
        raise CellError("formula")
    return text


def clean_quietly(text: str | None) -> str:
    """A cell as a page may name it (a refused key), never raising."""
    return unicodedata.normalize("NFKC", text or "").strip()[:64]


@dataclass(frozen=True)
class Column:
    """One column of a register: its field, its headers in both languages, how its text is read."""

    key: str
    en: str
    zh: str
    parse: Callable[["Lookups", str], Any]
    required: bool = False
    note_en: str = ""
    note_zh: str = ""

    def header(self, language: str) -> str:
        return self.zh if language.startswith("zh") else self.en


class Lookups:
    """Reference data by every name a spreadsheet may use for it, loaded once per import."""

    def __init__(self, session) -> None:
        from flask_babel import force_locale
        from sqlalchemy import select

        from hotline.models import City, FtzArea, KeyProject, LawFirm, User

        self.cities = _names(session.scalars(select(City)), ("code", "name_zh", "name_en"))
        self.ftz_areas = _names(session.scalars(select(FtzArea)), ("code", "name_zh", "name_en"))
        self.firms = {firm.name.casefold(): firm for firm in session.scalars(select(LawFirm))}
        self.users = {user.username.casefold(): user for user in session.scalars(select(User))}
        self.projects, self.project_cities = {}, {}
        for pid, code, city_id in session.execute(select(KeyProject.id, KeyProject.code, KeyProject.city_id)):
            self.projects[code.casefold()] = pid
            self.project_cities[pid] = city_id
        self.areas, self.languages, self.sectors = {}, {}, {}
        for target, vocabulary in ((self.areas, vocab.LEGAL_AREAS), (self.languages, vocab.LANGUAGES),
                                   (self.sectors, vocab.SECTORS)):
            for code in vocabulary:
                target[code.casefold()] = code
            for locale in ("en", "zh_Hans"):
                with force_locale(locale):
                    for code, text in vocabulary.items():
                        target.setdefault(str(text).casefold(), code)
                        for part in str(text).split("/"):  # "朝鲜语/韩语": either name alone
                            target.setdefault(part.strip().casefold(), code)
        for alias, code in LANGUAGE_ALIASES.items():
            self.languages.setdefault(alias, code)


def _names(items, attributes) -> dict:
    found = {}
    for item in items:
        for attribute in attributes:
            found.setdefault(str(getattr(item, attribute)).casefold(), item)
    return found


# -- readers: (lookups, cleaned text) -> value; blank text is handled by the register (default or required) --

def text(limit: int) -> Callable:
    def read(_lookups, value: str) -> str:
        if len(value) > limit:
            raise CellError("too_long", limit=limit)
        return value
    return read


def pattern(regex: re.Pattern, code: str) -> Callable:
    def read(_lookups, value: str) -> str:
        if not regex.match(value):
            raise CellError(code)
        return value
    return read


def _number(value: str, low, high) -> Decimal:
    """A number as typed ("1,200", "7.5"), finite and within [low, high]."""
    try:
        number = Decimal(value.replace(",", ""))
    except InvalidOperation:
        raise CellError("not_a_number") from None
    if not number.is_finite():
        raise CellError("not_a_number")
    if not low <= number <= high:
        raise CellError("out_of_range", low=low, high=high)
    return number


def whole(low: int, high: int) -> Callable:
    def read(_lookups, value: str) -> int:
        number = _number(value, low, high)
        if number != number.to_integral_value():
            raise CellError("not_whole")
        return int(number)
    return read


def hours_as_minutes(low: int, high: int) -> Callable:
    """Hours as typed (8, 7.5), kept in minutes."""
    def read(_lookups, value: str) -> int:
        return int(_number(value, low, high) * 60)
    return read


def amount(low: float, high: float) -> Callable:
    def read(_lookups, value: str) -> Decimal:
        return _number(value, Decimal(str(low)), Decimal(str(high))).quantize(Decimal("0.01"))
    return read


def yes_no(_lookups, value: str) -> bool:
    word = value.casefold()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise CellError("not_yes_no")


def phone(_lookups, value: str) -> str:
    try:
        return phones.normalise(value)
    except phones.InvalidPhone:
        raise CellError("bad_phone") from None


def email(_lookups, value: str) -> str:
    if len(value) > 200 or not re.match(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", value):
        raise CellError("bad_email")
    return value


def city(lookups: Lookups, value: str) -> int:
    found = lookups.cities.get(value.casefold()) or lookups.cities.get(value.removesuffix("市").casefold())
    if found is None:
        raise CellError("unknown_city", value=value)
    return found.id


def ftz_area(lookups: Lookups, value: str) -> int:
    found = lookups.ftz_areas.get(value.casefold())
    if found is None:
        raise CellError("unknown_ftz_area", value=value)
    return found.id


def firm(lookups: Lookups, value: str) -> int:
    found = lookups.firms.get(value.casefold())
    if found is None:
        raise CellError("unknown_firm", value=value)
    return found.id


def sector(lookups: Lookups, value: str) -> str:
    found = lookups.sectors.get(value.casefold())
    if found is None:
        raise CellError("unknown_sector", value=value)
    return found


def _items(value: str) -> list[str]:
    return [item.strip() for item in LIST_SEPARATORS.split(value) if item.strip()]


def areas(lookups: Lookups, value: str) -> tuple[str, ...]:
    """Legal areas in order (a project's first is its main need)."""
    found = []
    for item in _items(value):
        code = lookups.areas.get(item.casefold())
        if code is None:
            raise CellError("unknown_area", value=item)
        if code not in found:
            found.append(code)
    if not found:
        raise CellError("missing_area")
    return tuple(found)


def areas_with_level(lookups: Lookups, value: str) -> dict[str, int]:
    """"labour:3; company:2" (1 competent, 2 experienced, 3 expert; no level means 1)."""
    found: dict[str, int] = {}
    for item in _items(value):
        name, _, level = item.partition(":")
        code = lookups.areas.get(name.strip().casefold())
        if code is None:
            raise CellError("unknown_area", value=name.strip())
        level = level.strip() or "1"
        if level not in ("1", "2", "3"):
            raise CellError("bad_level", value=item)
        found[code] = int(level)
    if not found:
        raise CellError("missing_area")
    return found


def languages(lookups: Lookups, value: str) -> frozenset[str]:
    found = set()
    for item in _items(value):
        code = lookups.languages.get(item.casefold())
        if code is None:
            raise CellError("unknown_language", value=item)
        found.add(code)
    return frozenset(found)


def project_status(_lookups, value: str) -> str:
    words = {"active": "active", "进行中": "active", "在建": "active", "completed": "completed", "已完成": "completed",
             "竣工": "completed", "suspended": "suspended", "暂停": "suspended", "已暂停": "suspended"}
    found = words.get(value.casefold())
    if found is None:
        raise CellError("unknown_status", value=value)
    return found


def username(_lookups, value: str) -> str:
    if not USERNAME.match(value):
        raise CellError("bad_username")
    return value


def account(lookups: Lookups, value: str) -> int:
    """A lawyer's sign-in account, by username."""
    user = lookups.users.get(value.casefold())
    if user is None or user.role != "lawyer":
        raise CellError("unknown_lawyer_account", value=value)
    return user.id


def project_codes(lookups: Lookups, value: str) -> frozenset[int]:
    found = set()
    for item in _items(value):
        pid = lookups.projects.get(item.casefold())
        if pid is None:
            raise CellError("unknown_project", value=item)
        found.add(pid)
    return frozenset(found)
