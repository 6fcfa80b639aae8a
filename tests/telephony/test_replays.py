"""Replayed telephony callbacks: every signed callback is handled once per CallSid (or MessageSid) and event; a
replay answers what the first delivery answered and changes nothing."""
from __future__ import annotations

import threading

from sqlalchemy import func, select

from hotline.models import Contact, ContactEvent, ServiceRecord
from tests.telephony.test_voice import CALL, _contact, _incoming

SID = CALL["CallSid"]
COMPLETED = {"CallSid": SID, "CallStatus": "completed", "CallDuration": "330"}


def _answered_and_completed(webhook, on_duty):
    """A call the labour-seat lawyer answered and that then completed: one record, contact closed."""
    _incoming(webhook)
    lawyer = on_duty["lawyers"]["labour_seat"]
    webhook("/telephony/voice/menu", {"CallSid": SID, "Digits": "1"}, {"lang": "zh"})
    dial = ({"CallSid": SID, "DialCallStatus": "completed", "DialCallDuration": "300"},
            {"attempt": 0, "lawyer": lawyer.id})
    webhook("/telephony/voice/dial-status", *dial)
    webhook("/telephony/voice/status", COMPLETED)
    return lawyer, dial


def _events(make) -> int:
    return make.scalar(select(func.count(ContactEvent.id)))


def test_replayed_dial_status_and_status_neither_reopen_nor_log_twice(webhook, make, on_duty):
    """Re-sending the signed dial-status and status callbacks of a finished call changes nothing."""
    lawyer, dial = _answered_and_completed(webhook, on_duty)
    events = _events(make)
    first = webhook("/telephony/voice/dial-status", *dial)
    assert first.status_code == 200 and "<Hangup />" in first.get_data(as_text=True)
    assert webhook("/telephony/voice/status", COMPLETED).status_code == 200
    contact = _contact(make)
    assert contact.status == "closed" and contact.lawyer_id == lawyer.id
    assert make.scalar(select(func.count(ServiceRecord.id))) == 1
    assert _events(make) == events


def test_a_late_dial_status_never_reopens_a_closed_contact(webhook, make, on_duty):
    """A dial-status for another attempt arriving after the contact was closed keeps it closed with its lawyer."""
    lawyer, _dial = _answered_and_completed(webhook, on_duty)
    other = on_duty["lawyers"]["korean"]
    webhook("/telephony/voice/dial-status", {"CallSid": SID, "DialCallStatus": "completed"},
            {"attempt": 1, "lawyer": other.id})
    webhook("/telephony/voice/status", COMPLETED | {"CallDuration": "400"})
    contact = _contact(make)
    assert contact.status == "closed" and contact.lawyer_id == lawyer.id
    assert make.scalar(select(func.count(ServiceRecord.id))) == 1


def test_a_replayed_menu_answers_the_same_lawyer_and_rings_nobody_else(webhook, make, on_duty):
    """The menu posted twice with the same key gives the same TwiML, and the history shows one dialling."""
    _incoming(webhook)
    menu = ({"CallSid": SID, "Digits": "1"}, {"lang": "zh"})
    first = webhook("/telephony/voice/menu", *menu).get_data(as_text=True)
    again = webhook("/telephony/voice/menu", *menu).get_data(as_text=True)
    assert first == again and "<Number>" in first
    assert make.scalar(select(func.count(ContactEvent.id)).where(ContactEvent.kind == "dialling")) == 1


def test_a_language_switch_then_an_area_key_are_two_events(webhook, make, on_duty):
    """Distinct keys on the same call are distinct events: switching to Korean then pressing 1 rings a lawyer."""
    _incoming(webhook)
    webhook("/telephony/voice/menu", {"CallSid": SID, "Digits": "*"}, {"lang": "zh"})
    webhook("/telephony/voice/menu", {"CallSid": SID, "Digits": "*"}, {"lang": "ko"})
    body = webhook("/telephony/voice/menu", {"CallSid": SID, "Digits": "1"}, {"lang": "ko"}).get_data(as_text=True)
    assert f"<Number>{on_duty['lawyers']['korean'].phone}</Number>" in body


def test_a_replayed_voicemail_is_kept_once(webhook, make):
    """The recording callback re-sent keeps one voicemail event."""
    _incoming(webhook)
    recording = {"CallSid": SID, "RecordingSid": "RE1", "RecordingUrl": "https://api.twilio.com/rec/RE1",
                 "RecordingDuration": "12"}
    webhook("/telephony/voice/recording", recording)
    webhook("/telephony/voice/recording", recording)
    kinds = make.scalars(select(ContactEvent.kind).where(ContactEvent.detail == "voicemail"))
    assert kinds == ["callback_needed"]


def test_a_replayed_sms_is_kept_once(webhook, make):
    """The same MessageSid twice is one SMS in the history."""
    message = {"MessageSid": "SM" + "7" * 32, "From": "+8613800138000", "Body": "请回电"}
    assert webhook("/telephony/sms/incoming", message).status_code == 200
    assert webhook("/telephony/sms/incoming", message).status_code == 200
    assert make.scalar(select(func.count(Contact.id))) == 1
    assert make.scalars(select(ContactEvent.detail).where(ContactEvent.kind == "sms_received")) == ["请回电"]


def test_a_failed_callback_can_be_delivered_again(webhook, make, on_duty):
    """A callback refused as malformed (400) is not remembered: the corrected delivery is handled."""
    _incoming(webhook)
    assert webhook("/telephony/voice/menu", {"CallSid": SID, "Digits": "1"}, {"lang": "xx"}).status_code == 400
    assert webhook("/telephony/voice/menu", {"CallSid": SID, "Digits": "1"}, {"lang": "zh"}).status_code == 200
    assert _contact(make).legal_area == "labour"


def test_simultaneous_replays_of_completion_write_one_record(twilio_app, webhook, make, on_duty):
    """Ten copies of the completed callback at the same moment write one service record."""
    _incoming(webhook)
    lawyer = on_duty["lawyers"]["labour_seat"]
    webhook("/telephony/voice/menu", {"CallSid": SID, "Digits": "1"}, {"lang": "zh"})
    webhook("/telephony/voice/dial-status", {"CallSid": SID, "DialCallStatus": "completed"},
            {"attempt": 0, "lawyer": lawyer.id})
    from twilio.request_validator import RequestValidator

    from tests.telephony.conftest import BASE, TOKEN

    signature = RequestValidator(TOKEN).compute_signature(BASE + "/telephony/voice/status", COMPLETED)
    start = threading.Barrier(10)
    statuses = []

    def replay() -> None:
        client = twilio_app.test_client()
        start.wait()
        statuses.append(client.post("/telephony/voice/status", data=COMPLETED,
                                    headers={"X-Twilio-Signature": signature}).status_code)

    threads = [threading.Thread(target=replay) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert statuses == [200] * 10
    assert make.scalar(select(func.count(ServiceRecord.id))) == 1
