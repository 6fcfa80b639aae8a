"""Database engine behaviour: SQLite pragmas and write-locking transactions, PostgreSQL locks."""
from __future__ import annotations

import sqlite3
import threading

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.pool import Pool


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


@event.listens_for(Engine, "connect")
def _postgres_on_connect(dbapi_connection, _record) -> None:
    """Turn PostgreSQL's JIT compiler off. The app's reads are short, but the figures' correlated lookups carry
    high cost estimates, and compiling them took longer (about 190 ms a query) than running them."""
    if not type(dbapi_connection).__module__.startswith("psycopg"):
        return
    autocommit = dbapi_connection.autocommit
    dbapi_connection.autocommit = True  # a SET outside any transaction, kept for the connection's life
    try:
        dbapi_connection.execute("SET jit = off")
    finally:
        dbapi_connection.autocommit = autocommit


# One lock per SQLite file in this process: threads queue here, in order, instead of in SQLite's busy handler,
# which sleeps in growing steps (up to 100 ms) and made the slowest requests wait far longer than needed.
_SQLITE_LOCKS: dict[str, threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()
LOCK_KEY = "hotline_sqlite_lock"
# Execution option of engines that only read: their SQLite transactions are deferred, so they run side by side.
READ_ONLY = "hotline_read_only"


def _sqlite_lock(database: str | None) -> threading.Lock:
    with _LOCKS_GUARD:
        return _SQLITE_LOCKS.setdefault(database or ":memory:", threading.Lock())


@event.listens_for(Engine, "begin")
def _sqlite_begin(conn: Connection) -> None:
    """Take SQLite's write lock at BEGIN.

    A deferred SQLite transaction that read first cannot wait to become a writer: it fails at once when another
    writer got in. Taking the lock up front makes transactions queue (busy_timeout) instead, so concurrent
    requests never fail, double-book or fork the service log. SQLite is the single-office default; PostgreSQL,
    the production database, uses row and advisory locks instead.
    """
    if conn.dialect.name != "sqlite":
        return
    if conn.get_execution_options().get(READ_ONLY):
        conn.exec_driver_sql("BEGIN")  # a reader (a log check's worker process) takes no write lock
        return
    lock = _sqlite_lock(conn.engine.url.database)
    # A connection lost without rollback must not stop the process: after 30 s go on and let SQLite wait.
    if lock.acquire(timeout=30):
        conn.info[LOCK_KEY] = lock
    try:
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        _release(conn)
        raise


def _release(conn) -> None:
    """Release this connection's SQLite lock, if it holds it (conn is a Connection or a pool record)."""
    lock = conn.info.pop(LOCK_KEY, None)
    if lock is not None:
        lock.release()


@event.listens_for(Pool, "reset")
def _pool_reset(_dbapi_connection, record, _reset_state) -> None:
    """A connection returned to the pool mid-transaction (rolled back by the pool) frees the lock too."""
    _release(record)


@event.listens_for(Pool, "invalidate")
def _pool_invalidate(_dbapi_connection, record, _exception) -> None:
    """A lost connection frees the lock it held."""
    _release(record)


@event.listens_for(Engine, "commit")
def _sqlite_commit(conn: Connection) -> None:
    """The transaction ends: let the next thread in."""
    _release(conn)


@event.listens_for(Engine, "rollback")
def _sqlite_rollback(conn: Connection) -> None:
    """The transaction ends: let the next thread in."""
    _release(conn)


def lock_for_append(session, key: int) -> None:
    """Serialise writers of one append-only chain for the rest of this transaction.

    PostgreSQL: a transaction-scoped advisory lock. SQLite: every transaction already holds the write lock.
    """
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
