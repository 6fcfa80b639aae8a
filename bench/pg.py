"""What the benchmarks share: a fresh, empty PostgreSQL database (the local server of these machines) and the median
time of a few calls."""
from __future__ import annotations

import statistics
import time

SERVER = "postgresql+psycopg://postgres@127.0.0.1:5432"


def fresh_database(name: str) -> str:
    """Drop and create database `name`; returns its SQLAlchemy URL."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    admin = create_engine(f"{SERVER}/postgres", poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"{SERVER}/{name}"


def timed(function, runs: int = 3) -> float:
    """Median seconds of `runs` calls after one warm-up."""
    function()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return statistics.median(times)
