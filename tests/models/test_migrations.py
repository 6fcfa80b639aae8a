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


def test_0016_fills_the_columns_the_ledger_figures_read_for_events_written_before_it(app, make):
    """Events written before 0016 get their committee and follow-up due moment, entries their last event's moment
    and their next deadline and sweep action, exactly as the ledger writes them now; the history stays append-only
    afterwards."""
    from datetime import date, timedelta

    import pytest
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import select, text
    from sqlalchemy.exc import DatabaseError

    from hotline.models import Dispute, DisputeEvent
    from hotline.services import disputes
    from tests.factories import NOW

    village = make.org_unit("village", parent=make.org_unit("township", parent=make.org_unit("county")))
    committee = make.committee(village, kind="village", level=0)
    session = make.session
    dispute = disputes.register(session, source="screening", found_at=NOW, org_unit=village,
                                dispute_type="neighbour", summary="A wall", now=NOW,
                                parties=[disputes.Party("张三"), disputes.Party("李四")])
    steps = [("accept", {}), ("assess", {"risk_level": "blue"}), ("dispatch", {"committee_id": committee.id}),
             ("committee_accept", {}),
             ("succeed", {"agreement_form": "oral", "terms": "Paid", "performance_date": date(2026, 12, 20)})]
    for hours, (action, data) in enumerate(steps, 1):
        disputes.act(session, dispute, action, now=NOW + timedelta(hours=hours), **data)
    session.commit()
    written = [(e.id, e.committee_id, e.due_at) for e in session.scalars(
        select(DisputeEvent).where(DisputeEvent.dispute_id == dispute.id).order_by(DisputeEvent.seq))]
    dispute_id = dispute.id
    moments = (dispute.next_due_at, dispute.next_action_at)
    assert moments[0] == written[5][2]  # the follow-up visit is what is pending
    session.close()
    with app.app_context():
        db.session.remove()
        downgrade(revision="0015")
        upgrade()
        db.engine.dispose()
    with app.app_context():
        events = [(e.id, e.committee_id, e.due_at) for e in db.session.scalars(
            select(DisputeEvent).where(DisputeEvent.dispute_id == dispute_id).order_by(DisputeEvent.seq))]
        assert events == written and written[3][1] == committee.id and written[5][2] is not None
        entry = db.session.get(Dispute, dispute_id)
        assert entry.last_event_at == NOW + timedelta(hours=5)
        assert (entry.next_due_at, entry.next_action_at) == moments
        db.session.remove()
        with db.engine.connect() as connection, pytest.raises(DatabaseError):
            connection.execute(text("UPDATE dispute_events SET committee_id = NULL"))
