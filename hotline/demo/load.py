"""`flask --app wsgi demo`: build the schema and load the demo province, with a progress bar."""
from __future__ import annotations

import random
import time
from datetime import datetime

import click
from flask import current_app
from flask_migrate import downgrade, upgrade
from sqlalchemy import func, select

from hotline.demo import history, ledger, mediation, people
from hotline.demo import plans as demo_plans
from hotline.extensions import db
from hotline.models import City, KeyProject, Lawyer, User
from hotline.models.types import utcnow
from hotline.services import reference


def real_records(session) -> tuple[int, int]:
    """Service records and contacts the demo did not make: everything in a database the demo never loaded, else
    what came after it finished loading."""
    from hotline.models import Contact, DatabaseFact, ServiceRecord
    from hotline.models.meta import DEMO_LOADED_AT

    mark = session.get(DatabaseFact, DEMO_LOADED_AT)
    records, contacts = select(func.count(ServiceRecord.id)), select(func.count(Contact.id))
    if mark is not None:
        loaded_at = datetime.fromisoformat(mark.value)
        records = records.where(ServiceRecord.created_at > loaded_at)
        contacts = contacts.where(Contact.received_at > loaded_at)
    return session.scalar(records) or 0, session.scalar(contacts) or 0


def _mark_loaded(session) -> None:
    """Remember when the demo finished loading, so a later --reset can tell demo data from real work."""
    from hotline.models import DatabaseFact
    from hotline.models.meta import DEMO_LOADED_AT

    session.merge(DatabaseFact(key=DEMO_LOADED_AT, value=utcnow().isoformat(), updated_at=utcnow()))


def run(*, seed: int, days: int, reset: bool, keep_existing: bool = False, plans: bool = True,
        force: bool = False, ledger_quarter: bool = True) -> int:
    """Load the demo data; returns the exit status (2 when the database already holds data and no --reset, or
    holds real records and no --force)."""
    started = time.monotonic()
    upgrade()
    if db.session.scalar(select(func.count(User.id))):
        if keep_existing:
            click.echo("The database already holds data; keeping it (use --reset to reload the demo).")
            db.session.rollback()
            _logins()
            return 0
        if not reset:
            click.echo("error: the database already holds data; run `flask --app wsgi demo --reset` to replace it",
                       err=True)
            db.session.rollback()
            return 2
        records, contacts = real_records(db.session)
        if (records or contacts) and not force:
            click.echo(f"error: the database holds {records} service records and {contacts} contacts that the demo "
                       "did not make; --reset would erase them, the service log and every password. If this is "
                       "really not a live database, add --force.", err=True)
            db.session.rollback()
            return 2
        db.session.rollback()
        db.session.close()
        downgrade(revision="base")
        upgrade()
    rng = random.Random(seed)
    now = utcnow().replace(microsecond=0)
    notes: list[str] = []
    steps = [
        ("reference data", lambda demo: reference.ensure(db.session)),
        ("accounts", lambda demo: people.load_users(db.session, rng, demo)),
        ("law firms and lawyers", lambda demo: people.load_firms_and_lawyers(db.session, rng, demo)),
        ("key projects and liaisons", lambda demo: people.load_projects(db.session, rng, demo)),
        (f"{days} days of hotline history", lambda demo: history.load_history(db.session, rng, demo, now, days)),
        ("people's mediation: org units, committees and mediators",
         lambda demo: notes.append(mediation.load(db.session, seed))),
    ]
    if ledger_quarter:
        steps.append(("the last quarter of the dispute ledger (26,000-odd entries)",
                      lambda demo: notes.append(ledger.load(db.session, seed, now, demo.admin_id))))
    if plans:
        steps += [
            ("the coming week's duty roster (roster engine)",
             lambda demo: notes.append(demo_plans.publish_week(demo.admin_id, now))),
            ("FTZ counsel for every key project (matching engine)",
             lambda demo: notes.append(demo_plans.publish_counsel(demo.admin_id, now))),
            ("a liaison's counsel requests and a booked consultation",
             lambda demo: notes.append(demo_plans.consultations(now))),
            ("the FTZ team's visits, check-ups and reviews of key projects",
             lambda demo: notes.append(demo_plans.project_services(now, days, seed))),
        ]
    demo = people.Demo(cities={})
    # The engines' jobs read the data in sessions of their own: commit each step before the next.
    with click.progressbar(steps, label="Loading the demo province", item_show_func=lambda s: s[0] if s else "") as bar:
        for index, (_name, step) in enumerate(bar):
            if index == 1:
                demo.cities = {city.code: city for city in db.session.scalars(select(City))}
            step(demo)
            db.session.commit()
    _mark_loaded(db.session)
    db.session.commit()
    for note in notes:
        click.echo(note)
    _report(time.monotonic() - started)
    return 0


def _report(seconds: float) -> None:
    """Print what was loaded and how to sign in."""
    from hotline.models import Contact, ServiceRecord

    count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
    click.echo(
        f"Loaded in {seconds:.1f} s: {count(City)} cities, {count(Lawyer)} lawyers, {count(KeyProject)} key projects, "
        f"{count(Contact)} contacts, {count(ServiceRecord)} service records."
    )
    _logins()


def _logins() -> None:
    """Print where to open the app and the demo logins."""
    base = current_app.config["PUBLIC_BASE_URL"]
    click.echo(f"Open {base}/ and sign in with password '{people.DEMO_PASSWORD}' as:")
    for username, role in (("admin", "coordinator"), ("bureau", "coordinator of the Dalian bureau"),
                           ("supervisor", "operator, supervisor"), ("operator", "operator"),
                           ("lawyer", "lawyer, FTZ team"), ("liaison", "project liaison"),
                           ("county", "bureau coordinator of a Dalian district (the ledger of its subtree)"),
                           ("township", "bureau coordinator of a street in that district (files zero reports)"),
                           ("mediator", "mediator of that street's committee")):
        click.echo(f"  {username:<11} {role}")
