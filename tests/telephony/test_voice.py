"""The 12348 voice webhooks, signed as Twilio signs them, and the TwiML they answer with."""
from __future__ import annotations

from sqlalchemy import func, select

from hotline.models import Contact, ContactEvent, ServiceRecord
from hotline.telephony import twiml

CALL = {"CallSid": "CA" + "1" * 32, "From": "+8613800138000", "To": "+862412348", "CallStatus": "ringing"}


def _incoming(webhook, **over):
    return webhook("/telephony/voice/incoming", CALL | over)


def _contact(make, sid=CALL["CallSid"]) -> Contact:
    return make.scalar(select(Contact).where(Contact.call_sid == sid))


def test_incoming_call_greets_in_mandarin_and_offers_the_menu(webhook, make, on_duty):
    """The greeting is a Gather in zh-CN for one key, offering Korean and Mongolian; the contact is created."""
    response = _incoming(webhook)
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/xml"
    assert '<Gather action="/telephony/voice/menu?lang=zh"' in body and 'numDigits="1"' in body
    assert '<Say language="zh-CN">您好，这里是12348' in body and "한국어" in body and "蒙古语" in body
    contact = _contact(make)
    assert contact.caller_phone == "+8613800138000" and contact.status == "waiting" and contact.channel == "phone"


def test_the_same_call_sid_twice_makes_one_contact(webhook, make, on_duty):
    """Twilio retrying the webhook does not duplicate the contact."""
    assert _incoming(webhook).status_code == 200
    assert _incoming(webhook).status_code == 200
    assert make.scalar(select(func.count(Contact.id)).where(Contact.call_sid == CALL["CallSid"])) == 1


def test_bad_or_missing_signature_is_403(webhook, make, on_duty):
    """A wrong signature, a missing one, or one for other parameters is refused and nothing is stored."""
    assert webhook("/telephony/voice/incoming", CALL, signature="forged").status_code == 403
    assert webhook("/telephony/voice/incoming", CALL, signature="").status_code == 403
    from twilio.request_validator import RequestValidator

    from tests.telephony.conftest import BASE, TOKEN

    other = RequestValidator(TOKEN).compute_signature(BASE + "/telephony/voice/incoming", CALL | {"From": "+1"})
    assert webhook("/telephony/voice/incoming", CALL, signature=other).status_code == 403
    assert make.scalar(select(func.count(Contact.id))) == 0


def test_no_token_configured_refuses_webhooks(app, make):
    """Without TWILIO_AUTH_TOKEN no webhook can be trusted: 403."""
    response = app.test_client().post("/telephony/voice/incoming", data=CALL, headers={"X-Twilio-Signature": "x"})
    assert response.status_code == 403


def test_malformed_input_is_400(webhook, make, on_duty):
    """Missing fields and bad query values get 400, never 500."""
    assert webhook("/telephony/voice/incoming", {"From": "+8613800138000"}).status_code == 400
    assert webhook("/telephony/voice/menu", {"CallSid": "CAunknown", "Digits": "1"}).status_code == 400
    _incoming(webhook)
    assert webhook("/telephony/voice/menu", {"CallSid": CALL["CallSid"]}, {"lang": "xx"}).status_code == 400
    assert webhook("/telephony/voice/dial-status", {"CallSid": CALL["CallSid"]}, {"attempt": "a", "lawyer": "1"}).status_code == 400
    bad_url = {"CallSid": CALL["CallSid"], "RecordingUrl": "http://x", "RecordingDuration": "3"}
    assert webhook("/telephony/voice/recording", bad_url).status_code == 400
    assert webhook("/telephony/voice/conference", {}, {"room": "../etc"}).status_code == 400
    assert webhook("/telephony/voice/incoming", CALL | {"CallSid": "C" * 100}).status_code == 400


def test_labour_key_dials_the_labour_seat_lawyer(webhook, make, on_duty):
    """Key 1 (labour) rings the lawyer on the labour seat, with the hotline as caller id and a dial-status action."""
    _incoming(webhook)
    lawyer = on_duty["lawyers"]["labour_seat"]
    body = webhook("/telephony/voice/menu", {"CallSid": CALL["CallSid"], "Digits": "1"}, {"lang": "zh"}).get_data(as_text=True)
    assert f"<Number>{lawyer.phone}</Number>" in body
    assert 'callerId="+862412348"' in body and 'timeout="20"' in body
    assert f'action="/telephony/voice/dial-status?attempt=0&amp;lawyer={lawyer.id}"' in body
    assert _contact(make).legal_area == "labour"


