"""Command-line commands: `flask --app wsgi servicelog verify`, `demo`, `reference`, `create-admin`."""
from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

servicelog_cli = AppGroup("servicelog", help="The append-only service log.")


def _anchor_settings(path: str | None):
    """The anchor file and signing key from the settings (a --file/--anchors option overrides the file)."""
    from pathlib import Path

    from flask import current_app

    from hotline.services import anchors

    config = current_app.config
    key = anchors.signing_key(config["SECRET_KEY"], config.get("SERVICELOG_ANCHOR_KEY"))
    return Path(path or config["SERVICELOG_ANCHOR_FILE"]), key


@servicelog_cli.command("verify")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Processes that hash in parallel (default: one per CPU).")
@click.option("--anchors", "anchor_file", type=click.Path(dir_okay=False), default=None,
              help="Checkpoint file to check the log against (default: SERVICELOG_ANCHOR_FILE).")
def verify_command(workers: int | None, anchor_file: str | None) -> None:
    """Check the whole hash chain and the signed checkpoints; exit 0 when intact, 1 naming the first problem."""
    import os

    from hotline.extensions import db
    from hotline.services import anchors, servicelog

    path, key = _anchor_settings(anchor_file)
    result = servicelog.verify(db.session, workers=workers or os.cpu_count() or 1)
    if not result.intact:
        db.session.rollback()
        click.echo(
            f"service log BROKEN at record seq={result.broken_seq} (id={result.broken_id}): {result.problem}; "
            f"{result.checked} records before it are intact",
            err=True,
        )
        sys.exit(1)
    problems, checkpoints = [], []
    if path.exists():
        checkpoints, problems = anchors.read(path, key)
        problems += anchors.check(db.session, checkpoints)
    db.session.rollback()
    if problems:
        for problem in problems:
            click.echo(f"service log BROKEN: {problem}", err=True)
        sys.exit(1)
    click.echo(f"service log intact: {result.checked} records checked")
    if checkpoints:
        click.echo(f"{len(checkpoints)} checkpoints in {path} agree")
    else:
        click.echo(f"no checkpoints in {path}: run `flask servicelog anchor` regularly to detect removed records "
                   "at the end of the log")
    sys.exit(0)


@servicelog_cli.command("anchor")
@click.option("--file", "anchor_file", type=click.Path(dir_okay=False), default=None,
              help="Checkpoint file to append to (default: SERVICELOG_ANCHOR_FILE).")
def anchor_command(anchor_file: str | None) -> None:
    """Append a signed checkpoint of the log's head to a file outside the database, and print it."""
    from hotline.extensions import db
    from hotline.models.types import utcnow
    from hotline.services import anchors

    path, key = _anchor_settings(anchor_file)
    checkpoint = anchors.head(db.session, utcnow())
    db.session.rollback()
    if checkpoint is None:
        click.echo("the service log is empty: nothing to anchor")
        sys.exit(0)
    try:
        line = anchors.write(path, checkpoint, key)
    except OSError as error:
        click.echo(f"error: cannot write {path}: {error.strerror}", err=True)
        sys.exit(2)
    click.echo(line)


@click.command("demo")
@with_appcontext
@click.option("--seed", default=12348, show_default=True, help="Random seed: the same seed gives the same data.")
@click.option("--days", default=30, show_default=True, type=click.IntRange(1, 366), help="Days of contact history.")
@click.option("--reset", is_flag=True, help="Empty a database that already holds demo data first.")
@click.option("--force", is_flag=True, help="With --reset: also erase service records and contacts the demo did not "
                                            "make (never on a live database).")
@click.option("--if-empty", is_flag=True, help="Keep a database that already holds data (exit 0) instead of refusing.")
@click.option("--plans/--no-plans", default=True, show_default=True,
              help="Also solve and publish the coming week's duty and the FTZ counsel (about 40 s).")
@click.option("--ledger/--no-ledger", default=True, show_default=True,
              help="Also write the last full quarter of the dispute ledger, whose report gives the department's "
                   "quarterly figures (about 30 s).")
