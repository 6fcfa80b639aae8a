"""Database engine behaviour: SQLite pragmas and write-locking transactions, PostgreSQL locks."""
from __future__ import annotations

import sqlite3

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine


@event.listens_for(Engine, "connect")
def _sqlite_on_connect(dbapi_connection, _record) -> None:
    """Enforce foreign keys, wait for locks, and let SQLAlchemy emit BEGIN itself."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA busy_timeout = 30000")
    cursor.execute("PRAGMA journal_mode = WAL")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.close()


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn: Connection) -> None:
    """Take SQLite's write lock at BEGIN.

    A deferred SQLite transaction that read first cannot wait to become a writer: it fails at once when another
    writer got in. Taking the lock up front makes transactions queue (busy_timeout) instead, so concurrent
    requests never fail, double-book or fork the service log. SQLite is the single-office default; PostgreSQL,
    the production database, uses row and advisory locks instead.
    """
    if conn.dialect.name == "sqlite":
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def lock_for_append(session, key: int) -> None:
    """Serialise writers of one append-only chain for the rest of this transaction.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: every transaction already holds the write lock.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
