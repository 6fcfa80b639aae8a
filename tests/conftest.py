"""Shared fixtures: the app on a fresh migrated database (SQLite by default, PostgreSQL with TEST_DATABASE_URL),
factories, signed-in clients per role, and a live server for browser tests."""
from __future__ import annotations

import os
import shutil
import threading
from datetime import timedelta
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from hotline import create_app
from hotline.config import _database_url
from hotline.extensions import db
from hotline.models.types import utcnow
from tests.factories import PASSWORD, Factory

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")


def pytest_configure(config) -> None:
    """Compile the solvers' numba routines once, before the xdist workers start (they then load them from the
    cache): on a fresh clone the compile takes 10-45 s, which would otherwise fall inside whichever tests first
    solve, in each worker, against those tests' time limits."""
    if not hasattr(config, "workerinput"):
        from scheduling.warm import warm_up

        warm_up()
ROLES = ("admin", "operator", "lawyer", "liaison", "bureau", "mediator")


def _migrate(url: str) -> None:
    """Build the schema with the real migrations."""
    from flask_migrate import upgrade

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        upgrade()
        db.engine.dispose()


def _worker_url(url: str, worker: str) -> str:
    """Each pytest-xdist worker gets a database of its own beside TEST_DATABASE_URL's (hotline_ci_gw0, ...),
    created afresh for the run; a run without workers uses TEST_DATABASE_URL itself."""
    if worker in ("", "master"):
        return url
    from sqlalchemy.engine import make_url

    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = create_engine(base.set(database="postgres"), poolclass=NullPool, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database(tmp_path_factory, worker_id):
    """A migrated template database, built once per run (once per worker under pytest-xdist)."""
    if TEST_DATABASE_URL:
        url = _worker_url(_database_url(TEST_DATABASE_URL, Path(".")), worker_id)
        engine = create_engine(url, poolclass=NullPool)
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        engine.dispose()
        _migrate(url)
        return {"kind": "postgresql", "url": url}
    template = tmp_path_factory.mktemp("template") / "template.sqlite3"
    _migrate(f"sqlite:///{template}")
    return {"kind": "sqlite", "template": template}


# The tables whose id sequence has handed out a value since it was last reset.
_USED_SEQUENCES = text(
    "SELECT t.relname FROM pg_sequences ps "
    "JOIN pg_class s ON s.relname = ps.sequencename AND s.relkind = 'S' "
    "JOIN pg_namespace n ON n.oid = s.relnamespace AND n.nspname = ps.schemaname "
    "JOIN pg_depend d ON d.objid = s.oid AND d.deptype IN ('a', 'i') "
    "JOIN pg_class t ON t.oid = d.refobjid "
    "WHERE ps.schemaname = current_schema() AND ps.last_value IS NOT NULL"
)


def _truncate_all(url: str) -> None:
    """Empty every table a test touched (a row in it, or an id handed out) and restart its ids.

    TRUNCATE of all 40-odd tables costs a tenth of a second a test; naming only the touched ones (CASCADE empties
    whatever refers to them) costs a fifth of that. The service log refuses TRUNCATE by a trigger; the test
    database's superuser switches triggers off for this one transaction (replica mode), which the application's own
    database role cannot do.
    """
    names = [table.name for table in db.metadata.sorted_tables]
    probe = " UNION ALL ".join(f"SELECT '{name}' WHERE EXISTS (SELECT 1 FROM \"{name}\")" for name in names)
    engine = create_engine(url, poolclass=NullPool)
    with engine.begin() as conn:
        touched = {row[0] for row in conn.execute(text(probe))}
        touched |= {row[0] for row in conn.execute(_USED_SEQUENCES)} & set(names)
        if touched:
            conn.execute(text("SET LOCAL session_replication_role = replica"))
            tables = ", ".join(f'"{name}"' for name in names if name in touched)
            conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def db_url(database, tmp_path):
    """A database URL for one test, holding the migrated schema and no rows."""
    if database["kind"] == "postgresql":
        yield database["url"]
        _truncate_all(database["url"])
    else:
        path = tmp_path / "test.sqlite3"
        shutil.copyfile(database["template"], path)
        yield f"sqlite:///{path}"


@pytest.fixture
def dialect(database) -> str:
    """'sqlite' or 'postgresql'."""
    return database["kind"]


@pytest.fixture
def app_factory(db_url, tmp_path):
    """make_app(**overrides) builds an app on this test's database; its connections are closed afterwards."""
    apps = []

    def make_app(**overrides):
        config = {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": db_url,
            "WTF_CSRF_ENABLED": False,
            "LOGIN_RATE_LIMIT": "1000 per minute",
            "RATELIMIT_STORAGE_URI": "memory://",
            "SECRET_KEY": "test-secret",
            "PUBLIC_BASE_URL": "https://hotline.example.cn",
            "JOBS_EAGER": True,
            "ATTACHMENT_DIR": str(tmp_path / "attachments"),
            "IMPORT_DIR": str(tmp_path / "imports"),
        }
        app = create_app(config | overrides)
        apps.append(app)
        return app

    yield make_app
    for app in apps:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()


@pytest.fixture
def app(app_factory):
    """The application on this test's database (CSRF off for brevity; test_auth checks it on)."""
    return app_factory()


@pytest.fixture
def make(app):
    """Factories bound to a session of their own; each row is committed at once.

    No app context stays pushed, so each test request gets its own context, g and session, as in production.
    """
    with app.app_context():
        engine = db.engine
    session = Session(engine, expire_on_commit=False)
    yield Factory(session)
    session.close()


@pytest.fixture
def client(app):
    """A test client."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner."""
    return app.test_cli_runner()


def login(client, username: str, password: str = PASSWORD):
    """Sign in through the login form."""
    return client.post("/login", data={"username": username, "password": password})


@pytest.fixture
def users(make):
    """One account per role, plus a supervisor, keyed by role."""
    accounts = {role: make.user(role) for role in ROLES}
    accounts["supervisor"] = make.user("operator", is_supervisor=True)
    return accounts


@pytest.fixture
def as_role(app, users):
    """as_role('lawyer') returns a client signed in as that role."""

    def signed_in(role: str):
        client = app.test_client()
        response = login(client, users[role].username)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return signed_in


@contextmanager
def serve(app):
    """Serve an app on a free localhost port in a background thread; yields its base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


@pytest.fixture
def live_server(app):
    """The app served on a free localhost port in a background thread."""
    with serve(app) as url:
        yield url


@pytest.fixture
def on_duty(make):
    """A published hotline shift running now: a labour seat, a Korean seat, and other lawyers on duty."""
    now = utcnow()
    shenyang = make.city(code="shenyang", name_en="Shenyang", neighbours="fushun")
    fushun = make.city(code="fushun", name_en="Fushun", neighbours="shenyang")
    dalian = make.city(code="dalian", name_en="Dalian")
    period = make.period(status="published", starts_on=(now - timedelta(days=1)).date(), ends_on=(now + timedelta(days=1)).date())
    kind = make.shift_type(kind="hotline")
    shift = make.shift(period=period, shift_type=kind, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=2))
    labour_seat = make.seat(shift=shift, legal_area="labour", seats=1)
    korean_seat = make.seat(shift=shift, language="ko", seats=1)
    general = make.seat(shift=shift, seats=3)
    lawyers = {
        "labour_seat": make.lawyer(areas=("labour",), city=dalian, phone="+8613900000001"),
        "korean": make.lawyer(areas=("labour", "company"), languages=("zh", "ko"), city=dalian, phone="+8613900000002"),
        "neighbour": make.lawyer(areas=("labour", "traffic"), city=fushun, phone="+8613900000003"),
        "same_city": make.lawyer(areas=("labour",), city=shenyang, phone="+8613900000004"),
        "other_area": make.lawyer(areas=("criminal",), city=shenyang, phone="+8613900000005"),
    }
    make.duty(shift=shift, lawyer=lawyers["labour_seat"], seat_id=labour_seat.id)
    make.duty(shift=shift, lawyer=lawyers["korean"], seat_id=korean_seat.id)
    for key in ("neighbour", "same_city", "other_area"):
        make.duty(shift=shift, lawyer=lawyers[key], seat_id=general.id)
    off_duty = make.lawyer(areas=("labour",), city=shenyang, phone="+8613900000009")
    return {"lawyers": lawyers, "off_duty": off_duty, "shenyang": shenyang, "shift": shift}
