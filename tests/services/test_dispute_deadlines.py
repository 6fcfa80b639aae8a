"""Deadlines of the dispute ledger: computed from the history in Beijing time, exact to the second, and the sweep
that warns once and escalates once."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from hotline.models import DisputeEvent
from hotline.services import dispute_deadlines, disputes
from hotline.services.dispute_deadlines import Deadline, add_month, deadlines
from tests.factories import NOW
from tests.services.test_disputes import _entry, place, session  # noqa: F401  (fixtures)

SECOND = timedelta(seconds=1)


def _by_key(session, dispute) -> dict[str, Deadline]:
    session.refresh(dispute)
    return {deadline.key: deadline for deadline in deadlines(dispute, dispute.events)}


def test_a_deadline_is_met_at_its_second_and_breached_one_second_later():
    deadline = Deadline("accept", NOW, NOW + timedelta(days=1), None)
    assert deadline.status(NOW + timedelta(hours=17)) == "on_track"
    assert deadline.status(NOW + timedelta(hours=18)) == "at_risk"  # the last quarter of its day
    assert deadline.status(NOW + timedelta(days=1)) == "at_risk"
    assert deadline.status(NOW + timedelta(days=1) + SECOND) == "breached"
    assert Deadline("accept", NOW, NOW + timedelta(days=1), NOW + timedelta(days=1)).status(NOW) == "met"
    assert Deadline("accept", NOW, NOW + timedelta(days=1), NOW + timedelta(days=1) + SECOND).status(NOW) == "met_late"


def test_acceptance_is_due_a_day_after_registration_and_met_by_accepting(session, place):
    dispute = _entry(session, place)
    assert _by_key(session, dispute)["accept"].due_at == NOW + timedelta(days=1)
    disputes.act(session, dispute, "accept", now=NOW + timedelta(days=1))
    session.commit()
    assert _by_key(session, dispute)["accept"].status(NOW + timedelta(days=5)) == "met"


def test_a_red_dispute_is_reported_to_the_city_in_6_hours_and_the_province_in_24(session, place):
    dispute = _entry(session, place, risk_level="red")
    found = _by_key(session, dispute)
    assert found["report:city_bureau"].due_at == NOW + timedelta(hours=6)
    assert found["report:province_dept"].due_at == NOW + timedelta(hours=24)
    assert found["report:county_bureau"].due_at == NOW + timedelta(hours=24)  # red is orange and more
    disputes.act(session, dispute, "report", level="province_dept", now=NOW + timedelta(hours=5))
    session.commit()
    found = _by_key(session, dispute)
    assert {found[key].status(NOW + timedelta(days=2)) for key in ("report:city_bureau", "report:province_dept")} == {"met"}
    assert found["acknowledge:province_dept"].due_at == NOW + timedelta(hours=7)
    assert found["acknowledge:province_dept"].status(NOW + timedelta(hours=7) + SECOND) == "breached"


def test_mediation_is_concluded_in_30_days_and_one_extension_needs_both_parties(session, place):
    dispute = _entry(session, place)
    for step, values in (("accept", {}), ("assess", {"risk_level": "blue"}),
                         ("dispatch", {"committee_id": place["village_committee"].id}), ("committee_accept", {})):
        disputes.act(session, dispute, step, now=NOW, **values)
    session.commit()
    assert _by_key(session, dispute)["conclude"].due_at == NOW + timedelta(days=30)
    with pytest.raises(disputes.DisputeRefused, match="extension_needs_consent"):
        disputes.act(session, dispute, "extend", days=10, now=NOW)
    with pytest.raises(disputes.DisputeRefused, match="bad_extension"):
        disputes.act(session, dispute, "extend", days=31, consent_both=True, now=NOW)
    disputes.act(session, dispute, "extend", days=30, consent_both=True, now=NOW)
    session.commit()
    with pytest.raises(disputes.DisputeRefused, match="already_extended"):
        disputes.act(session, dispute, "extend", days=1, consent_both=True, now=NOW)
    session.rollback()
    assert _by_key(session, dispute)["conclude"].due_at == NOW + timedelta(days=60)


def test_follow_up_is_due_3_days_after_performance_or_15_after_the_agreement(session, place):
    dispute = _entry(session, place)
    for step, values in (("accept", {}), ("assess", {"risk_level": "blue"}),
                         ("dispatch", {"committee_id": place["village_committee"].id}), ("committee_accept", {}),
                         ("succeed", {"agreement_form": "oral", "terms": "Pay 500 yuan",
                                      "performance_date": date(2026, 12, 1)})):
        disputes.act(session, dispute, step, now=NOW, **values)
    session.commit()
    # The end of 1 December in Beijing (16:00 UTC) and three days more.
    assert _by_key(session, dispute)["follow_up"].due_at == datetime(2026, 12, 4, 16, 0, tzinfo=timezone.utc)
    other = _entry(session, place)
    for step, values in (("accept", {}), ("assess", {"risk_level": "blue"}),
                         ("dispatch", {"committee_id": place["village_committee"].id}), ("committee_accept", {}),
                         ("succeed", {"agreement_form": "oral", "terms": "Apologise"})):
        disputes.act(session, other, step, now=NOW, **values)
    session.commit()
    assert _by_key(session, other)["follow_up"].due_at == NOW + timedelta(days=15)


def test_measures_are_reviewed_by_level_and_monthly_in_beijing_time(session, place):
    dispute = _entry(session, place, risks={"suicide": 1})
    assert _by_key(session, dispute)["review:suicide"].due_at == NOW + timedelta(days=3)  # orange
    disputes.act(session, dispute, "measure_review", kind="suicide", note="Visited", now=NOW + timedelta(days=2))
    session.commit()
    assert _by_key(session, dispute)["review:suicide"].due_at == NOW + timedelta(days=5)
    # 31 January 08:30 in Beijing → 28 February 08:30 in Beijing.
    assert add_month(datetime(2027, 1, 31, 0, 30, tzinfo=timezone.utc)) == datetime(2027, 2, 28, 0, 30,
                                                                                   tzinfo=timezone.utc)


def test_the_sweep_warns_once_and_escalates_once(session, place, make):
    owner = make.user("operator", phone="+8613900000001")
    dispute = _entry(session, place, user=owner)
    texts = []
    text = lambda phone, body: texts.append((phone, body))  # noqa: E731
    at_risk = NOW + timedelta(hours=20)
    assert dispute_deadlines.sweep(session, at_risk, text) == {"warned": 1, "escalated": 0}
    session.commit()
    assert dispute_deadlines.sweep(session, at_risk + timedelta(hours=1), text) == {"warned": 0, "escalated": 0}
    assert texts == [("+8613900000001", "【12348】纠纷纠2102-2026-00001的“受理”时限将于2026-11-28 10:00到期，请及时办理。")]
    breached = NOW + timedelta(days=1) + SECOND
    assert dispute_deadlines.sweep(session, breached, text) == {"warned": 0, "escalated": 1}
    session.commit()
    assert dispute_deadlines.sweep(session, breached + timedelta(hours=1), text)["escalated"] == 0
    escalation = session.scalar(select(DisputeEvent).where(DisputeEvent.action == "escalate"))
    assert escalation.data["deadline"] == "accept" and escalation.data["to"] == "township"  # from a village


def test_an_entry_keeps_its_next_due_deadline_and_the_sweep_s_next_action(session, place, make):
    """The board reads only entries with a deadline pending and the sweep only those with an action due: each
    event keeps both moments on the entry, equal to a reading of the whole history."""
    dispute = _entry(session, place)
    due = NOW + timedelta(days=1)
    assert (dispute.next_due_at, dispute.next_action_at) == (due, due - timedelta(hours=6))  # at risk from 6 h before
    assert dispute_deadlines.sweep(session, due - timedelta(hours=6) - SECOND, lambda *a: None)["warned"] == 0
    assert dispute_deadlines.sweep(session, due - timedelta(hours=6), lambda *a: None)["warned"] == 1
    session.commit()
    assert (dispute.next_due_at, dispute.next_action_at) == (due, due + SECOND)  # warned: next, the breach
    assert dispute_deadlines.sweep(session, due + SECOND, lambda *a: None)["escalated"] == 1
    session.commit()
    assert (dispute.next_due_at, dispute.next_action_at) == (due, None)  # pending still, nothing left to do
    assert [row.key for row in dispute_deadlines.board(session, due + timedelta(days=1))] == ["accept"]
    disputes.act(session, dispute, "reject", referral="The district court", now=due + timedelta(days=1))
    session.commit()
    assert (dispute.next_due_at, dispute.next_action_at) == (None, None)
    assert dispute_deadlines.board(session, due + timedelta(days=2)) == []
    red = _entry(session, place, risk_level="red")
    stored = (red.next_due_at, red.next_action_at)
    session.refresh(red)
    assert stored == dispute_deadlines.next_moments(red, red.events) == (NOW + timedelta(hours=6),
                                                                           NOW + timedelta(hours=4, minutes=30))


def test_a_breach_texts_whoever_answers_one_level_up(session, place, make):
    """From a village, the township's bureau coordinators are texted (not another township's, not the county's);
    from a county, the city's coordinators; the event names who was told."""
    township = make.user("bureau", phone="+8613900000011", org_unit_id=place["township"].id,
                         city_id=place["city"].id, username="township.head")
    make.user("bureau", phone="+8613900000012", org_unit_id=place["county"].id, city_id=place["city"].id)
    other = make.org_unit("township", parent=place["county"])
    make.user("bureau", phone="+8613900000013", org_unit_id=other.id, city_id=place["city"].id)
    city = make.user("admin", phone="+8613900000014", city_id=place["city"].id, username="dalian.head")
    make.user("admin", phone="+8613900000015", city_id=make.city().id)
    texts = []
    text = lambda phone, body: texts.append((phone, body))  # noqa: E731
    dispute = _entry(session, place)
    breached = NOW + timedelta(days=1) + SECOND
    dispute_deadlines.sweep(session, breached, text)
    session.commit()
    assert texts == [("+8613900000011", "【12348】纠纷纠2102-2026-00001的“受理”时限已于2026-11-28 10:00超时，现报请督办。")]
    event = session.scalar(select(DisputeEvent).where(DisputeEvent.action == "escalate"))
    assert event.data["notified"] == [township.username]
    texts.clear()
    at_county = disputes.register(session, source="screening", found_at=NOW, org_unit=place["county"],
                                  dispute_type="land", summary="征地补偿", now=NOW)
    session.commit()
    dispute_deadlines.sweep(session, breached, text)
    assert [phone for phone, _body in texts] == ["+8613900000014"]
    assert dispute_deadlines.escalation_recipients(session, None, place["city"].id, "province") == []


