"""Column types and helpers shared by the models."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Iterable
from zoneinfo import ZoneInfo

from sqlalchemy import CheckConstraint, DateTime
from sqlalchemy.types import TypeDecorator


# The province's clock: what users read and what "today" means for rosters and work-order numbers.
PROVINCE_TZ = ZoneInfo("Asia/Shanghai")


class UTCDateTime(TypeDecorator):
    """A timestamp stored as UTC and always returned timezone-aware (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        """Refuse naive datetimes and store UTC."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        """Return an aware UTC datetime."""
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(timezone.utc)


def one_of(column: str, codes: Iterable[str], name: str | None = None) -> CheckConstraint:
    """A check constraint keeping a code column within its vocabulary."""
    quoted = ", ".join("'" + code.replace("'", "''") + "'" for code in codes)
    return CheckConstraint(f"{column} IN ({quoted})", name=name or f"{column}_valid")
