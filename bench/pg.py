"""A fresh, empty PostgreSQL database for a benchmark (the local server of these machines)."""
from __future__ import annotations

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
