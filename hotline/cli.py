"""Command-line commands: `flask --app wsgi servicelog verify`, `demo`, `reference`, `create-admin`."""
from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup, with_appcontext

servicelog_cli = AppGroup("servicelog", help="The append-only service log.")


@servicelog_cli.command("verify")
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Processes that hash in parallel (default: one per CPU).")
def verify_command(workers: int | None) -> None:
    """Check the whole hash chain; exit 0 when intact, 1 naming the first broken record."""
    import os

    from hotline.extensions import db
    from hotline.services import servicelog

    result = servicelog.verify(db.session, workers=workers or os.cpu_count() or 1)
    db.session.rollback()
    if result.intact:
        click.echo(f"service log intact: {result.checked} records checked")
        sys.exit(0)
    click.echo(
        f"service log BROKEN at record seq={result.broken_seq} (id={result.broken_id}): {result.problem}; "
        f"{result.checked} records before it are intact",
        err=True,
    )
    sys.exit(1)


@click.command("demo")
@with_appcontext
@click.option("--seed", default=12348, show_default=True, help="Random seed: the same seed gives the same data.")
@click.option("--days", default=30, show_default=True, type=click.IntRange(1, 366), help="Days of contact history.")
@click.option("--reset", is_flag=True, help="Empty a database that already holds data first.")
@click.option("--if-empty", is_flag=True, help="Keep a database that already holds data (exit 0) instead of refusing.")
@click.option("--plans/--no-plans", default=True, show_default=True,
              help="Also solve and publish the coming week's duty and the FTZ counsel (about 40 s).")
def demo_command(seed: int, days: int, reset: bool, if_empty: bool, plans: bool) -> None:
    """Build the schema and load the demo province (14 cities, 2,885 key projects, 400+ lawyers, history)."""
    from hotline.demo import load

    if reset and if_empty:
        raise click.UsageError("--reset and --if-empty contradict each other")
    sys.exit(load.run(seed=seed, days=days, reset=reset, keep_existing=if_empty, plans=plans))


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
def api_client_create(name: str, scopes: tuple[str, ...], liaisons: tuple[str, ...]) -> None:
    """Create a client with its scopes and print its token (shown only now; only its hash is stored)."""
    import secrets

    from sqlalchemy import select

    from hotline.extensions import db
    from hotline.models import ApiClient, User
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
    token = secrets.token_urlsafe(32)
    db.session.add(ApiClient(name=name, token_sha256=token_digest(token), scopes=" ".join(sorted(set(scopes))),
                             liaisons=people))
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
    Worker([Queue(QUEUE_NAME, connection=connection)], connection=connection).work()


def register(app: Flask) -> None:
    """Attach the commands to `flask`."""
    app.cli.add_command(servicelog_cli)
    app.cli.add_command(api_client_cli)
    app.cli.add_command(demo_command)
    app.cli.add_command(reference_command)
    app.cli.add_command(create_admin_command)
    app.cli.add_command(worker_command)
