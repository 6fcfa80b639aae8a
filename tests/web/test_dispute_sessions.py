"""The sessions pages: who may schedule, hold, cancel and follow up (in scope only), the party's one-time join page,
the phone conference's webhook, refusals that answer 4xx and write nothing, and the pages in Chinese."""
from __future__ import annotations

import re
import time
from datetime import date, timedelta

import jwt
import pytest
from sqlalchemy import func, select
from twilio.request_validator import RequestValidator

from hotline.disputes import sessions as session_views
from hotline.extensions import db
from hotline.models import (
    Dispute, DisputeEvent, DisputeParty, DisputeSession, DisputeSessionLink, OutboxMessage, ServiceRecord,
)
from hotline.services import disputes
from hotline.services.disputes import Party
from tests.conftest import login
from tests.factories import NOW
from tests.fakes import FakeTwilioHttp
from tests.services.test_dispute_sessions import KEY_SECRET, MESSAGES, ROOMS, TWILIO
from tests.services.test_dispute_sessions import fake  # noqa: F401  (fixture, over this module's app)
from tests.services.test_disputes import place  # noqa: F401  (fixture)
from tests.web.test_zh_everywhere import _codes, _english_phrases, visible_text

START = NOW + timedelta(days=2)  # 2026-11-29 10:00 in Beijing
END = START + timedelta(hours=1)
BASE = "https://hotline.example.cn"


@pytest.fixture
def clock(monkeypatch):
    """The views' clock, set by the test."""
    moment = {"now": NOW}
    monkeypatch.setattr(session_views, "utcnow", lambda: moment["now"])
    return moment


@pytest.fixture
def app(app_factory, clock):
    app = app_factory(**TWILIO)
    app.extensions["twilio_http_client"] = FakeTwilioHttp()
    return app


@pytest.fixture
def people(make, place):
    """A bureau coordinator of the county, one of another county, the committee's mediator (a signed-in user) and
    a mediator of another committee."""
    elsewhere = make.org_unit("county", city=place["city"])
    own = make.user("mediator")
    stranger = make.user("mediator")
    return {
        "bureau": make.user("bureau", org_unit_id=place["county"].id),
        "other_bureau": make.user("bureau", org_unit_id=elsewhere.id),
        "mediator": make.mediator(place["village_committee"], user_id=own.id, phone="+8613900009999"),
        "mediator_user": own,
        "stranger": stranger,
        "stranger_mediator": make.mediator(place["key"], user_id=stranger.id),
        "operator": make.user("operator"),
        "admin": make.user("admin"),
        "city_admin": make.user("admin", city_id=place["city"].id),
        "other_city_admin": make.user("admin", city_id=make.city().id),
    }


@pytest.fixture
def ledger(app):
    """ledger(work) runs work(session) in an app context of its own and commits (no context stays pushed, so each
    request gets its own session, as in production)."""

    def run(work):
        with app.app_context():
            result = work(db.session)
            db.session.commit()
            db.session.expunge_all()
            return result

    return run


@pytest.fixture
def entry(ledger, make, place, people):
    """An entry in mediation at the village committee, with two parties who have phones and one who has not."""

    def register(session):
        dispute = disputes.register(session, source="screening", found_at=NOW, org_unit=place["village"],
                                    dispute_type="neighbour", summary="A wall between two yards",
                                    parties=[Party("张三", "+8613800000001"), Party("李四", "+8613800000002"),
                                             Party("王五")], now=NOW)
        for action, data in (("accept", {}), ("assess", {"risk_level": "blue"}),
                             ("dispatch", {"committee_id": place["village_committee"].id}),
                             ("committee_accept", {"mediator_id": people["mediator"].id})):
            disputes.act(session, dispute, action, now=NOW, **data)
        return dispute.id

    return make.get(Dispute, ledger(register))


def _succeed(ledger, dispute_id: int) -> None:
    ledger(lambda session: disputes.act(session, session.get(Dispute, dispute_id), "succeed", now=NOW,
                                        agreement_form="written", terms="The wall is rebuilt",
                                        performance_date=date(2026, 12, 10)))