def test_no_answer_falls_back_down_the_list_then_voicemail(webhook, make, on_duty):
    """When nobody answers: next the other qualified lawyers in order, then a voicemail and a callback task."""
    _incoming(webhook)
    contact = _contact(make)
    make.update(Contact, contact.id, city_id=on_duty["shenyang"].id)
    lawyers = on_duty["lawyers"]
    webhook("/telephony/voice/menu", {"CallSid": CALL["CallSid"], "Digits": "1"}, {"lang": "zh"})
    expected = [lawyers["labour_seat"], lawyers["same_city"], lawyers["neighbour"], lawyers["korean"]]
    for attempt, (this, following) in enumerate(zip(expected, expected[1:])):
        body = webhook("/telephony/voice/dial-status", {"CallSid": CALL["CallSid"], "DialCallStatus": "no-answer"},
                       {"attempt": attempt, "lawyer": this.id}).get_data(as_text=True)
        assert f"<Number>{following.phone}</Number>" in body, (attempt, body)
    body = webhook("/telephony/voice/dial-status", {"CallSid": CALL["CallSid"], "DialCallStatus": "busy"},
                   {"attempt": 3, "lawyer": expected[-1].id}).get_data(as_text=True)
    assert "<Record" in body and 'action="/telephony/voice/recording"' in body and "留言" in body
    assert on_duty["off_duty"].phone not in body
    assert lawyers["other_area"].phone not in body
    stored = _contact(make)
    assert stored.status == "callback" and stored.callback_due_at is not None


def test_voicemail_is_kept_on_the_contact(webhook, make, on_duty):
    """The recording's URL and length are kept and the caller is thanked."""
    _incoming(webhook)
    body = webhook("/telephony/voice/recording", {"CallSid": CALL["CallSid"], "RecordingUrl": "https://api.twilio.com/rec/RE1",
                                                  "RecordingDuration": "42"}).get_data(as_text=True)
    assert "<Hangup />" in body
    contact = _contact(make)
    assert contact.recording_url.endswith("RE1") and contact.recording_seconds == 42 and contact.status == "callback"


def test_after_hours_takes_a_voicemail(webhook, make):
    """With nobody on duty the caller hears the after-hours message and can leave a voicemail."""
    body = _incoming(webhook).get_data(as_text=True)
    assert "非值班时间" in body and "<Record" in body and "<Gather" not in body
    assert _contact(make).status == "callback"


def test_answered_call_writes_one_service_record(webhook, make, on_duty):
    """An answered call, once completed, is a consultation in the service log, written once despite retries."""
    _incoming(webhook)
    lawyer = on_duty["lawyers"]["labour_seat"]
    webhook("/telephony/voice/menu", {"CallSid": CALL["CallSid"], "Digits": "1"}, {"lang": "zh"})
    body = webhook("/telephony/voice/dial-status", {"CallSid": CALL["CallSid"], "DialCallStatus": "completed",
                                                    "DialCallDuration": "300"}, {"attempt": 0, "lawyer": lawyer.id}).get_data(as_text=True)
    assert "<Hangup />" in body
    status = {"CallSid": CALL["CallSid"], "CallStatus": "completed", "CallDuration": "330"}
    assert webhook("/telephony/voice/status", status).status_code == 200
    assert webhook("/telephony/voice/status", status).status_code == 200
    records = make.scalars(select(ServiceRecord))
    assert len(records) == 1
    assert records[0].provider_lawyer_id == lawyer.id and records[0].contact_id == _contact(make).id
    contact = _contact(make)
    assert contact.status == "closed" and contact.duration_seconds == 330 and contact.lawyer_id == lawyer.id


def test_unanswered_completed_call_writes_no_service_record(webhook, make, on_duty):
    """A call that ended in voicemail is not a service provided."""
    _incoming(webhook)
    webhook("/telephony/voice/status", {"CallSid": CALL["CallSid"], "CallStatus": "completed", "CallDuration": "40"})
    assert make.scalar(select(func.count(ServiceRecord.id))) == 0


