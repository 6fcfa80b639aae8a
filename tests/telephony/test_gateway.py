"""The outgoing gateway: the exact REST requests Twilio would receive, holding without credentials, retries."""
from __future__ import annotations


import pytest

from hotline.models import OutboxMessage
from hotline.telephony import gateway
from tests.factories import NOW
from tests.fakes import FakeTwilioHttp

SID = "AC" + "0" * 32
API = f"https://api.twilio.com/2010-04-01/Accounts/{SID}"


@pytest.fixture
def fake():
    return FakeTwilioHttp()


def _settings(fake, configured=True):
    return gateway.TwilioSettings(SID if configured else None, "token" if configured else None,
                                  "+862412348" if configured else None, "https://hotline.example.cn", fake)


def test_sms_is_one_exact_rest_request(make, fake):
    """An SMS becomes one POST to Messages.json with To, From and Body, and is marked sent."""
    message = gateway.queue_sms(make.session, "+8613800138000", "您好", "test", NOW)
    assert gateway.deliver_due(make.session, _settings(fake), NOW) == 1
    assert fake.requests == [{"method": "POST", "uri": f"{API}/Messages.json",
                              "data": {"To": "+8613800138000", "From": "+862412348", "Body": "您好"},
                              "auth": (SID, "token")}]
    assert message.status == "sent" and message.provider_sid.startswith("SM") and message.sent_at == NOW
    make.session.commit()


def test_call_is_one_exact_rest_request(make, fake):
    """A call becomes one POST to Calls.json with To, From and the TwiML Url."""
    gateway.queue_call(make.session, "+8613900000001", "https://hotline.example.cn/telephony/voice/conference?room=contact-1",
                       "put_through", NOW)
    gateway.deliver_due(make.session, _settings(fake), NOW)
    assert fake.requests[0]["uri"] == f"{API}/Calls.json"
    assert fake.requests[0]["data"] == {"To": "+8613900000001", "From": "+862412348",
                                        "Url": "https://hotline.example.cn/telephony/voice/conference?room=contact-1"}
    make.session.commit()


def test_without_credentials_messages_are_held(make, fake):
    """No credentials: nothing is sent, the message is held in the outbox with the reason."""
    message = gateway.queue_sms(make.session, "+8613800138000", "hi", "test", NOW)
    gateway.deliver_due(make.session, _settings(fake, configured=False), NOW)
    assert fake.requests == [] and message.status == "held" and "credentials" in message.last_error
    make.session.commit()


def test_failures_are_retried_then_shown_as_failed(make):
    """A failing send is retried with back-off and ends as failed with Twilio's error, never dropped."""
    broken = FakeTwilioHttp(fail_with=500)
    message = gateway.queue_sms(make.session, "+8613800138000", "hi", "test", NOW)
    now = NOW
    for attempt in range(1, gateway.MAX_ATTEMPTS):
        gateway.deliver_due(make.session, _settings(broken), now)
        assert message.status == "queued" and message.attempts == attempt
        assert message.next_attempt_at == now + gateway.RETRY_DELAYS[attempt - 1]
        assert gateway.deliver_due(make.session, _settings(broken), now) == 0  # not due yet
        now = message.next_attempt_at
    gateway.deliver_due(make.session, _settings(broken), now)
    assert message.status == "failed" and "Twilio is down" in message.last_error
    assert len(broken.requests) == gateway.MAX_ATTEMPTS
    gateway.resend(make.session, message, now)
    gateway.deliver_due(make.session, _settings(FakeTwilioHttp()), now)
    assert message.status == "sent"
    make.session.commit()


def test_redirect_live_call(fake):
    """Moving a live call into a conference is a POST to that call with the new Url."""
    gateway.redirect_live_call(_settings(fake), "CA" + "9" * 32, "https://hotline.example.cn/x")
    assert fake.requests[0]["uri"] == f"{API}/Calls/{'CA' + '9' * 32}.json"
    assert fake.requests[0]["data"] == {"Url": "https://hotline.example.cn/x", "Method": "POST"}


def test_commit_triggers_delivery(app_factory, make):
    """Queuing a message in a committed transaction sends it (eagerly in tests) through the injected client."""
    from hotline.extensions import db

    fake = FakeTwilioHttp()
    app = app_factory(TWILIO_ACCOUNT_SID=SID, TWILIO_AUTH_TOKEN="token", TWILIO_FROM_NUMBER="+862412348")
    app.extensions["twilio_http_client"] = fake
    with app.app_context():
        gateway.queue_sms(db.session, "+8613800138000", "queued then sent", "test", NOW)
        db.session.commit()
    assert [r["data"]["Body"] for r in fake.requests] == ["queued then sent"]
    assert make.scalar(__import__("sqlalchemy").select(OutboxMessage.status)) == "sent"