def demo_command(seed: int, days: int, reset: bool, force: bool, if_empty: bool, plans: bool, ledger: bool) -> None:
    """Build the schema and load the demo province (14 cities, 2,885 key projects, 400+ lawyers, history)."""
    from hotline.demo import load

    if reset and if_empty:
        raise click.UsageError("--reset and --if-empty contradict each other")
    if force and not reset:
        raise click.UsageError("--force only goes with --reset")
    sys.exit(load.run(seed=seed, days=days, reset=reset, keep_existing=if_empty, plans=plans, force=force,
                      ledger_quarter=ledger))


@click.command("reference")
@with_appcontext
def reference_command() -> None:
    """Load the province's reference data (cities, FTZ areas, default shift types) into an empty database."""
    from hotline.extensions import db
    from hotline.services import reference

    reference.ensure(db.session)
    db.session.commit()
    click.echo("reference data loaded")


@click.command("create-admin")
@with_appcontext
@click.argument("username")
@click.option("--name", default="Coordinator")
@click.password_option()
def create_admin_command(username: str, name: str, password: str) -> None:
    """Create a coordinator account (for a new production database)."""
    from hotline.extensions import db
    from hotline.services import accounts

    try:
        accounts.create_user(db.session, accounts.AccountData(username=username, name=name, role="admin"), password)
    except accounts.AccountError:
        click.echo(f"error: username {username!r} is taken", err=True)
        sys.exit(2)
    db.session.commit()
    click.echo(f"coordinator {username} created")


@click.command("grant-app-role")
@with_appcontext
@click.argument("role")
def grant_app_role_command(role: str) -> None:
    """Give an existing PostgreSQL role what the app needs and no more: it may add service records but never
    change, delete or truncate them, and cannot alter the schema (run migrations as the owner)."""
    import re

    from sqlalchemy import text

    from hotline.extensions import db

    if db.engine.dialect.name != "postgresql":
        _usage_error("SQLite has no database roles; grant-app-role is for PostgreSQL")
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", role):
        _usage_error(f"{role!r} is not a plain role name (lower-case letters, digits, underscores)")
    found = db.session.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = :role"), {"role": role}).first()
    if found is None:
        _usage_error(f"no role {role!r}: create it first, e.g. CREATE ROLE {role} LOGIN PASSWORD '...'")
    owner = db.session.scalar(text("SELECT tableowner FROM pg_tables WHERE tablename = 'service_records'"))
    if found.rolsuper or owner == role:
        _usage_error(f"{role!r} is a superuser or owns the tables, so it could TRUNCATE the log anyway: use a role "
                     "of its own for the app")
    for statement in (
        f"GRANT USAGE ON SCHEMA public TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON service_records FROM {role}",
        f"REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM {role}",
        f"REVOKE TRUNCATE, REFERENCES, TRIGGER ON ALL TABLES IN SCHEMA public FROM {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
        f"GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO {role}",
    ):
        db.session.execute(text(statement))
    db.session.commit()
    click.echo(f"role {role} may use the app's tables; it cannot change, delete or truncate service records. "
               "Run this again after each `flask db upgrade`.")


api_client_cli = AppGroup("api-client", help="Clients of the integration API.")


def _scope_choice() -> click.Choice:
    from hotline.vocab import API_SCOPES

    return click.Choice(sorted(API_SCOPES))


@api_client_cli.command("create")
@click.argument("name")
@click.option("--scope", "scopes", multiple=True, required=True, type=_scope_choice(),
              help="What the client may do (repeat): contacts, escalate (contacts with risk flags), on-duty, "
                   "bookings.")
@click.option("--liaison", "liaisons", multiple=True, metavar="USERNAME",
              help="A liaison whose counsel requests the client may book for (repeat; needed with bookings).")
@click.option("--city", metavar="CODE", default=None,
              help="A city's client: its contacts are that city's and its on-duty answers that city's lawyers.")
