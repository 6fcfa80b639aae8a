"""SMS to the hotline number, signed as Twilio signs them: survey scores answer their follow-up and are thanked;
anything else is kept with the sender's contact as before."""
from __future__ import annotations

import itertools

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hotline.models import Contact, ContactEvent, FollowUp
from hotline.models.types import utcnow
from hotline.services import followups
from hotline.telephony import twiml

PHONE = "+8613800138000"
EMPTY = '<?xml version="1.0" encoding="UTF-8"?><Response />'


@pytest.fixture
def surveyed(make):
    """A caller's contact, the service they got two hours ago, and its survey texted (sent) an hour ago."""
    now = utcnow()
    contact = make.contact(caller_phone=PHONE, received_at=now - timedelta(hours=3))
    record = make.service(now=now - timedelta(hours=2), recipient_phone=PHONE, contact_id=contact.id)
    assert followups.send_due(make.session, now - timedelta(hours=1)) == 1
    make.session.commit()
    make.session.close()
    follow_up = make.scalar(select(FollowUp).where(FollowUp.service_record_id == record.id))
    return {"contact": contact, "follow_up": follow_up}


_MESSAGE_SIDS = itertools.count(1)


def _sms(webhook, body: str, sender: str = PHONE, sid: str | None = None):
    """An inbound SMS as Twilio posts it; each has its own MessageSid unless one is given (a replay)."""
    sid = sid or f"SM{next(_MESSAGE_SIDS):032d}"
    return webhook("/telephony/sms/incoming", {"MessageSid": sid, "From": sender, "To": "+862412348", "Body": body})


def _events(make, kind: str) -> list[str]:
    return make.scalars(select(ContactEvent.detail).where(ContactEvent.kind == kind).order_by(ContactEvent.id))


def test_a_score_answers_the_survey_and_is_thanked(webhook, make, surveyed):
    """"4" answers the survey with score 4 and a <Message> of thanks; the reply joins their contact's history."""
    response = _sms(webhook, "4")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and response.mimetype == "text/xml"
    assert body == ('<?xml version="1.0" encoding="UTF-8"?>'
                    f"<Response><Message>{twiml.SURVEY_THANKS}</Message></Response>")
    follow_up = make.get(FollowUp, surveyed["follow_up"].id)
    assert (follow_up.status, follow_up.score) == ("answered", 4) and follow_up.answered_at is not None
    assert _events(make, "survey_answered") == ["4"] and _events(make, "sms_received") == []
    assert make.scalar(select(func.count(Contact.id))) == 1


@pytest.mark.parametrize("reply, score", [(" ５ ", 5), ("１", 1), ("3\n", 3)])
def test_full_width_digits_and_spaces_are_read(webhook, make, surveyed, reply, score):
    assert "<Message>" in _sms(webhook, reply).get_data(as_text=True)
    assert make.get(FollowUp, surveyed["follow_up"].id).score == score


def test_the_sender_is_compared_in_e164(webhook, make, surveyed):
    """A From written nationally still matches the stored +86 number."""
    assert "<Message>" in _sms(webhook, "2", sender="138 0013 8000").get_data(as_text=True)
    assert make.get(FollowUp, surveyed["follow_up"].id).score == 2


@pytest.mark.parametrize("reply", ["9", "0", "45", "谢谢，服务很好", "4分", ""])
def test_other_texts_do_not_answer_and_are_kept_with_the_contact(webhook, make, surveyed, reply):
    """Anything but one digit 1-5 leaves the survey sent and is kept on the sender's contact, as any SMS."""
    response = _sms(webhook, reply)
    assert response.status_code == 200 and response.get_data(as_text=True) == EMPTY
    follow_up = make.get(FollowUp, surveyed["follow_up"].id)
    assert (follow_up.status, follow_up.score) == ("sent", None)
    assert _events(make, "sms_received") == [reply]


def test_a_score_from_an_unknown_number_answers_nothing(webhook, make, surveyed):
    """A stranger's "4" is an ordinary SMS: it opens a new SMS contact and no survey is answered."""
    assert _sms(webhook, "4", sender="+8613999999999").get_data(as_text=True) == EMPTY
    assert make.get(FollowUp, surveyed["follow_up"].id).status == "sent"
    stranger = make.scalar(select(Contact).where(Contact.caller_phone == "+8613999999999"))
    assert stranger.channel == "sms" and stranger.summary == "4"


def test_a_survey_older_than_a_week_is_not_answered(webhook, make, surveyed):
    make.update(FollowUp, surveyed["follow_up"].id, sent_at=utcnow() - timedelta(days=7, minutes=1))
    assert _sms(webhook, "5").get_data(as_text=True) == EMPTY
    assert make.get(FollowUp, surveyed["follow_up"].id).status == "sent"


def test_a_second_score_goes_to_the_contact_not_the_answered_survey(webhook, make, surveyed):
    """Once answered, a survey keeps its score; a later digit is an ordinary SMS."""
    _sms(webhook, "4")
    assert _sms(webhook, "1").get_data(as_text=True) == EMPTY
    assert make.get(FollowUp, surveyed["follow_up"].id).score == 4
    assert _events(make, "sms_received") == ["1"]


def test_a_forged_reply_is_refused_and_answers_nothing(webhook, make, surveyed):
    response = webhook("/telephony/sms/incoming", {"From": PHONE, "Body": "1"}, signature="forged")
    assert response.status_code == 403
    assert make.get(FollowUp, surveyed["follow_up"].id).status == "sent"