def _as(app, user):
    """A client signed in as the user, reading English (the Chinese pages are checked at the end)."""
    client = _phone(app)
    assert login(client, user.username).status_code == 302
    return client


def _phone(app):
    """A party's phone: an anonymous browser reading English."""
    client = app.test_client()
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    return client


SCHEDULE = {"mode": "video", "day": "2026-11-29", "starts": "10:00", "ends": "11:00", "mediator_id": ""}


def _schedule(app, people, entry, **over):
    return _as(app, people["bureau"]).post(f"/disputes/{entry.id}/sessions", data=SCHEDULE | over)


def _tokens(make) -> list[str]:
    bodies = make.scalars(select(OutboxMessage.body).where(OutboxMessage.body.contains("/disputes/join/"))
                          .order_by(OutboxMessage.id))
    return [re.search(r"/disputes/join/(\S+)$", body).group(1) for body in bodies]


def _counts(make) -> tuple:
    return tuple(make.scalar(select(func.count()).select_from(model))
                 for model in (DisputeSession, DisputeSessionLink, OutboxMessage, DisputeEvent, ServiceRecord))


def test_a_bureau_schedules_a_video_session_and_each_party_is_texted_a_link(app, people, entry, fake, make):
    response = _schedule(app, people, entry)
    assert response.status_code == 302 and response.location.endswith(f"/disputes/{entry.id}#sessions")
    sitting = make.scalar(select(DisputeSession))
    assert (sitting.mode, sitting.state, sitting.starts_at, sitting.ends_at) == ("video", "scheduled", START, END)
    assert sitting.mediator_id == people["mediator"].id and sitting.created_by_id == people["bureau"].id
    assert [r["data"]["UniqueName"] for r in fake.requests if r["uri"] == ROOMS] == [f"mediation-{sitting.id}"]
    texts = sorted((r["data"]["To"], r["data"]["Body"]) for r in fake.requests if r["uri"] == MESSAGES)
    assert [to for to, _ in texts] == ["+8613800000001", "+8613800000002"]
    assert all(f"{BASE}/disputes/join/" in body and "11-29 10:00" in body for _, body in texts)
    assert len(set(_tokens(make))) == 2


def test_a_party_joins_once_and_only_as_themselves(app, people, entry, make, clock):
    _schedule(app, people, entry)
    token = _tokens(make)[0]
    party = make.scalar(select(DisputeSessionLink)).party_id
    phone = _phone(app)
    clock["now"] = START - timedelta(minutes=5)
    page = phone.get(f"/disputes/join/{token}")
    assert page.status_code == 200 and "张三" in page.get_data(as_text=True)
    assert "+8613800000002" not in page.get_data(as_text=True)
    assert make.scalar(select(DisputeSessionLink.used_at).where(DisputeSessionLink.party_id == party)) is None
    answer = phone.post(f"/disputes/join/{token}/video-token")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    claims = jwt.decode(answer.get_json()["token"], KEY_SECRET, algorithms=["HS256"])
    sitting = make.scalar(select(DisputeSession))
    assert claims["grants"] == {"identity": f"party-{party}", "video": {"room": f"mediation-{sitting.id}"}}
    assert abs(claims["exp"] - time.time() - 65 * 60) < 60  # until the session ends
    # Another phone with the same link is refused; the party's own browser may rejoin after a dropped connection.
    other = _phone(app)
    assert other.post(f"/disputes/join/{token}/video-token").status_code == 410
    gone = other.get(f"/disputes/join/{token}")
    assert gone.status_code == 410 and "works only once" in gone.get_data(as_text=True)
    assert phone.post(f"/disputes/join/{token}/video-token").status_code == 200


def test_a_link_stops_at_the_second_the_session_ends(app, people, entry, make, clock):
    _schedule(app, people, entry)
    token = _tokens(make)[1]
    client = _phone(app)
    clock["now"] = END - timedelta(seconds=1)
    assert client.get(f"/disputes/join/{token}").status_code == 200
    clock["now"] = END
    assert client.get(f"/disputes/join/{token}").status_code == 410
    assert client.post(f"/disputes/join/{token}/video-token").status_code == 410
    assert make.scalar(select(func.count()).where(DisputeSessionLink.used_at.is_not(None))) == 0


