"""The dispute ledger's lifecycle: each step is one event; refused steps write nothing; the history is append-only."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session

from hotline.extensions import db
from hotline.models import Contact, Dispute, DisputeEvent
from hotline.services import disputes
from hotline.services.disputes import DisputeRefused, Party
from tests.factories import NOW


@pytest.fixture
def place(make):
    """A county in Dalian with a township and a village; committees at village and county level."""
    city = make.city(code="dalian", name_en="Dalian", name_zh="大连")
    county = make.org_unit("county", city=city)
    township = make.org_unit("township", parent=county)
    village = make.org_unit("village", parent=township)
    other = make.org_unit("village", parent=make.org_unit("township", parent=county))
    return {
        "city": city, "county": county, "township": township, "village": village, "other_village": other,
        "village_committee": make.committee(village, kind="village", level=0),
        "key": make.committee(county, kind="county_key", level=2, senior=True),
        "medical": make.committee(county, kind="medical", level=2, dispute_types="medical"),
    }


@pytest.fixture
def session(app):
    with app.app_context():
        session = Session(db.engine, expire_on_commit=False)
        yield session
        session.close()


def _entry(session, place, **over) -> Dispute:
    values = dict(source="screening", found_at=NOW, org_unit=place["village"], dispute_type="neighbour",
                  summary="A wall between two yards", parties=[Party("张三", "+8613800000001"), Party("李四")],
                  now=NOW)
    dispute = disputes.register(session, **(values | over))
    session.commit()
    return dispute


def _events(session, dispute) -> list[str]:
    return list(session.scalars(select(DisputeEvent.action).where(DisputeEvent.dispute_id == dispute.id)
                                .order_by(DisputeEvent.seq)))


def _step(session, dispute, action, **data):
    event = disputes.act(session, dispute, action, now=NOW + timedelta(hours=len(_events(session, dispute))), **data)
    session.commit()
    return event


def test_a_dispute_walks_from_registration_to_closed_with_one_event_per_step(session, place):
    dispute = _entry(session, place)
    assert dispute.number == "纠2102-2026-00001"
    _step(session, dispute, "accept")
    _step(session, dispute, "assess", risk_level="yellow")
    _step(session, dispute, "dispatch", committee_id=place["village_committee"].id)
    _step(session, dispute, "committee_accept")
    _step(session, dispute, "session", mode="on_site", record="Both sides heard")
    _step(session, dispute, "succeed", agreement_form="written", terms="The wall moves 20 cm",
          performance_date=date(2026, 12, 10))
    _step(session, dispute, "follow_up", note="The wall was moved", kept=True)
    _step(session, dispute, "close")
    assert dispute.state == "closed"
    assert _events(session, dispute) == ["register", "accept", "assess", "dispatch", "committee_accept", "session",
                                         "succeed", "follow_up", "close"]
    states = list(session.execute(select(DisputeEvent.from_state, DisputeEvent.to_state)
                                  .where(DisputeEvent.dispute_id == dispute.id).order_by(DisputeEvent.seq)))
    assert states[-1] == ("following_up", "closed")
    assert all(before == after for (_, before), (after, _) in zip(states, states[1:]))


def test_an_entry_and_its_events_keep_the_facts_the_figures_index(session, place):
    """The entry's registration moment is its register event's, its last_event_at its newest event's; a dispatch
    carries its committee and an agreement its follow-up due moment as columns (services.dispute_figures reads these
    columns, not the JSON)."""
    from hotline.services.dispute_deadlines import follow_up_due

    dispute = _entry(session, place)
    _step(session, dispute, "accept")
    _step(session, dispute, "assess", risk_level="yellow")
    _step(session, dispute, "dispatch", committee_id=place["village_committee"].id)
    _step(session, dispute, "committee_accept")
    _step(session, dispute, "succeed", agreement_form="written", terms="The wall moves 20 cm",
          performance_date=date(2026, 12, 10))
    events = {event.action: event for event in session.scalars(
        select(DisputeEvent).where(DisputeEvent.dispute_id == dispute.id))}
    session.refresh(dispute)
    assert dispute.created_at == events["register"].at
    assert dispute.last_event_at == events["succeed"].at == NOW + timedelta(hours=5)
    committee = place["village_committee"].id
    assert (events["dispatch"].committee_id, events["committee_accept"].committee_id) == (committee, committee)
    assert events["accept"].committee_id is None and events["accept"].due_at is None
    # three days after the end of 10 December in Beijing: 13 December 24:00 Beijing, 16:00 UTC on the 13th
    assert events["succeed"].due_at == follow_up_due(events["succeed"].at, "2026-12-10") \
        == datetime(2026, 12, 13, 16, 0, tzinfo=timezone.utc)
    _step(session, dispute, "follow_up", note="Kept", kept=True)
    session.refresh(dispute)
    assert dispute.last_event_at == NOW + timedelta(hours=6)
    assert _entry(session, place).number == "纠2102-2026-00002"


@pytest.mark.parametrize(("steps", "action", "data", "code"), [
    ([], "assess", {"risk_level": "blue"}, "not_from_state"),
    ([], "close", {}, "not_from_state"),
    ([("accept", {})], "dispatch", {"committee_id": 1}, "not_from_state"),
    ([], "reject", {"referral": "  "}, "referral_required"),
    ([("accept", {})], "assess", {"risk_level": "purple"}, "bad_level"),
    ([("accept", {}), ("assess", {"risk_level": "blue"})], "dispatch", {"committee_id": 999}, "committee_unknown"),
    ([("accept", {}), ("assess", {"risk_level": "orange"})], "dispatch", {"committee": "village_committee"},
     "committee_not_senior"),
    ([("accept", {}), ("assess", {"risk_level": "blue"})], "dispatch", {"committee": "medical"},
     "committee_not_type"),
    ([("accept", {}), ("assess", {"risk_level": "blue"}), ("dispatch", {"committee": "village_committee"})],
     "committee_decline", {}, "reason_required"),
    ([("accept", {}), ("assess", {"risk_level": "blue"}), ("dispatch", {"committee": "key"}),
      ("committee_accept", {})], "succeed", {"agreement_form": "written", "terms": ""}, "agreement_required"),
    ([("accept", {}), ("assess", {"risk_level": "blue"}), ("dispatch", {"committee": "key"}),
      ("committee_accept", {})], "session", {"mode": "carrier pigeon", "record": "x"}, "bad_mode"),
    ([("accept", {}), ("assess", {"risk_level": "blue"}), ("dispatch", {"committee": "key"}),
      ("committee_accept", {})], "fail", {"guidance": ""}, "guidance_required"),
    ([("accept", {}), ("assess", {"risk_level": "orange"}), ("dispatch", {"committee": "key"}),
      ("committee_accept", {})], "fail", {"guidance": "Go to court"}, "orange_failure_needs_measure"),
    ([("accept", {}), ("assess", {"risk_level": "orange"}), ("dispatch", {"committee": "key"}),
      ("committee_accept", {}), ("transfer", {"agency": "Court"})], "close", {}, "close_needs_yellow"),
    ([], "withdraw", {}, "reason_required"),
    ([], "correct", {"reason": "typo"}, "nothing_to_correct"),
    ([], "risk_close", {"kind": "suicide", "prevented": True}, "risk_not_open"),
])
def test_refused_steps_answer_a_code_and_write_nothing(session, place, steps, action, data, code):
    dispute = _entry(session, place)
    for step, values in steps:
        if "committee" in values:
            values = {"committee_id": place[values["committee"]].id}
        _step(session, dispute, step, **values)
    if "committee" in data:
        data = {"committee_id": place[data["committee"]].id}
    before = (_events(session, dispute), dispute.state, dispute.risk_level, dispute.committee_id)
    with pytest.raises(DisputeRefused) as refused:
        disputes.act(session, dispute, action, now=NOW, **data)
    session.commit()
    assert refused.value.code == code
    session.refresh(dispute)
    assert (_events(session, dispute), dispute.state, dispute.risk_level, dispute.committee_id) == before


def test_acceptance_needs_two_named_parties(session, place):
    dispute = _entry(session, place, parties=[Party("张三")])
    with pytest.raises(DisputeRefused, match="two_parties_needed"):
        disputes.act(session, dispute, "accept")


def test_a_committee_outside_the_place_cannot_take_it(session, place, make):
    dispute = _entry(session, place, org_unit=place["other_village"])
    _step(session, dispute, "accept")
    _step(session, dispute, "assess", risk_level="blue")
    with pytest.raises(DisputeRefused, match="committee_not_here"):
        disputes.act(session, dispute, "dispatch", committee_id=place["village_committee"].id)
    _step(session, dispute, "dispatch", committee_id=place["key"].id)  # the county's covers every village in it


def test_a_risk_raises_the_level_to_orange_and_closing_waits_for_every_risk(session, place):
    dispute = _entry(session, place, risks={"civil_to_criminal": 3})
    assert dispute.risk_level == "orange"
    assert _events(session, dispute) == ["register", "risk_open"]
    _step(session, dispute, "accept")
    with pytest.raises(DisputeRefused, match="open_risk_needs_orange"):
        disputes.act(session, dispute, "assess", risk_level="yellow")
    session.rollback()
    _step(session, dispute, "assess", risk_level="orange")
    _step(session, dispute, "dispatch", committee_id=place["key"].id)
    _step(session, dispute, "committee_accept")
    _step(session, dispute, "fail", guidance="Sue in the district court")  # an open measure allows it at orange
    _step(session, dispute, "risk_close", kind="civil_to_criminal", prevented=True)
    with pytest.raises(DisputeRefused, match="close_needs_yellow"):
        disputes.act(session, dispute, "close")
    session.rollback()
    _step(session, dispute, "correct", reason="The threat has passed", risk_level="yellow")
    _step(session, dispute, "close")
    _step(session, dispute, "reopen", reason="The parties quarrel again")
    assert dispute.state == "accepted"
    assert dispute.risks[0].prevented is True and dispute.risks[0].people == 3


def test_a_declined_dispatch_goes_back_to_assessed_for_another_committee(session, place):
    dispute = _entry(session, place)
    _step(session, dispute, "accept")
    _step(session, dispute, "assess", risk_level="blue")
    _step(session, dispute, "dispatch", committee_id=place["village_committee"].id)
    event = _step(session, dispute, "committee_decline", reason="A member is related to a party")
    assert (dispute.state, dispute.committee_id) == ("assessed", None)
    assert event.data == {"committee_id": place["village_committee"].id}


def test_a_contact_becomes_one_entry_however_often_it_is_asked(session, place, make):
    contact = make.contact(caller_name="王五", summary="Neighbour threatens to burn the barn")
    make.risk_flag(contact=contact, flag="civil_to_criminal")
    contact = session.get(Contact, contact.id)
    first, created = disputes.from_contact(session, contact, org_unit=place["village"], dispute_type="neighbour",
                                           user=None, now=NOW)
    session.commit()
    again, created_again = disputes.from_contact(session, contact, org_unit=place["village"],
                                                 dispute_type="neighbour", user=None, now=NOW)
    assert (created, created_again, again.id) == (True, False, first.id)
    assert first.source == "hotline" and first.risk_level == "orange"
    assert [risk.kind for risk in first.risks] == ["civil_to_criminal"]
    assert session.scalar(select(func.count()).select_from(Dispute)) == 1


def test_the_database_refuses_to_change_or_delete_an_event(session, place):
    dispute = _entry(session, place)
    for statement in ("UPDATE dispute_events SET reason = 'x'", "DELETE FROM dispute_events"):
        with pytest.raises(DatabaseError, match="append-only"):
            session.execute(text(statement))
        session.rollback()
    assert _events(session, dispute) == ["register"]