def test_the_periodic_sweep_acts_on_the_ledger(app, session, place):
    from hotline import jobs

    dispute = _entry(session, place)  # registered a week ago and never accepted
    session.close()
    jobs._sweep(app)
    actions = list(session.scalars(select(DisputeEvent.action).where(DisputeEvent.dispute_id == dispute.id)
                                   .order_by(DisputeEvent.seq)))
    assert actions == ["register", "escalate"]


def test_the_periodic_sweep_reads_the_ledger_every_few_minutes(app_factory, session, place):
    """The outbox sweep runs every 30 seconds; the ledger's deadlines are acted on at most every
    DISPUTE_SWEEP_SECONDS."""
    from hotline import jobs

    app = app_factory(DISPUTE_SWEEP_SECONDS=3600)
    jobs._sweep(app)  # the first sweep of an app reads the ledger
    _entry(session, place)  # registered a week ago and never accepted
    session.close()
    jobs._sweep(app)  # within the hour: not read again
    assert session.scalar(select(func.count()).select_from(DisputeEvent).where(DisputeEvent.action == "escalate")) == 0
    session.close()
    jobs._LEDGER_SWEPT[id(app)] -= timedelta(hours=1)
    jobs._sweep(app)
    assert session.scalar(select(func.count()).select_from(DisputeEvent).where(DisputeEvent.action == "escalate")) == 1