def test_korean_caller_gets_a_korean_menu_and_a_korean_speaker(webhook, make, on_duty):
    """Star switches to Korean; the next key rings the Korean-speaking lawyer first."""
    _incoming(webhook)
    body = webhook("/telephony/voice/menu", {"CallSid": CALL["CallSid"], "Digits": "*"}, {"lang": "zh"}).get_data(as_text=True)
    assert '<Say language="ko-KR">' in body and 'action="/telephony/voice/menu?lang=ko"' in body
    body = webhook("/telephony/voice/menu", {"CallSid": CALL["CallSid"], "Digits": "1"}, {"lang": "ko"}).get_data(as_text=True)
    assert f"<Number>{on_duty['lawyers']['korean'].phone}</Number>" in body
    assert body.count("<Number>") == 1
    assert _contact(make).language == "ko"


def test_mongolian_caller_with_nobody_speaking_it_leaves_voicemail(webhook, make, on_duty):
    """Hash selects Mongolian; with no Mongolian speaker on duty the call goes to voicemail."""
    _incoming(webhook)
    webhook("/telephony/voice/menu", {"CallSid": CALL["CallSid"], "Digits": "#"}, {"lang": "zh"})
    body = webhook("/telephony/voice/menu", {"CallSid": CALL["CallSid"], "Digits": "2"}, {"lang": "mn"}).get_data(as_text=True)
    assert "<Record" in body


def test_conference_twiml(webhook):
    """A put-through leg joins the contact's conference room."""
    body = webhook("/telephony/voice/conference", {}, {"room": "contact-12"}).get_data(as_text=True)
    assert "<Conference" in body and "contact-12</Conference>" in body


def test_sms_reply_is_kept_with_the_callers_contact(webhook, make, on_duty):
    """An SMS from a known caller is added to their latest contact's history."""
    _incoming(webhook)
    assert webhook("/telephony/sms/incoming", {"MessageSid": "SM1", "From": CALL["From"], "Body": "5"}).status_code == 200
    events = make.scalars(select(ContactEvent.detail).where(ContactEvent.kind == "sms_received"))
    assert events == ["5"]


def test_unicode_digits_and_unknown_lawyers_in_dial_status_are_400(webhook, make, on_duty):
    """"²" passes str.isdigit but is no number; a lawyer id that names nobody would break the contact's foreign key.
    Both are refused with 400 and the contact is left as it was."""
    _incoming(webhook)
    sid = CALL["CallSid"]
    for query in ({"attempt": "²", "lawyer": on_duty["lawyers"]["labour_seat"].id},
                  {"attempt": 0, "lawyer": "²"}, {"attempt": 0, "lawyer": 999999}):
        response = webhook("/telephony/voice/dial-status", {"CallSid": sid, "DialCallStatus": "completed"}, query)
        assert response.status_code == 400, query
    contact = _contact(make)
    assert contact.lawyer_id is None and contact.status == "waiting"


def test_a_contact_set_to_a_language_without_prompts_hears_chinese(webhook, make, on_duty):
    """An operator may set a caller's language to English or Japanese while the call runs; the voice prompts that
    follow (ringing the next lawyer, the voicemail, the goodbye) fall back to Mandarin instead of failing."""
    _incoming(webhook)
    sid = CALL["CallSid"]
    webhook("/telephony/voice/menu", {"CallSid": sid, "Digits": "1"}, {"lang": "zh"})
    contact = _contact(make)
    make.update(Contact, contact.id, language="en")
    lawyer = on_duty["lawyers"]["labour_seat"]
    voicemail = webhook("/telephony/voice/dial-status", {"CallSid": sid, "DialCallStatus": "no-answer"},
                        {"attempt": 0, "lawyer": lawyer.id})
    assert voicemail.status_code == 200 and '<Say language="zh-CN">值班律师暂时无法接听' in voicemail.get_data(as_text=True)
    assert '<Say language="zh-CN">正在为您接通' in twiml.dial("+8613900000000", None, "/next", "ja")
    goodbye = webhook("/telephony/voice/recording", {"CallSid": sid, "RecordingSid": "RE" + "1" * 32,
                                                     "RecordingUrl": "https://api.twilio.com/r.mp3",
                                                     "RecordingDuration": "12"})
    assert goodbye.status_code == 200 and "感谢您的来电" in goodbye.get_data(as_text=True)