@pytest.mark.parametrize("token", ["labour", "x" * 300, "abc.def", "不是令牌"])
def test_an_unknown_or_forged_link_is_a_clear_404(app, people, entry, make, token):
    _schedule(app, people, entry)
    real = _tokens(make)[0]
    for candidate in (token, real[:-2] + "xx"):
        page = _phone(app).get(f"/disputes/join/{candidate}")
        assert page.status_code == 404 and "not valid" in page.get_data(as_text=True)
        assert _phone(app).post(f"/disputes/join/{candidate}/video-token").status_code == 404
    assert _phone(app).get("/disputes/join/%00").status_code == 400  # NUL is refused everywhere


def test_cancelling_ends_the_links(app, people, entry, make):
    _schedule(app, people, entry)
    token = _tokens(make)[0]
    sitting = make.scalar(select(DisputeSession))
    assert _as(app, people["mediator_user"]).post(f"/disputes/sessions/{sitting.id}/cancel").status_code == 302
    assert make.get(DisputeSession, sitting.id).state == "cancelled"
    assert _phone(app).get(f"/disputes/join/{token}").status_code == 410
    again = _as(app, people["bureau"]).post(f"/disputes/sessions/{sitting.id}/cancel")
    assert again.status_code == 409 and "already been held or cancelled" in again.get_data(as_text=True)


def test_the_mediator_holds_the_session_and_the_log_still_verifies(app, people, entry, make, runner, clock):
    _schedule(app, people, entry, mode="phone")
    sitting = make.scalar(select(DisputeSession))
    mediator = _as(app, people["mediator_user"])
    clock["now"] = START + timedelta(minutes=50)
    response = mediator.post(f"/disputes/sessions/{sitting.id}/hold", data={"record": "两家同意共同出资修墙"})
    assert response.status_code == 302
    held = make.get(DisputeSession, sitting.id)
    record = make.get(ServiceRecord, held.service_record_id)
    assert (held.state, record.kind, record.dispute_id, record.chain_version) == ("held", "mediation", entry.id, 2)
    assert record.provider_user_id == people["mediator_user"].id and record.outcome == "两家同意共同出资修墙"
    assert make.scalar(select(DisputeEvent.user_id).where(DisputeEvent.action == "session")) == \
        people["mediator_user"].id
    page = mediator.get(f"/disputes/{entry.id}")
    assert "两家同意共同出资修墙" in page.get_data(as_text=True)
    outcome = runner.invoke(args=["servicelog", "verify"])
    assert outcome.exit_code == 0 and "1 records checked" in outcome.output


def test_follow_up_visits_after_the_mediation(app, people, entry, make, ledger, clock):
    bureau = _as(app, people["bureau"])
    early = bureau.post(f"/disputes/{entry.id}/follow-up", data={"note": "Visited", "kept": "yes"})
    assert early.status_code == 409 and "once the mediation has ended" in early.get_data(as_text=True)
    _succeed(ledger, entry.id)
    clock["now"] = NOW + timedelta(days=16)
    assert bureau.post(f"/disputes/{entry.id}/follow-up", data={"note": "墙已修好", "kept": "yes"}).status_code == 302
    record = make.scalar(select(ServiceRecord))
    assert (record.kind, record.dispute_id, record.outcome) == ("mediation_follow_up", entry.id, "墙已修好")
    event = make.scalar(select(DisputeEvent).where(DisputeEvent.action == "follow_up"))
    assert event.data == {"note": "墙已修好", "kept": True}
    bad = bureau.post(f"/disputes/{entry.id}/follow-up", data={"note": "x", "kept": "maybe"})
    assert bad.status_code == 400 and make.scalar(select(func.count()).select_from(ServiceRecord)) == 1


