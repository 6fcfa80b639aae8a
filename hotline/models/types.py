"""Column types and helpers shared by the models."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
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


def day_start(day: date) -> datetime:
    """The first moment of a day in the province (Beijing midnight), in UTC: a period of days runs from the
    day_start of its first day up to (not including) the day_start of the day after its last."""
    return datetime.combine(day, time.min, tzinfo=PROVINCE_TZ).astimezone(timezone.utc)


class LocalDays:
    """Mixin for a span of whole days in the province, `first` to `last` inclusive (a dataclass's fields): the span
    in UTC moments, as day_start counts it."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        """The first moment of the span (UTC)."""
        return day_start(self.first)

    @property
    def end(self) -> datetime:
        """The first moment after the span (UTC)."""
        return day_start(self.last + timedelta(days=1))


def utcnow() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(timezone.utc)


def one_of(column: str, codes: Iterable[str], name: str | None = None) -> CheckConstraint:
    """A check constraint keeping a code column within its vocabulary."""
    quoted = ", ".join("'" + code.replace("'", "''") + "'" for code in codes)
    return CheckConstraint(f"{column} IN ({quoted})", name=name or f"{column}_valid")


def append_only(model, noun: str) -> tuple[tuple[str, ...], tuple[str, ...], str]:
    """Make a table append-only: the ORM refuses to update or delete its rows, and so does the database, by triggers
    created with the table (SQLite: no update, no delete; PostgreSQL: a row trigger and a TRUNCATE trigger).

    Returns (SQLite statements, PostgreSQL row statements, PostgreSQL TRUNCATE statement) for the migrations.
    """
    from sqlalchemy import DDL, event

    table = model.__tablename__

    def refuse(verb: str):
        def listener(_mapper, _connection, target) -> None:
            raise PermissionError(f"{noun} {target.id} is append-only and cannot be {verb}")
        return listener

    event.listen(model, "before_update", refuse("changed"))
    event.listen(model, "before_delete", refuse("deleted"))
    message = f"{noun}s are append-only"
    sqlite = (
        f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END",
        f"CREATE TRIGGER {table}_no_delete BEFORE DELETE ON {table} "
        f"BEGIN SELECT RAISE(ABORT, '{message}'); END",
    )
    postgres = (
        f"CREATE OR REPLACE FUNCTION {table}_append_only() RETURNS trigger AS $$ "
        f"BEGIN RAISE EXCEPTION '{message}'; END; $$ LANGUAGE plpgsql",
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        f"FOR EACH ROW EXECUTE FUNCTION {table}_append_only()",
    )
    # Row triggers do not see TRUNCATE (nor TRUNCATE ... CASCADE from a table this one refers to).
    truncate = (f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {table}_append_only()")
    for statement in sqlite:
        event.listen(model.__table__, "after_create", DDL(statement).execute_if(dialect="sqlite"))
    for statement in (*postgres, truncate):
        event.listen(model.__table__, "after_create", DDL(statement).execute_if(dialect="postgresql"))
    return sqlite, postgres, truncate
