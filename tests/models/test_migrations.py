"""The migrations build exactly the schema the models describe."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from hotline.extensions import db


def test_migrations_match_the_models(app):
    """Autogenerate finds nothing to add: the migrated database and the models agree."""
    with app.app_context():
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            diff = compare_metadata(context, db.metadata)
    assert diff == []


def test_every_table_exists(app):
    """The migrated database holds every model's table."""
    from sqlalchemy import inspect

    with app.app_context():
        tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables


def test_upgrading_a_populated_database_keeps_every_row(app, make):
    """Going back to 0001 and forward again rebuilds contacts on SQLite; their risk flags and events survive."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import func, select

    from hotline.models import Contact, ContactEvent, RiskFlag, ServiceRecord

    contact = make.contact()
    make.risk_flag(contact=contact)
    make.contact_event(contact=contact)
    # a record of a service kind added after 0001: the append-only log keeps it, and the way back must too
    make.service(kind="legal_checkup", contact_id=contact.id)
    with app.app_context():
        db.session.remove()
        downgrade(revision="0001")
        upgrade()
        db.engine.dispose()
    assert make.scalar(select(func.count(Contact.id))) == 1
    assert make.scalar(select(func.count(RiskFlag.id))) == 1
    assert make.scalar(select(func.count(ContactEvent.id))) == 1
    assert make.scalar(select(func.count(ServiceRecord.id))) == 1
