"""Booked consultations through Twilio: the exact REST requests for rooms and calls, video tokens, and the webhook
that connects the lawyer to the liaison."""
from __future__ import annotations

import time

import jwt
import pytest
from flask import url_for

from hotline.telephony import consultations
from hotline.telephony.gateway import TwilioSettings
from tests.fakes import FakeTwilioHttp

SID = "AC" + "0" * 32
KEY_SID = "SK" + "1" * 32
KEY_SECRET = "k" * 32
HOTLINE = "+862412348"
API = f"https://api.twilio.com/2010-04-01/Accounts/{SID}"
ROOMS = "https://video.twilio.com/v1/Rooms"
TWIML_URL = "https://hotline.example.cn/telephony/consult/7/connect"
ANSWERED = {"CallSid": "CA" + "2" * 32, "CallStatus": "in-progress", "From": HOTLINE, "To": "+8613800000001"}


@pytest.fixture
def fake():
    return FakeTwilioHttp()


def _settings(fake, *, video=True, calls=True) -> TwilioSettings:
    return TwilioSettings(SID if calls or video else None, "token" if calls or video else None,
                          HOTLINE if calls else None, "https://hotline.example.cn", fake,
                          KEY_SID if video else None, KEY_SECRET if video else None)


def test_settings_read_the_api_key_from_config():
    """from_config picks up the API key; video needs account, token and both halves of the key."""
    config = {"TWILIO_ACCOUNT_SID": SID, "TWILIO_AUTH_TOKEN": "token", "TWILIO_FROM_NUMBER": None,
              "PUBLIC_BASE_URL": "https://x", "TWILIO_API_KEY_SID": KEY_SID, "TWILIO_API_KEY_SECRET": KEY_SECRET}
    settings = TwilioSettings.from_config(config)
    assert settings.api_key_sid == KEY_SID and settings.api_key_secret == KEY_SECRET
    assert settings.video_configured and not settings.configured
    assert not TwilioSettings.from_config(config | {"TWILIO_API_KEY_SECRET": None}).video_configured
    assert not TwilioSettings.from_config(config | {"TWILIO_AUTH_TOKEN": None}).video_configured


def test_room_name_is_unique_per_booking_and_fits_the_column():
    """One room name per booking, short enough for Booking.video_room."""
    assert consultations.room_name(12) == "consult-12" != consultations.room_name(13)
    assert len(consultations.room_name(10**18)) <= 64


def test_ensure_room_creates_a_two_person_group_room(fake):
    """One POST to the Video Rooms API with the unique name, group type and two participants; returns the RM sid."""
    sid = consultations.ensure_room(_settings(fake), 5)
    assert fake.requests == [{"method": "POST", "uri": ROOMS,
                              "data": {"UniqueName": "consult-5", "Type": "group", "MaxParticipants": 2},
                              "auth": (SID, "token")}]
    assert sid.startswith("RM") and len(sid) == 34


def test_ensure_room_fetches_a_room_already_in_progress(fake):
    """When Twilio answers "room exists", the room is fetched by its unique name and the same sid returned."""
    first = consultations.ensure_room(_settings(fake), 5)
    second = consultations.ensure_room(_settings(fake), 5)
    assert second == first
    assert [(r["method"], r["uri"]) for r in fake.requests] == [("POST", ROOMS), ("POST", ROOMS),
                                                                ("GET", f"{ROOMS}/consult-5")]


def test_access_token_grants_this_room_to_this_identity_for_the_ttl(fake):
    """The JWT is signed with the API key secret, names the identity and room, and expires after the ttl."""
    before = int(time.time())
    token = consultations.access_token(_settings(fake), "lawyer-12", "consult-5", ttl_seconds=900)
    after = int(time.time())
    claims = jwt.decode(token, KEY_SECRET, algorithms=["HS256"])
    assert claims["grants"] == {"identity": "lawyer-12", "video": {"room": "consult-5"}}
    assert claims["iss"] == KEY_SID and claims["sub"] == SID
    assert before + 900 <= claims["exp"] <= after + 900
    assert jwt.get_unverified_header(token)["cty"] == "twilio-fpa;v=1"
    with pytest.raises(jwt.InvalidSignatureError):
        jwt.decode(token, "x" * 32, algorithms=["HS256"])
    assert fake.requests == []


def test_connect_call_rings_the_lawyer_from_the_hotline_number(fake):
    """One POST to Calls.json: To the lawyer, From the hotline, Url the connect webhook; returns the CA sid."""
    sid = consultations.connect_call(_settings(fake), "+8613800000001", TWIML_URL)
    assert fake.requests == [{"method": "POST", "uri": f"{API}/Calls.json",
                              "data": {"To": "+8613800000001", "From": HOTLINE, "Url": TWIML_URL},
                              "auth": (SID, "token")}]
    assert sid.startswith("CA")