def api_client_create(name: str, scopes: tuple[str, ...], liaisons: tuple[str, ...], city: str | None) -> None:
    """Create a client with its scopes and print its token (shown only now; only its hash is stored)."""
    import secrets

    from sqlalchemy import select

    from hotline.extensions import db
    from hotline.models import ApiClient, City, User
    from hotline.models.apiclient import token_digest

    if not name.strip() or len(name) > 120:
        _usage_error("the client's name must be 1 to 120 characters")
    if db.session.scalar(select(ApiClient.id).where(ApiClient.name == name)):
        _usage_error(f"a client named {name!r} exists")
    if "escalate" in scopes and "contacts" not in scopes:
        _usage_error("--scope escalate needs --scope contacts")
    if ("bookings" in scopes) != bool(liaisons):
        _usage_error("--scope bookings and --liaison go together: name the liaisons the client books for")
    people = []
    for username in liaisons:
        user = db.session.scalar(select(User).where(User.username == username))
        if user is None or user.role != "liaison" or not user.active:
            _usage_error(f"{username!r} is not an active liaison account")
        people.append(user)
    city_id = None
    if city is not None:
        city_id = db.session.scalar(select(City.id).where(City.code == city))
        if city_id is None:
            _usage_error(f"{city!r} is not a city code (e.g. shenyang, dalian)")
    token = secrets.token_urlsafe(32)
    db.session.add(ApiClient(name=name, token_sha256=token_digest(token), scopes=" ".join(sorted(set(scopes))),
                             liaisons=people, city_id=city_id))
    db.session.commit()
    click.echo(token)


@api_client_cli.command("list")
def api_client_list() -> None:
    """List the clients with their scopes, liaisons and last use."""
    from sqlalchemy import select

    from hotline.extensions import db
    from hotline.models import ApiClient

    for client in db.session.scalars(select(ApiClient).order_by(ApiClient.name)):
        state = "active" if client.active else "revoked"
        liaisons = ",".join(user.username for user in client.liaisons) or "-"
        used = client.last_used_at.isoformat(timespec="seconds") if client.last_used_at else "never"
        click.echo(f"{client.name}\t{state}\tscopes={client.scopes or '-'}\tliaisons={liaisons}\tlast used {used}")


def _usage_error(message: str) -> None:
    """Print a one-line error and exit with status 2."""
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


@api_client_cli.command("revoke")
@click.argument("name")
def api_client_revoke(name: str) -> None:
    """Revoke a client's token."""
    from sqlalchemy import select

    from hotline.extensions import db
    from hotline.models import ApiClient

    client = db.session.scalar(select(ApiClient).where(ApiClient.name == name))
    if client is None:
        click.echo(f"error: no client named {name!r}", err=True)
        sys.exit(2)
    client.active = False
    db.session.commit()
    click.echo(f"revoked {name}")


@click.command("worker")
@with_appcontext
def worker_command() -> None:
    """Run an RQ worker for background jobs (needs REDIS_URL); several machines may run one each."""
    from flask import current_app
    from redis import Redis
    from rq import Queue, Worker

    from hotline.jobs import QUEUE_NAME

    url = current_app.config.get("REDIS_URL")
    if not url:
        click.echo("error: REDIS_URL is not set; without it jobs run inside the web process", err=True)
        sys.exit(2)
    connection = Redis.from_url(url)
    from scheduling.warm import warm_up
    # before the first job: each job runs in a fork of this process and finds the compiled routines loaded
    click.echo(f"solver routines ready in {warm_up():.1f} s")
    Worker([Queue(QUEUE_NAME, connection=connection)], connection=connection).work()


def register(app: Flask) -> None:
    """Attach the commands to `flask`."""
    app.cli.add_command(servicelog_cli)
    app.cli.add_command(api_client_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(reference_command)
    app.cli.add_command(create_admin_command)
    app.cli.add_command(grant_app_role_command)
    app.cli.add_command(worker_command)