@pytest.mark.parametrize("data, status, words", [
    ({"ends": "09:00"}, 400, "The end must be after the start"),
    ({"day": "2026-13-01"}, 400, "Day"),
    ({"mode": "pigeon"}, 400, "How"),
    ({"mediator_id": "999999"}, 400, "Mediator"),
    ({"mediator_id": "other"}, 400, "Mediator"),  # not offered: only the committee's own are
    ({"day": "2026-11-26"}, 400, "must still be ahead"),
    ({"mode": "on_site", "starts": "01:00", "ends": "23:00"}, 400, "at most 8 hours"),
])
def test_bad_schedules_answer_4xx_and_write_nothing(app, people, entry, make, fake, data, status, words):
    if data.get("mediator_id") == "other":
        data = data | {"mediator_id": str(people["stranger_mediator"].id)}
    before = _counts(make)
    response = _schedule(app, people, entry, **data)
    assert response.status_code == status and words in response.get_data(as_text=True)
    assert _counts(make) == before and not fake.requests


def test_refused_holds_write_nothing(app, people, entry, make, clock):
    _schedule(app, people, entry, mode="on_site")
    sitting = make.scalar(select(DisputeSession))
    bureau = _as(app, people["bureau"])
    before = _counts(make)
    clock["now"] = START - timedelta(seconds=1)
    early = bureau.post(f"/disputes/sessions/{sitting.id}/hold", data={"record": "Heard"})
    assert early.status_code == 409 and "once it has started" in early.get_data(as_text=True)
    clock["now"] = START
    assert bureau.post(f"/disputes/sessions/{sitting.id}/hold", data={"record": "  "}).status_code == 400
    assert _counts(make) == before
    assert make.get(DisputeSession, sitting.id).state == "scheduled"


def test_a_session_needs_an_entry_in_mediation(app, people, place, ledger, make, fake):
    dispute = make.get(Dispute, ledger(lambda session: disputes.register(
        session, source="screening", found_at=NOW, org_unit=place["village"], dispute_type="neighbour",
        summary="Noise", parties=[Party("甲"), Party("乙")], now=NOW).id))
    before = _counts(make)
    response = _as(app, people["bureau"]).post(f"/disputes/{dispute.id}/sessions", data=SCHEDULE)
    assert response.status_code == 409 and "only while the entry is in mediation" in response.get_data(as_text=True)
    assert _counts(make) == before and not fake.requests


def test_video_without_twilio_is_a_503_and_nothing_is_kept(app_factory, clock, people, entry, make):
    bare = app_factory()
    before = _counts(make)
    response = _as(bare, people["bureau"]).post(f"/disputes/{entry.id}/sessions", data=SCHEDULE)
    assert response.status_code == 503 and "not set up" in response.get_data(as_text=True)
    assert _counts(make) == before


@pytest.mark.parametrize("who, allowed", [
    ("bureau", True), ("mediator_user", True), ("admin", True), ("city_admin", True),
    ("other_bureau", False), ("stranger", False), ("other_city_admin", False),
])
def test_only_those_in_scope_act_on_an_entrys_sessions(app, people, entry, make, who, allowed, clock):
    _schedule(app, people, entry, mode="on_site")
    sitting = make.scalar(select(DisputeSession))
    client = _as(app, people[who])
    clock["now"] = START + timedelta(minutes=5)
    posts = [(f"/disputes/{entry.id}/sessions", SCHEDULE | {"mode": "on_site", "day": "2026-11-30"}),
             (f"/disputes/sessions/{sitting.id}/video-token", {}),
             (f"/disputes/sessions/{sitting.id}/call", {}),
             (f"/disputes/{entry.id}/follow-up", {"note": "x", "kept": "yes"}),
             (f"/disputes/sessions/{sitting.id}/hold", {"record": "Heard"}),
             (f"/disputes/sessions/{sitting.id}/cancel", {})]
    for url, data in posts:
        status = client.post(url, data=data).status_code
        assert (status != 404) if allowed else (status == 404), (who, url, status)
    assert make.get(DisputeSession, sitting.id).state == ("held" if allowed else "scheduled")


def test_other_roles_are_refused(app, people, entry):
    for url in (f"/disputes/{entry.id}/sessions", f"/disputes/{entry.id}/follow-up"):
        assert _as(app, people["operator"]).post(url, data=SCHEDULE).status_code == 403


