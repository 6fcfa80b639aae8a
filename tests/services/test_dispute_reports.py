"""Published reports keep their figures: a correction afterwards changes what the history gives, never what was
published; publishing again is a new revision that says what it revised."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError

from hotline.disputes.scope import Scope
from hotline.models import DisputeReport
from hotline.services import dispute_figures, dispute_reports, disputes
from hotline.services.dispute_reports import ReportRefused
from tests.factories import NOW
from tests.services.test_dispute_figures import FIRST, LAST, _walk, land  # noqa: F401  (fixture)
from tests.services.test_disputes import session  # noqa: F401  (fixture)

HOUR = timedelta(hours=1)


@pytest.fixture
def orange(session, land):
    """An orange entry (a group petition of 12) in the county, open in the quarter."""
    return _walk(session, land, "village", NOW - 10 * HOUR, [
        ("accept", HOUR, {}), ("risk_open", 2 * HOUR, {"kind": "group_petition", "people": 12}),
        ("assess", 3 * HOUR, {"risk_level": "orange"})])


def test_a_correction_after_publishing_changes_the_history_not_the_published_figures(session, land, orange):
    scope = Scope(city_id=land["dalian"].id)
    first, created = dispute_reports.publish(session, FIRST, LAST, scope, None, NOW)
    session.commit()
    assert created and first.revision == 1 and first.revises_id is None and first.scope == f"city:{land['dalian'].id}"
    assert first.figures["open:orange"] == 1 and first.figures["found"] == 1
    assert first.ids_hash == dispute_figures.digest(session, FIRST, LAST, scope, NOW)

    again, created = dispute_reports.publish(session, FIRST, LAST, scope, None, NOW + HOUR)
    assert (again.id, created) == (first.id, False)  # nothing changed: the same revision

    disputes.act(session, orange, "correct", reason="The risk was assessed wrongly", risk_level="yellow",
                 now=NOW + HOUR)
    disputes.act(session, orange, "risk_close", kind="group_petition", prevented=True, now=NOW + 2 * HOUR)
    session.commit()
    later = NOW + 3 * HOUR
    counted = dispute_reports.live(session, FIRST, LAST, scope, later)
    assert counted.figures["open:orange"] == 0 and counted.figures["open:yellow"] == 1
    assert counted.figures["prevented:group_petition"] == 1
    session.expire_all()
    kept = session.get(DisputeReport, first.id)
    assert dispute_reports.frozen(kept).counts["open:orange"] == 1  # as published
    assert kept.figures["prevented:group_petition"] == 0
    assert dispute_reports.differs(kept, counted)

    second, created = dispute_reports.publish(session, FIRST, LAST, scope, None, later)
    session.commit()
    assert created and second.revision == 2 and second.revises_id == first.id
    assert dispute_reports.revised_from(session, second) == {
        "open:orange": 1, "open:yellow": 0, "prevented:group_petition": 0, "prevented_people:group_petition": 0}
    assert not dispute_reports.differs(second, dispute_reports.live(session, FIRST, LAST, scope, later))
    assert [r.revision for r in dispute_reports.revisions(session, FIRST, LAST, scope)] == [2, 1]
    # Another scope's report of the same period is its own first revision.
    province, created = dispute_reports.publish(session, FIRST, LAST, Scope(), None, later)
    assert created and province.revision == 1 and province.scope == "province"


def test_a_published_revision_is_never_changed_or_deleted(session, land, orange):
    report, _created = dispute_reports.publish(session, FIRST, LAST, Scope(), None, NOW)
    session.commit()
    for statement in ("UPDATE dispute_reports SET ids_hash = 'x'", "DELETE FROM dispute_reports"):
        with pytest.raises(DatabaseError):
            session.execute(text(statement))
        session.rollback()
    assert session.scalar(select(func.count()).select_from(DisputeReport)) == 1


@pytest.mark.parametrize("first, last, scope, code", [
    (date(2027, 1, 1), date(2027, 3, 31), Scope(), "period_not_started"),
    (LAST, FIRST, Scope(), "bad_period"),
    (FIRST, LAST, Scope(committee_id=1), "scope_not_reportable"),
])
def test_a_report_that_cannot_be_published_is_refused_and_writes_nothing(session, land, first, last, scope, code):
    with pytest.raises(ReportRefused) as refused:
        dispute_reports.publish(session, first, last, scope, None, NOW)
    assert refused.value.code == code
    session.rollback()
    assert session.scalar(select(func.count()).select_from(DisputeReport)) == 0
