"""Bulk rows for the demo and the benchmarks: COPY on PostgreSQL, executemany elsewhere."""
from __future__ import annotations

import json
from datetime import timezone

from sqlalchemy import Table
from sqlalchemy.orm import Session

CHUNK = 20000


def insert_rows(session: Session, table: Table, rows: list[dict]) -> None:
    """Insert plain rows (every row with the same keys) into a table, in the session's transaction."""
    if not rows:
        return
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        for start in range(0, len(rows), CHUNK):
            session.execute(table.insert(), rows[start:start + CHUNK])
        return
    names = list(rows[0])
    json_columns = {name for name in names if table.c[name].type.__class__.__name__ == "JSON"}
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f'COPY "{table.name}" ({", ".join(names)}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row([json.dumps(row[name], ensure_ascii=False) if name in json_columns
                            else _value(row[name]) for name in names])


def _value(value):
    if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
        return value.astimezone(timezone.utc)
    return value


def analyze(session: Session, *tables: Table) -> None:
    """Refresh PostgreSQL's statistics of tables just filled (its planner would take them for nearly empty)."""
    if session.connection().dialect.name == "postgresql":
        for table in tables:
            session.connection().exec_driver_sql(f'ANALYZE "{table.name}"')
