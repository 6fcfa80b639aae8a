"""Mediation sessions with the parties: scheduling (rooms, texts, one-time links), holding and follow-up visits
(one event and one version 2 service record each), the phone conference, and refusals that write nothing."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from hotline import jobs
from hotline.models import (
    DisputeEvent, DisputeSession, DisputeSessionLink, FollowUp, OutboxMessage, ServiceRecord,
)
from hotline.services import dispute_sessions, disputes, servicelog
from hotline.services.dispute_sessions import LinkRefused, Reach
from hotline.services.disputes import DisputeRefused, Party
from hotline.telephony.consultations import NotConfigured
from tests.factories import NOW
from tests.fakes import FakeTwilioHttp
from tests.services.test_disputes import place, session  # noqa: F401  (fixtures)

SID = "AC" + "0" * 32
ROOMS = "https://video.twilio.com/v1/Rooms"
MESSAGES = f"https://api.twilio.com/2010-04-01/Accounts/{SID}/Messages.json"
CALLS = f"https://api.twilio.com/2010-04-01/Accounts/{SID}/Calls.json"
KEY_SECRET = "s" * 32
TWILIO = dict(TWILIO_ACCOUNT_SID=SID, TWILIO_AUTH_TOKEN="token", TWILIO_FROM_NUMBER="+862412348",
              TWILIO_API_KEY_SID="SK" + "1" * 32, TWILIO_API_KEY_SECRET=KEY_SECRET)
START = NOW + timedelta(days=2)
END = START + timedelta(hours=1)


@pytest.fixture
def app(app_factory):
    """Twilio configured, talking to a fake HTTP client."""
    app = app_factory(**TWILIO)
    app.extensions["twilio_http_client"] = FakeTwilioHttp()
    return app


@pytest.fixture
def fake(app) -> FakeTwilioHttp:
    return app.extensions["twilio_http_client"]


@pytest.fixture
def reach(app) -> Reach:
    return Reach(jobs.twilio_settings(app), "test-secret", lambda token: f"https://hotline.example.cn/j/{token}",
                 lambda sitting, party: f"https://hotline.example.cn/call/{sitting.id}?party={party or ''}")


@pytest.fixture
def mediator(make, place):
    """A mediator of the village committee who is also a duty lawyer."""
    return make.mediator(place["village_committee"], phone="+8613900009999", lawyer_id=make.lawyer().id)


@pytest.fixture
def entry(session, place, mediator):
    """An entry in mediation at the village committee: two parties with phones and one without."""
    dispute = disputes.register(session, source="screening", found_at=NOW, org_unit=place["village"],
                                dispute_type="land", summary="A boundary between two fields",
                                parties=[Party("张三", "+8613800000001"), Party("李四", "+8613800000002"),
                                         Party("王五")], now=NOW)
    for action, data in (("accept", {}), ("assess", {"risk_level": "blue"}),
                         ("dispatch", {"committee_id": place["village_committee"].id}),
                         ("committee_accept", {"mediator_id": mediator.id})):
        disputes.act(session, dispute, action, now=NOW, **data)
    session.commit()
    return dispute


def _schedule(session, entry, reach, mode="video", **over):
    values = dict(mode=mode, starts_at=START, ends_at=END, mediator_id=None, user=None, now=NOW, reach=reach)
    sitting = dispute_sessions.schedule(session, entry, **(values | over))
    session.commit()
    return sitting


def _count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


def _token(body: str) -> str:
    return body.rsplit("/", 1)[-1]


def test_a_video_session_opens_a_room_and_texts_each_party_a_link_of_their_own(session, entry, reach, fake):
    sitting = _schedule(session, entry, reach)
    assert sitting.room_name == f"mediation-{sitting.id}" and entry.mediator_id == sitting.mediator_id
    assert [(r["uri"], r["data"]) for r in fake.requests if r["uri"].startswith(ROOMS)] == [
        (ROOMS, {"UniqueName": f"mediation-{sitting.id}", "Type": "group", "MaxParticipants": 6})]
    # The texts go through the outbox and out of the hotline number.
    assert sorted((r["data"]["To"], r["data"]["From"]) for r in fake.requests if r["uri"] == MESSAGES) == [
        ("+8613800000001", "+862412348"), ("+8613800000002", "+862412348")]
    texts = session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert [(t.to_number, t.purpose) for t in texts] == [("+8613800000001", "mediation_session"),
                                                          ("+8613800000002", "mediation_session")]
    assert all("视频调解" in t.body and entry.number in t.body and "https://hotline.example.cn/j/" in t.body
               for t in texts)
    links = session.scalars(select(DisputeSessionLink).order_by(DisputeSessionLink.id)).all()
    assert [link.party.name for link in links] == ["张三", "李四"]  # 王五 has no phone: nothing to send
    tokens = [_token(t.body) for t in texts]
    assert len(set(tokens)) == 2
    # Only the SHA-256 of each token is kept.
    assert [link.token_hash for link in links] == [dispute_sessions.token_hash(token) for token in tokens]
    assert all(link.expires_at == END for link in links)


def test_a_link_opens_once_and_not_from_the_moment_the_session_ends(session, entry, reach):
    sitting = _schedule(session, entry, reach)
    token = _token(session.scalar(select(OutboxMessage.body).order_by(OutboxMessage.id)))
    assert dispute_sessions.find_link(session, token, "test-secret", END - timedelta(seconds=1)).party.name == "张三"
    with pytest.raises(LinkRefused, match="ended"):
        dispute_sessions.find_link(session, token, "test-secret", END)
    link = dispute_sessions.find_link(session, token, "test-secret", START)
    dispute_sessions.use_link(session, link, START)
    session.commit()
    with pytest.raises(LinkRefused, match="used"):
        dispute_sessions.find_link(session, token, "test-secret", START)
    with pytest.raises(LinkRefused, match="used"):
        dispute_sessions.use_link(session, link, START)
    session.rollback()
    assert sitting.state == "scheduled"


@pytest.mark.parametrize("forge", [
    lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # the signature does not match
    lambda token: "x" * 500,
    lambda token: "",
])
def test_a_forged_or_unknown_token_is_unknown(session, entry, reach, forge):
    _schedule(session, entry, reach)
    token = _token(session.scalar(select(OutboxMessage.body).order_by(OutboxMessage.id)))
    with pytest.raises(LinkRefused, match="unknown"):
        dispute_sessions.find_link(session, forge(token), "test-secret", START)
    with pytest.raises(LinkRefused, match="unknown"):  # a well-signed token of another server
        dispute_sessions.find_link(session, token, "another-secret", START)


def test_cancelling_ends_the_links_and_tells_the_parties(session, entry, reach):
    sitting = _schedule(session, entry, reach)
    token = _token(session.scalar(select(OutboxMessage.body).order_by(OutboxMessage.id)))
    dispute_sessions.cancel(session, sitting, None, NOW)
    session.commit()
    with pytest.raises(LinkRefused, match="ended"):
        dispute_sessions.find_link(session, token, "test-secret", START)
    cancelled = session.scalars(select(OutboxMessage.body).where(OutboxMessage.body.contains("已取消"))).all()
    assert len(cancelled) == 2
    with pytest.raises(DisputeRefused, match="session_not_scheduled"):
        dispute_sessions.cancel(session, sitting, None, NOW)


def _nothing_written(session, fake, events_before: int) -> None:
    session.rollback()
    assert _count(session, DisputeSession) == 0
    assert _count(session, DisputeSessionLink) == 0
    assert _count(session, OutboxMessage) == 0
    assert _count(session, DisputeEvent) == events_before
    assert not fake.requests


@pytest.mark.parametrize("over, code", [
    ({"mode": "carrier pigeon"}, "bad_mode"),
    ({"ends_at": START}, "session_ends_before_start"),
    ({"ends_at": START + timedelta(hours=8, seconds=1)}, "session_too_long"),
    ({"starts_at": NOW - timedelta(hours=2), "ends_at": NOW}, "session_in_past"),
    ({"starts_at": NOW + timedelta(days=181), "ends_at": NOW + timedelta(days=181, hours=1)}, "session_too_far"),
    ({"mediator_id": "other"}, "mediator_not_of_committee"),
    ({"mediator_id": 10**6}, "mediator_not_of_committee"),
])
def test_a_refused_schedule_writes_nothing_and_texts_nobody(session, entry, reach, fake, make, place, over, code):
    if over.get("mediator_id") == "other":
        over["mediator_id"] = make.mediator(place["key"]).id
    events = _count(session, DisputeEvent)
    with pytest.raises(DisputeRefused, match=code):
        dispute_sessions.schedule(session, entry, **(dict(mode="video", starts_at=START, ends_at=END, mediator_id=None,
                                                          user=None, now=NOW, reach=reach) | over))
    _nothing_written(session, fake, events)


def test_only_an_entry_in_mediation_gets_sessions(session, place, reach, fake):
    dispute = disputes.register(session, source="screening", found_at=NOW, org_unit=place["village"],
                                dispute_type="land", summary="Fields", parties=[Party("甲", "+8613800000001"),
                                                                                Party("乙")], now=NOW)
    session.commit()
    events = _count(session, DisputeEvent)
    with pytest.raises(DisputeRefused, match="session_needs_mediation"):
        _schedule(session, dispute, reach, mode="on_site")
    _nothing_written(session, fake, events)


def test_phone_and_video_need_a_party_with_a_phone(session, place, reach, fake, mediator):
    dispute = disputes.register(session, source="screening", found_at=NOW, org_unit=place["village"],
                                dispute_type="land", summary="Fields", parties=[Party("甲"), Party("乙")], now=NOW)
    for action, data in (("accept", {}), ("assess", {"risk_level": "blue"}),
                         ("dispatch", {"committee_id": place["village_committee"].id}), ("committee_accept", {})):
        disputes.act(session, dispute, action, now=NOW, **data)
    session.commit()
    for mode in ("phone", "video"):
        with pytest.raises(DisputeRefused, match="parties_need_phones"):
            _schedule(session, dispute, reach, mode=mode)
        session.rollback()
    assert _schedule(session, dispute, reach, mode="on_site").state == "scheduled"


def test_video_without_twilio_is_refused_and_nothing_is_kept(app_factory, session, entry):
    bare = app_factory()
    reach = Reach(jobs.twilio_settings(bare), "k", lambda token: token, lambda sitting, party: "")
    with pytest.raises(NotConfigured):
        _schedule(session, entry, reach)
    session.rollback()
    assert _count(session, DisputeSession) == 0 and _count(session, OutboxMessage) == 0


def test_holding_writes_one_event_and_one_version_2_record_linked_to_the_entry(session, entry, reach, mediator):
    sitting = _schedule(session, entry, reach, mode="phone")
    assert all("电话调解" in body for body in session.scalars(select(OutboxMessage.body)))
    record = dispute_sessions.hold(session, sitting, "  Both sides agreed to measure the boundary again  ", None,
                                   START + timedelta(minutes=40))
    session.commit()
    assert sitting.state == "held" and sitting.service_record_id == record.id
    assert sitting.record == "Both sides agreed to measure the boundary again"
    event = session.scalar(select(DisputeEvent).where(DisputeEvent.action == "session"))
    assert event.data == {"mode": "phone", "record": "Both sides agreed to measure the boundary again"}
    stored = session.scalar(select(ServiceRecord))
    assert (stored.kind, stored.chain_version, stored.dispute_id) == ("mediation", 2, entry.id)
    assert stored.recipient_name == "张三、李四、王五" and stored.recipient_phone is None
    assert stored.provider_lawyer_id == mediator.lawyer_id and stored.provider_user_id is None
    assert (stored.started_at, stored.ended_at) == (START, START + timedelta(minutes=40))
    assert (stored.legal_area, stored.channel, stored.city_id) == ("land_rural", "phone", entry.city_id)
    assert _count(session, FollowUp) == 0  # no satisfaction survey to one party of a dispute
    assert servicelog.verify(session).intact


def test_a_refused_hold_writes_nothing(session, entry, reach):
    sitting = _schedule(session, entry, reach, mode="on_site")
    events = _count(session, DisputeEvent)
    with pytest.raises(DisputeRefused, match="session_not_started"):
        dispute_sessions.hold(session, sitting, "Heard", None, START - timedelta(seconds=1))
    with pytest.raises(DisputeRefused, match="record_required"):
        dispute_sessions.hold(session, sitting, "   ", None, START)
    # The entry concluded meanwhile: the ledger refuses the session event, and the log gets no record.
    disputes.act(session, entry, "succeed", now=NOW, agreement_form="oral", terms="Split the field")
    session.commit()
    events += 1
    with pytest.raises(DisputeRefused, match="not_from_state"):
        dispute_sessions.hold(session, sitting, "Heard", None, START)
    session.rollback()
    assert session.get(DisputeSession, sitting.id).state == "scheduled"
    assert _count(session, DisputeEvent) == events and _count(session, ServiceRecord) == 0


def test_an_on_site_session_may_be_entered_after_the_fact_without_texts(session, entry, reach):
    sitting = _schedule(session, entry, reach, mode="on_site", starts_at=NOW - timedelta(hours=3),
                        ends_at=NOW - timedelta(hours=2))
    assert _count(session, OutboxMessage) == 0
    record = dispute_sessions.hold(session, sitting, "Heard at the village office", None, NOW)
    session.commit()
    assert (record.channel, record.ended_at) == ("walk_in", NOW - timedelta(hours=2))


def test_a_follow_up_visit_writes_one_event_and_one_record(session, entry, reach):
    disputes.act(session, entry, "succeed", now=NOW, agreement_form="written", terms="Move the fence",
                 performance_date=date(2026, 12, 10))
    session.commit()
    later = NOW + timedelta(days=15)
    with pytest.raises(DisputeRefused, match="note_required"):
        dispute_sessions.follow_up(session, entry, None, " ", True, later)
    with pytest.raises(DisputeRefused, match="bad_kept"):
        dispute_sessions.follow_up(session, entry, None, "Visited", "yes", later)
    session.rollback()
    assert _count(session, ServiceRecord) == 0
    record = dispute_sessions.follow_up(session, entry, None, " The fence was moved ", True, later)
    session.commit()
    assert (record.kind, record.chain_version, record.dispute_id, record.outcome) == (
        "mediation_follow_up", 2, entry.id, "The fence was moved")
    event = session.scalar(select(DisputeEvent).where(DisputeEvent.action == "follow_up"))
    assert event.data == {"note": "The fence was moved", "kept": True} and entry.state == "following_up"
    assert servicelog.verify(session).intact


def test_a_phone_session_rings_the_mediator_then_each_party_from_the_hotline(session, entry, reach, fake, mediator):
    sitting = _schedule(session, entry, reach, mode="phone")
    fake.requests.clear()
    with pytest.raises(DisputeRefused, match="session_not_now"):
        dispute_sessions.call(session, sitting, reach, START - timedelta(minutes=16))
    with pytest.raises(DisputeRefused, match="session_not_now"):
        dispute_sessions.call(session, sitting, reach, END)
    assert dispute_sessions.call(session, sitting, reach, START - timedelta(minutes=15)) == 3
    parties = {party.phone: party.id for party in entry.parties}
    assert [(r["uri"], r["data"]) for r in fake.requests] == [
        (CALLS, {"To": mediator.phone, "From": "+862412348",
                 "Url": f"https://hotline.example.cn/call/{sitting.id}?party="}),
        (CALLS, {"To": "+8613800000001", "From": "+862412348",
                 "Url": f"https://hotline.example.cn/call/{sitting.id}?party={parties['+8613800000001']}"}),
        (CALLS, {"To": "+8613800000002", "From": "+862412348",
                 "Url": f"https://hotline.example.cn/call/{sitting.id}?party={parties['+8613800000002']}"}),
    ]
    video = _schedule(session, entry, reach, mode="video")
    with pytest.raises(DisputeRefused, match="session_not_by_phone"):
        dispute_sessions.call(session, video, reach, START)