def test_without_credentials_nothing_is_sent(fake):
    """Missing credentials raise NotConfigured naming what to set, before any request."""
    no_video = _settings(fake, video=False)
    with pytest.raises(consultations.NotConfigured, match="TWILIO_API_KEY_SID"):
        consultations.ensure_room(no_video, 5)
    with pytest.raises(consultations.NotConfigured):
        consultations.access_token(no_video, "liaison-3", "consult-5")
    with pytest.raises(consultations.NotConfigured, match="TWILIO_FROM_NUMBER"):
        consultations.connect_call(_settings(fake, calls=False), "+8613800000001", TWIML_URL)
    with pytest.raises(consultations.NotConfigured):
        consultations.connect_call(_settings(fake, calls=False, video=False), "+8613800000001", TWIML_URL)
    assert fake.requests == []


def test_twilio_failure_is_a_short_telephony_failed(fake):
    """A 500 from Twilio becomes TelephonyFailed with a one-line message, for rooms and calls alike."""
    fake.fail_with = 500
    with pytest.raises(consultations.TelephonyFailed, match=r"^Twilio refused the request \(500") as room_error:
        consultations.ensure_room(_settings(fake), 5)
    with pytest.raises(consultations.TelephonyFailed, match="500") as call_error:
        consultations.connect_call(_settings(fake), "+8613800000001", TWIML_URL)
    assert "\n" not in str(room_error.value) and len(str(call_error.value)) < 80


def test_network_error_is_telephony_failed():
    """Twilio out of reach (an OSError from the HTTP layer) is TelephonyFailed too."""

    class Unreachable(FakeTwilioHttp):
        def request(self, *args, **kwargs):
            raise ConnectionError("no route to host")

    with pytest.raises(consultations.TelephonyFailed, match="could not be reached"):
        consultations.connect_call(_settings(Unreachable()), "+8613800000001", TWIML_URL)


# The connect webhook, fetched by Twilio when the lawyer answers.

@pytest.fixture
def phone_booking(make):
    """A booked phone consultation whose liaison has a phone."""
    liaison = make.user("liaison", phone="+8613911112222")
    slot = make.slot(mode="phone")
    return make.booking(slot=slot, request=make.counsel_request(liaison=liaison, mode="phone"))


def _connect(webhook, booking_id: int, **kwargs):
    return webhook(f"/telephony/consult/{booking_id}/connect", ANSWERED, **kwargs)


def test_connect_dials_the_liaison_showing_the_hotline_number(webhook, phone_booking, twilio_app):
    """The answered lawyer hears a Mandarin prompt, then the liaison is dialled with the hotline as caller id."""
    response = _connect(webhook, phone_booking.id)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/xml"
    assert '<Say language="zh-CN">您好，这里是12348法律服务，正在为您接通项目联络人，请稍候。</Say>' in body
    assert '<Dial callerId="+862412348" timeout="30"><Number>+8613911112222</Number></Dial>' in body
    with twilio_app.test_request_context():
        assert url_for("telephony.consult_connect", booking_id=7) == "/telephony/consult/7/connect"


@pytest.mark.parametrize("change", [{"status": "cancelled"}, {"mode": "video"}])
def test_a_booking_no_longer_booked_for_phone_gets_the_unavailable_message(webhook, make, phone_booking, change):
    """A cancelled booking, or one that is not a phone consultation, dials nobody and hangs up."""
    from hotline.models import Booking

    make.update(Booking, phone_booking.id, **change)
    body = _connect(webhook, phone_booking.id).get_data(as_text=True)
    assert "<Dial" not in body and "+8613911112222" not in body
    assert "已不在预约中" in body and "<Hangup />" in body


def test_a_liaison_without_a_phone_gets_the_unavailable_message(webhook, make):
    """Nobody to dial: the lawyer is told and the call ends, no 500."""
    request = make.counsel_request(liaison=make.user("liaison", phone=None), mode="phone")
    booking = make.booking(slot=make.slot(mode="phone"), request=request)
    response = _connect(webhook, booking.id)
    assert response.status_code == 200 and "<Dial" not in response.get_data(as_text=True)


def test_connect_with_a_bad_signature_is_403(webhook, phone_booking):
    """An unsigned or forged request learns nothing about the liaison."""
    response = _connect(webhook, phone_booking.id, signature="forged")
    assert response.status_code == 403 and "+8613911112222" not in response.get_data(as_text=True)


def test_connect_for_an_unknown_booking_is_404(webhook, phone_booking):
    """A booking id that does not exist is 404."""
    assert _connect(webhook, phone_booking.id + 1000).status_code == 404


def test_video_include_renders_the_join_markup_with_the_vendored_sdk(app):
    """The include carries the token URL and CSRF token, the ids video.js needs, and loads the SDK locally."""
    from pathlib import Path

    from flask import render_template

    with app.test_request_context():
        html = render_template("consult/_video.html", token_url="/consult/5/video-token")
    for marker in ('id="video-consult"', 'data-token-url="/consult/5/video-token"', 'data-csrf="',
                   'id="video-join"', 'id="video-leave"', 'id="video-status"', 'id="video-local"', 'id="video-remote"',
                   'src="/static/vendor/twilio-video.min.js"', 'src="/static/js/video.js"'):
        assert marker in html, marker
    assert "//cdn" not in html and "https://" not in html
    assert (Path(app.static_folder) / "vendor" / "twilio-video.min.js").stat().st_size > 100_000
