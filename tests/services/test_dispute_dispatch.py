"""The ledger dispatched by the engine: the problem built from the database and the plan published as events."""
from __future__ import annotations

from sqlalchemy import select

from hotline.models import DisputeEvent
from hotline.services import dispute_dispatch, disputes
from tests.factories import NOW
from tests.services.test_disputes import _entry, place, session  # noqa: F401  (fixtures)


def _assessed(session, place, level="blue", **over):
    dispute = _entry(session, place, **over)
    disputes.act(session, dispute, "accept", now=NOW)
    disputes.act(session, dispute, "assess", risk_level=level, now=NOW)
    session.commit()
    return dispute


def test_the_plan_sends_each_dispute_to_the_lowest_committee_that_may_take_it(session, place):
    blue = _assessed(session, place)
    red = _assessed(session, place, level="red")
    result = dispute_dispatch.plan(session)
    assert result.assignment == {str(blue.id): str(place["village_committee"].id), str(red.id): str(place["key"].id)}


def test_room_already_taken_and_a_committee_that_declined_are_respected(session, place, make):
    full = make.committee(place["village"], kind="village", level=0, capacity=1)
    held = _assessed(session, place)
    disputes.act(session, held, "dispatch", committee_id=full.id, now=NOW)
    session.commit()
    declined = _assessed(session, place)
    disputes.act(session, declined, "dispatch", committee_id=place["village_committee"].id, now=NOW)
    disputes.act(session, declined, "committee_decline", reason="A member is a party's cousin", now=NOW)
    session.commit()
    problem = dispute_dispatch.build_problem(session)
    room = {committee.id: committee.capacity for committee in problem.committees}
    assert room[str(full.id)] == 0
    assert dispute_dispatch.plan(session).assignment == {str(declined.id): str(place["key"].id)}


def test_publishing_writes_one_dispatch_event_each_and_texts_each_director_once(session, place):
    first, second = _assessed(session, place), _assessed(session, place)
    changed = _assessed(session, place)
    result = dispute_dispatch.plan(session)
    disputes.act(session, changed, "withdraw", reason="The parties settled", now=NOW)
    session.commit()
    texts = []
    published = dispute_dispatch.publish(session, result.assignment, None, NOW, lambda to, body: texts.append((to, body)))
    session.commit()
    assert (published.dispatched, published.skipped, published.texted) == (2, [changed.id], 1)
    assert texts == [(place["village_committee"].director_phone,
                      f"{place['village_committee'].name_zh}：新分派矛盾纠纷2件，请及时受理。")]
    events = session.scalars(select(DisputeEvent).where(DisputeEvent.action == "dispatch")).all()
    assert sorted(event.dispute_id for event in events) == [first.id, second.id]
