"""Consultations with Twilio configured: the REST requests for confirmations, reminders, rooms, tokens and the
connecting call, as a fake of Twilio's HTTP layer receives them."""
from __future__ import annotations

from datetime import timedelta

import jwt
import pytest
from sqlalchemy import select

from hotline import jobs
from hotline.extensions import db
from hotline.models import Booking, ConsultationSlot
from hotline.services import reminders
from hotline.telephony import gateway
from tests.conftest import login
from tests.fakes import FakeTwilioHttp

SID = "AC" + "0" * 32
KEY_SID = "SK" + "1" * 32
KEY_SECRET = "s" * 32
MESSAGES = f"https://api.twilio.com/2010-04-01/Accounts/{SID}/Messages.json"
CALLS = f"https://api.twilio.com/2010-04-01/Accounts/{SID}/Calls.json"


@pytest.fixture
def app(app_factory):
    """The app with Twilio (and its video API key) configured, talking to a fake HTTP client."""
    app = app_factory(TWILIO_ACCOUNT_SID=SID, TWILIO_AUTH_TOKEN="token", TWILIO_FROM_NUMBER="+862412348",
                      TWILIO_API_KEY_SID=KEY_SID, TWILIO_API_KEY_SECRET=KEY_SECRET)
    app.extensions["twilio_http_client"] = FakeTwilioHttp()
    return app


def _client(app, user):
    client = app.test_client()
    assert login(client, user.username).status_code == 302
    return client


def _book(app, world, make) -> Booking:
    slot_id = world.slot_ids[(world.own.id, world.block_start)]
    assert _client(app, world.liaison).post(f"/consult/requests/{world.request.id}/book",
                                            data={"slot_id": slot_id}).status_code == 302
    return make.scalar(select(Booking))


def test_booking_and_reminders_are_texted_to_both_sides(app, world, make):
    fake = app.extensions["twilio_http_client"]
    booking = _book(app, world, make)
    confirmations = [(r["data"]["To"], r["data"]["Body"]) for r in fake.requests if r["uri"] == MESSAGES]
    assert sorted(to for to, _body in confirmations) == ["+8613911110000", "+8613922220001"]
    assert all("Dalian Port Logistics Park" in body for _to, body in confirmations)
    fake.requests.clear()
    moment = booking.starts_at - timedelta(minutes=50)
    with app.app_context():
        assert reminders.send_due(db.session, moment) == 1
        gateway.deliver_due(db.session, jobs.twilio_settings(app), moment)
        db.session.commit()
    sent = sorted((r["data"]["To"], r["data"]["From"]) for r in fake.requests if r["uri"] == MESSAGES)
    assert sent == [("+8613911110000", "+862412348"), ("+8613922220001", "+862412348")]
    assert all("提醒" in r["data"]["Body"] for r in fake.requests)


def test_joining_a_video_consultation_creates_the_room_and_a_token_for_that_room(app, world, make):
    fake = app.extensions["twilio_http_client"]
    booking = _book(app, world, make)
    fake.requests.clear()
    answer = _client(app, world.liaison).post(f"/consult/bookings/{booking.id}/video-token")
    assert answer.status_code == 200, answer.get_data(as_text=True)
    assert fake.requests == [{"method": "POST", "uri": "https://video.twilio.com/v1/Rooms", "auth": (SID, "token"),
                              "data": {"UniqueName": f"consult-{booking.id}", "Type": "group", "MaxParticipants": 2}}]
    claims = jwt.decode(answer.get_json()["token"], KEY_SECRET, algorithms=["HS256"])
    assert claims["grants"]["video"]["room"] == f"consult-{booking.id}"
    assert claims["grants"]["identity"] == f"liaison-{world.liaison.id}"
    assert make.get(Booking, booking.id).video_room.startswith("RM")
    lawyer = _client(app, world.lawyer_user).post(f"/consult/bookings/{booking.id}/video-token").get_json()
    assert jwt.decode(lawyer["token"], KEY_SECRET, algorithms=["HS256"])["grants"]["identity"].startswith("lawyer-")


def test_a_phone_consultation_rings_the_lawyer_then_connects_the_liaison(app, world, make):
    fake = app.extensions["twilio_http_client"]
    booking = _book(app, world, make)
    make.update(Booking, booking.id, mode="phone")
    make.update(ConsultationSlot, booking.slot_id, mode="phone")
    fake.requests.clear()
    assert _client(app, world.lawyer_user).post(f"/consult/bookings/{booking.id}/call").status_code == 302
    assert [(r["uri"], r["data"]) for r in fake.requests] == [(CALLS, {
        "To": "+8613922220001", "From": "+862412348",
        "Url": f"https://hotline.example.cn/telephony/consult/{booking.id}/connect"})]
    assert make.get(Booking, booking.id).call_sid.startswith("CA")
    assert _client(app, world.liaison).post(f"/consult/bookings/{booking.id}/call").status_code == 403


def test_without_credentials_video_and_calls_degrade_to_a_message_and_the_booking_stands(app_factory, world, make):
    bare = app_factory()
    booking = _book(bare, world, make)
    token = _client(bare, world.liaison).post(f"/consult/bookings/{booking.id}/video-token")
    assert token.status_code == 503 and "not set up" in token.get_json()["error"]
    make.update(Booking, booking.id, mode="phone")
    call = _client(bare, world.lawyer_user).post(f"/consult/bookings/{booking.id}/call")
    assert call.status_code == 503 and "not set up" in call.get_data(as_text=True)
    assert make.get(Booking, booking.id).status == "booked"


def test_both_video_rooms_name_their_participants_for_the_script(app):
    """The consultation's and the mediation session's rooms are one macro with their own words (static/js/video.js
    reads them from data attributes)."""
    from flask import render_template

    with app.test_request_context(headers={"Accept-Language": "en"}):
        consult = render_template("consult/_video.html", token_url="/t1")
        mediation = render_template("disputes/_video.html", token_url="/t2")
    assert 'data-token-url="/t1"' in consult and 'data-lawyer="The lawyer"' in consult
    assert "Waiting for the other participant to join." in consult and "data-mediator" not in consult
    assert 'data-token-url="/t2"' in mediation and 'data-party="A party"' in mediation
    assert 'data-staff="A coordinator"' in mediation and "mediation session" in mediation