def _signed(app, path: str, query: str = ""):
    url = path + query
    signature = RequestValidator("token").compute_signature(BASE + url, {"CallSid": "CA1"})
    return app.test_client().post(url, data={"CallSid": "CA1"}, headers={"X-Twilio-Signature": signature})


def test_the_phone_conference_answers_each_leg_without_numbers(app, people, entry, make, fake, clock):
    _schedule(app, people, entry, mode="phone")
    sitting = make.scalar(select(DisputeSession))
    clock["now"] = START - timedelta(minutes=10)
    fake.requests.clear()
    assert _as(app, people["mediator_user"]).post(f"/disputes/sessions/{sitting.id}/call").status_code == 302
    urls = [r["data"]["Url"] for r in fake.requests]
    assert [r["data"]["To"] for r in fake.requests] == ["+8613900009999", "+8613800000001", "+8613800000002"]
    assert urls[0] == f"{BASE}/telephony/mediation/{sitting.id}/join"
    party = make.scalar(select(DisputeParty).where(DisputeParty.phone == "+8613800000001"))
    mediator_leg = _signed(app, f"/telephony/mediation/{sitting.id}/join").get_data(as_text=True)
    party_leg = _signed(app, f"/telephony/mediation/{sitting.id}/join", f"?party={party.id}").get_data(as_text=True)
    assert f">mediation-{sitting.id}</Conference>" in mediator_leg and 'endConferenceOnExit="true"' in mediator_leg
    assert 'startConferenceOnEnter="false"' in party_leg and "+86" not in party_leg + mediator_leg
    assert _signed(app, f"/telephony/mediation/{sitting.id}/join", "?party=999999").status_code == 400
    assert _signed(app, f"/telephony/mediation/{sitting.id}/join", "?party=x").status_code == 400
    assert _signed(app, "/telephony/mediation/999999/join").status_code == 404
    unsigned = app.test_client().post(f"/telephony/mediation/{sitting.id}/join", data={"CallSid": "CA1"})
    assert unsigned.status_code == 403
    clock["now"] = END
    late = _as(app, people["bureau"]).post(f"/disputes/sessions/{sitting.id}/call")
    assert late.status_code == 409 and "15 minutes before" in late.get_data(as_text=True)
    make.update(DisputeSession, sitting.id, state="cancelled")
    assert "已结束或已取消" in _signed(app, f"/telephony/mediation/{sitting.id}/join").get_data(as_text=True)


def test_the_pages_in_chinese_show_no_english_and_no_codes(app, people, entry, make, clock, ledger):
    _schedule(app, people, entry)
    _schedule(app, people, entry, mode="phone", day="2026-11-30")
    token = _tokens(make)[0]
    clock["now"] = START - timedelta(minutes=5)
    mediator = _as(app, people["mediator_user"])
    party = app.test_client()
    for client in (mediator, party):
        client.post("/language/zh_Hans")
    refused = mediator.post(f"/disputes/{entry.id}/sessions", data=SCHEDULE | {"mode": "pigeon", "ends": "09:00"})
    pages = {"entry": mediator.get(f"/disputes/{entry.id}"), "join": party.get(f"/disputes/join/{token}"),
             "refused": refused, "gone": party.get("/disputes/join/nothing")}
    _succeed(ledger, entry.id)
    pages["follow_up"] = mediator.get(f"/disputes/{entry.id}")
    phrases, codes = _english_phrases(), _codes()
    for name, page in pages.items():
        text = visible_text(page.get_data(as_text=True))
        assert not [phrase for phrase in phrases if phrase in text], (name, text)
        assert not [code for code in codes if re.search(rf"(?<![\w/.@-]){re.escape(code)}(?![\w/.@-])", text)], \
            (name, text)
    entry_text = visible_text(pages["entry"].get_data(as_text=True))
    assert "视频调解" in entry_text and "电话调解" in entry_text and "已发送2条，已打开0条" in entry_text
    assert "安排调解" in entry_text and "加入" in entry_text  # the live video session, and the form
    assert "登记回访" in visible_text(pages["follow_up"].get_data(as_text=True))
    assert "仅限您本人使用一次" in visible_text(pages["join"].get_data(as_text=True))
