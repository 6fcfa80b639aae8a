"""What the database enforces: each factory makes a valid row, and each constraint refuses a bad one."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from tests.factories import NOW

FACTORIES = [
    "user", "city", "ftz_area", "firm", "lawyer", "unavailability", "project", "conflict", "counsel", "match_plan",
    "match_plan_item", "shift_type", "succession", "holiday", "period", "shift", "seat", "duty", "duty_request",
    "contact", "risk_flag", "referral", "contact_event", "slot", "counsel_request", "request_window", "attachment",
    "booking", "service", "follow_up", "outbox", "job", "api_client",
]


@pytest.mark.parametrize("name", FACTORIES)
def test_every_factory_makes_a_valid_row(make, name):
    """Each model can be stored with its factory's defaults."""
    row = getattr(make, name)()
    assert row is not None


BAD_ROWS = [
    ("user", {"role": "superuser"}),
    ("user", {"role": "lawyer", "is_supervisor": True}),
    ("city", {"latitude": 91.0}),
    ("lawyer", {"min_minutes_per_month": 100, "max_minutes_per_month": 50}),
    ("lawyer", {"max_consecutive_days": 0}),
    ("lawyer", {"areas": ("astrology",)}),
    ("lawyer", {"languages": ("xx",)}),
    ("unavailability", {"ends_at": NOW - timedelta(hours=1)}),
    ("project", {"priority": 9}),
    ("project", {"sector": "mining"}),
    ("project", {"needs": ("astrology",)}),
    ("shift_type", {"minutes": 0}),
    ("shift_type", {"kind": "party"}),
    ("period", {"starts_on": NOW.date(), "ends_on": NOW.date() - timedelta(days=1)}),
    ("seat", {"seats": -1}),
    ("seat", {"seats": 1, "hard_minimum": 2}),
    ("seat", {"legal_area": "astrology"}),
    ("duty_request", {"kind": "swap"}),
    ("contact", {"status": "lost"}),
    ("contact", {"urgency": "whenever"}),
    ("contact", {"legal_area": "astrology"}),
    ("contact", {"dispute_outcome": "success"}),
    ("contact", {"wait_seconds": -5}),
    ("risk_flag", {"flag": "bad_mood"}),
    ("risk_flag", {"closed_at": NOW}),
    ("referral", {"target": "friend"}),
    ("slot", {"mode": "fax"}),
    ("counsel_request", {"urgency": "whenever"}),
    ("attachment", {"size_bytes": 0}),
    ("outbox", {"kind": "pigeon"}),
    ("job", {"status": "sleeping"}),
]


@pytest.mark.parametrize("name, override", BAD_ROWS, ids=[f"{n}-{'-'.join(o)}" for n, o in BAD_ROWS])
def test_database_refuses_bad_rows(make, name, override):
    """The database itself refuses rows that break a rule."""
    with pytest.raises(IntegrityError):
        getattr(make, name)(**override)
    make.session.rollback()
    make.session.close()


def test_one_current_primary_per_project(make):
    """A project has at most one current primary; ended assignments stay as history."""
    project = make.project()
    make.counsel(project=project, ended_at=NOW + timedelta(days=1))
    make.counsel(project=project)
    make.counsel(project=project, role="backup")
    with pytest.raises(IntegrityError):
        make.counsel(project=project)
    make.session.rollback()
    make.session.close()


def test_one_live_booking_per_slot(make):
    """A slot holds one live booking; a cancelled one does not block rebooking."""
    slot = make.slot()
    make.booking(slot=slot, status="cancelled")
    make.booking(slot=slot)
    with pytest.raises(IntegrityError):
        make.booking(slot=slot)
    make.session.rollback()
    make.session.close()


def test_one_contact_per_call_sid(make):
    """Twilio's CallSid identifies one contact: a retried webhook cannot create a second."""
    make.contact(call_sid="CA123")
    with pytest.raises(IntegrityError):
        make.contact(call_sid="CA123")
    make.session.rollback()
    make.session.close()


def test_foreign_keys_are_enforced(make):
    """A row pointing at a missing parent is refused (SQLite included)."""
    with pytest.raises(IntegrityError):
        make.contact(city_id=424242)
    make.session.rollback()
    make.session.close()


def test_conflict_names_a_project_or_a_firm(make):
    """A conflict of interest is about a project or a firm, not both and not neither."""
    firm = make.firm()
    make.conflict(project_id=None, firm_id=firm.id)
    with pytest.raises(IntegrityError):
        make.conflict(project_id=None, firm_id=None)
    make.session.rollback()
    make.session.close()


def test_timestamps_are_utc_aware(make):
    """Times come back from the database aware and in UTC, whatever zone they were given in."""
    from datetime import timezone as tz

    from hotline.models import Contact

    beijing = tz(timedelta(hours=8))
    contact = make.contact(received_at=NOW.astimezone(beijing))
    stored = make.get(Contact, contact.id)
    assert stored.received_at == NOW and stored.received_at.utcoffset() == timedelta(0)


def test_naive_timestamps_are_refused(make):
    """A naive datetime is a bug: it is refused rather than stored in an unknown zone."""
    with pytest.raises(Exception, match="naive"):
        make.contact(received_at=NOW.replace(tzinfo=None))
    make.session.rollback()
    make.session.close()


def test_work_order_number_uses_the_beijing_date(make):
    """A call at 23:30 UTC is already the next day in Liaoning, and its work-order number says so."""
    from datetime import datetime, timezone

    contact = make.contact(received_at=datetime(2026, 11, 26, 23, 30, tzinfo=timezone.utc))
    assert contact.reference == f"12348-20261127-{contact.id:06d}"
