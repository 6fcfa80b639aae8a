"""The deadline board: every deadline not yet met of the open entries in scope, grouped by status, read in bulk."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import event, select

from hotline.extensions import db
from hotline.models import Dispute
from hotline.models.types import utcnow
from hotline.services import dispute_deadlines, disputes
from tests.disputes.world import entry, ledger, ledger_session as session, signed_in  # noqa: F401  (fixtures)
from tests.factories import NOW


def _keys(rows):
    return [(row.dispute_id, row.key, row.status) for row in rows]


def test_deadlines_not_met_are_grouped_by_status_and_sorted_by_due_time(ledger, session):
    late = entry(session, ledger["x_village"], state="registered", at=NOW - timedelta(days=2))
    close = entry(session, ledger["x_village"], state="registered", at=NOW - timedelta(hours=20))
    fresh = entry(session, ledger["x_village"], state="registered", at=NOW - timedelta(hours=1))
    entry(session, ledger["x_village"], state="accepted", at=NOW - timedelta(hours=1))  # acceptance met
    rows = dispute_deadlines.board(session, NOW)
    assert _keys(rows) == [(late.id, "accept", "breached"), (close.id, "accept", "at_risk"),
                           (fresh.id, "accept", "on_track")]
    assert _keys(dispute_deadlines.board(session, NOW, newest_first=True)) == _keys(rows)[::-1]


def test_the_board_filters_by_kind_and_level_and_leaves_out_closed_entries(ledger, session):
    red = entry(session, ledger["x_village"], level="red", at=NOW - timedelta(hours=3))
    blue = entry(session, ledger["x_village"], state="registered", at=NOW - timedelta(hours=3))
    closed = entry(session, ledger["x_village"], state="registered", at=NOW - timedelta(days=3))
    disputes.act(session, closed, "reject", referral="People's court", now=NOW - timedelta(days=3))
    disputes.act(session, closed, "close", now=NOW - timedelta(days=3))
    session.commit()
    reports = dispute_deadlines.board(session, NOW, kind="report")
    assert {(row.dispute_id, row.key) for row in reports} == {
        (red.id, "report:county_bureau"), (red.id, "report:city_bureau"), (red.id, "report:province_dept")}
    assert {row.dispute_id for row in dispute_deadlines.board(session, NOW, level="blue")} == {blue.id}
    assert closed.id not in {row.dispute_id for row in dispute_deadlines.board(session, NOW)}


def test_the_board_says_what_each_entry_alone_would_say(ledger, session):
    """Bulk reading gives the same deadlines as reading one entry with its events and risks."""
    made = [entry(session, ledger["x_village"], level=level, at=NOW - timedelta(hours=hours))
            for level, hours in (("red", 5), ("orange", 30), ("yellow", 2), ("blue", 50))]
    disputes.act(session, made[0], "risk_open", kind="suicide", people=1, now=NOW - timedelta(hours=4))
    disputes.act(session, made[0], "report", level="city_bureau", now=NOW - timedelta(hours=4))
    disputes.act(session, made[1], "dispatch", committee_id=ledger["x_key"].id, now=NOW - timedelta(hours=29))
    disputes.act(session, made[1], "committee_accept", now=NOW - timedelta(hours=28))
    session.commit()
    expected = []
    for dispute in session.scalars(select(Dispute).execution_options(populate_existing=True)):
        for deadline in dispute_deadlines.deadlines(dispute, dispute.events):
            if deadline.status(NOW) in dispute_deadlines.PENDING:
                expected.append((dispute.id, deadline.key, deadline.status(NOW)))
    assert sorted(_keys(dispute_deadlines.board(session, NOW))) == sorted(expected)
    assert {"review:suicide", "acknowledge:city_bureau", "conclude"} <= {key for _, key, _ in expected}


@pytest.mark.parametrize("count", [3, 30])
def test_the_board_reads_the_ledger_in_three_queries_however_many_entries(app, ledger, session, count):
    for n in range(count):
        entry(session, ledger["x_village"], level="red", at=NOW - timedelta(hours=n))
    statements = []
    with app.app_context():
        engine = db.engine
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        rows = dispute_deadlines.board(session, NOW, None)
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    assert len({row.dispute_id for row in rows}) == count
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 3


def test_the_page_shows_a_county_its_own_deadlines_each_linking_to_its_entry(app, ledger, session):
    now = utcnow()
    late = entry(session, ledger["x_village"], state="registered", at=now - timedelta(days=2))
    soon = entry(session, ledger["x_village"], state="registered", at=now - timedelta(hours=20))
    elsewhere = entry(session, ledger["y_village"], state="registered", at=now - timedelta(days=2))
    page = signed_in(app, ledger["bureau_x"]).get("/disputes/deadlines").get_data(as_text=True)
    breached = page.split('data-testid="group-breached"')[1].split("</section>")[0]
    at_risk = page.split('data-testid="group-at_risk"')[1].split("</section>")[0]
    assert f'href="/disputes/{late.id}"' in breached and late.number in breached and soon.number not in breached
    assert soon.number in at_risk and "Acceptance" in at_risk
    assert elsewhere.number not in page
    assert elsewhere.number in signed_in(app, ledger["bureau_y"]).get("/disputes/deadlines").get_data(as_text=True)
    assert elsewhere.number in signed_in(app, ledger["city_admin"]).get("/disputes/deadlines").get_data(as_text=True)
    assert late.number not in signed_in(app, ledger["other_city_admin"]).get("/disputes/deadlines").get_data(
        as_text=True)


def test_the_page_filters_and_refuses_unknown_filters(app, ledger, session):
    now = utcnow()
    red = entry(session, ledger["x_village"], level="red", at=now - timedelta(hours=1))
    blue = entry(session, ledger["x_village"], state="registered", at=now - timedelta(hours=1))
    client = signed_in(app, ledger["bureau_x"])
    reports = client.get("/disputes/deadlines?kind=report").get_data(as_text=True)
    assert red.number in reports and blue.number not in reports
    blues = client.get("/disputes/deadlines?level=blue&sort=-due").get_data(as_text=True)
    assert blue.number in blues and red.number not in blues
    for bad in ("kind=soon", "level=purple", "sort=name"):
        assert client.get(f"/disputes/deadlines?{bad}").status_code == 400, bad


def test_a_mediator_sees_the_deadlines_of_what_was_dispatched_to_their_committee(app, make, ledger, session):
    now = utcnow()
    ours = entry(session, ledger["x_village"], at=now - timedelta(hours=3))
    disputes.act(session, ours, "dispatch", committee_id=ledger["x_committee"].id, now=now - timedelta(hours=2))
    disputes.act(session, ours, "committee_accept", now=now - timedelta(hours=1))
    session.commit()
    theirs = entry(session, ledger["x_village"], state="registered", at=now - timedelta(hours=3))
    user = make.user("mediator")
    make.mediator(ledger["x_committee"], user_id=user.id)
    page = signed_in(app, user).get("/disputes/deadlines").get_data(as_text=True)
    assert ours.number in page and "Conclusion of mediation" in page and theirs.number not in page


def test_every_kind_of_deadline_has_a_name_and_a_measure_review_is_found_by_it(ledger, session):
    from hotline import vocab

    assert set(vocab.DEADLINE_KINDS) == set(dispute_deadlines.KINDS)
    red = entry(session, ledger["x_village"], level="red", at=NOW - timedelta(hours=2))
    disputes.act(session, red, "risk_open", kind="group_fight", people=12, now=NOW - timedelta(hours=1))
    session.commit()
    rows = dispute_deadlines.board(session, NOW, kind="measure_review")
    assert [(row.key, row.kind, row.detail) for row in rows] == [("review:group_fight", "measure_review", "group_fight")]
