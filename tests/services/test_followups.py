"""Follow-up surveys: opened with each service, texted once when due, answered by a 1-5 reply, expired when late."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hotline import jobs
from hotline.extensions import db
from hotline.models import Booking, FollowUp, OutboxMessage
from hotline.models.types import utcnow
from hotline.services import consult, followups, servicelog
from tests.factories import NOW
from tests.fakes import FakeTwilioHttp

PHONE = "+8613800138000"
SID = "AC" + "0" * 32


def _follow_up(make, record_id: int) -> FollowUp | None:
    return make.scalar(select(FollowUp).where(FollowUp.service_record_id == record_id))


def _served(make, phone: str, ended_at):
    """A ten-minute service to this number that ended at ended_at."""
    return make.service(recipient_phone=phone, started_at=ended_at - timedelta(minutes=10), ended_at=ended_at)


def _surveys(make) -> list[OutboxMessage]:
    return make.scalars(select(OutboxMessage).where(OutboxMessage.purpose == "follow_up").order_by(OutboxMessage.id))


def test_a_service_with_a_phone_opens_a_pending_follow_up_an_hour_after_it_ended(make):
    """The follow-up is written with the record: pending, the recipient's number, due an hour after the end."""
    record = make.service(recipient_phone=PHONE, started_at=NOW - timedelta(minutes=20), ended_at=NOW)
    follow_up = _follow_up(make, record.id)
    assert (follow_up.status, follow_up.recipient_phone) == ("pending", PHONE)
    assert follow_up.due_at == NOW + timedelta(hours=1)
    assert follow_up.sent_at is None and follow_up.score is None


def test_without_an_end_the_survey_is_due_an_hour_after_the_start(make):
    record = make.service(recipient_phone=PHONE, started_at=NOW, ended_at=None)
    assert _follow_up(make, record.id).due_at == NOW + timedelta(hours=1)


def test_a_service_without_a_phone_has_no_follow_up(make):
    record = make.service(recipient_phone=None)
    assert _follow_up(make, record.id) is None


def test_an_existing_follow_up_is_not_duplicated(make):
    """open_for skips records that already have a follow-up; a batch writer may also write its own."""
    record = make.service(recipient_phone=PHONE)
    assert followups.open_for(make.session, [record]) == []
    make.session.commit()
    records = servicelog.append_many(make.session, [servicelog.ServiceEntry(
        kind="hotline", started_at=NOW, ended_at=NOW, recipient_phone=PHONE)], NOW, follow_ups=False)
    make.session.commit()
    assert _follow_up(make, records[0].id) is None
    assert make.scalar(select(func.count(FollowUp.id))) == 1
    assert servicelog.verify(make.session).intact
    make.session.close()


def test_a_rating_answers_the_consultations_follow_up(make):
    """consult.rate finds the follow-up opened with the record and marks it answered (no second row)."""
    booking = make.booking(status="completed")
    record = make.service(booking_id=booking.id, recipient_phone=PHONE)
    consult.rate(make.session, make.session.get(Booking, booking.id), 4, "clear", NOW)
    make.session.commit()
    make.session.close()
    follow_up = _follow_up(make, record.id)
    assert (follow_up.status, follow_up.score, follow_up.note) == ("answered", 4, "clear")
    assert make.scalar(select(func.count(FollowUp.id))) == 1


def test_send_due_texts_each_due_follow_up_once(make):
    """One Chinese SMS survey per due follow-up, marked sent; not-yet-due ones wait; a second sweep sends none."""
    due = _served(make, PHONE, NOW - timedelta(hours=2))
    due_too = _served(make, "+8613900139000", NOW - timedelta(hours=1))
    later = make.service(recipient_phone="+8613700137000", ended_at=NOW)
    assert followups.send_due(make.session, NOW) == 2
    make.session.commit()
    assert followups.send_due(make.session, NOW) == 0
    make.session.commit()
    make.session.close()
    surveys = _surveys(make)
    assert [(m.to_number, m.body) for m in surveys] == [(PHONE, followups.SURVEY_SMS),
                                                         ("+8613900139000", followups.SURVEY_SMS)]
    assert "请回复1-5" in followups.SURVEY_SMS
    for record in (due, due_too):
        follow_up = _follow_up(make, record.id)
        assert (follow_up.status, follow_up.sent_at) == ("sent", NOW)
    assert _follow_up(make, later.id).status == "pending"


def test_late_or_numberless_follow_ups_expire_instead_of_texting(make):
    """A follow-up due more than a week ago, or without a number, expires at its turn; nothing is sent."""
    stale = _served(make, PHONE, NOW - timedelta(days=8))
    just_in_time = _served(make, "+8613900139000", NOW - timedelta(days=6))
    numberless = make.follow_up(record=make.service(), recipient_phone=None, due_at=NOW - timedelta(minutes=1))
    assert followups.send_due(make.session, NOW) == 1
    make.session.commit()
    make.session.close()
    assert _follow_up(make, stale.id).status == "expired"
    assert _follow_up(make, just_in_time.id).status == "sent"
    assert make.get(FollowUp, numberless.id).status == "expired"
    assert [m.to_number for m in _surveys(make)] == ["+8613900139000"]


def test_the_sweeper_sends_the_survey_through_twilio(app_factory, make):
    """The outbox sweep queues the survey and sends it: one REST request with To, From and the Chinese Body."""
    fake = FakeTwilioHttp()
    app = app_factory(TWILIO_ACCOUNT_SID=SID, TWILIO_AUTH_TOKEN="token", TWILIO_FROM_NUMBER="+862412348")
    app.extensions["twilio_http_client"] = fake
    now = utcnow()
    record = make.service(now=now - timedelta(hours=2), recipient_phone=PHONE)
    assert jobs._sweep(app) == 1
    assert fake.requests == [{
        "method": "POST", "uri": f"https://api.twilio.com/2010-04-01/Accounts/{SID}/Messages.json",
        "data": {"To": PHONE, "From": "+862412348", "Body": followups.SURVEY_SMS}, "auth": (SID, "token")}]
    assert _follow_up(make, record.id).status == "sent"
    assert _surveys(make)[0].status == "sent"
    jobs._sweep(app)
    assert len(fake.requests) == 1


def test_concurrent_sweeps_text_each_recipient_once(app, make):
    """Several sweepers at once (row locks on PostgreSQL, the write lock on SQLite) never send a survey twice."""
    for n in range(20):
        _served(make, f"+86139000{n:05d}", NOW - timedelta(hours=2))
    errors: list[BaseException] = []
    counts: list[int] = []
    barrier = threading.Barrier(4)

    def sweep() -> None:
        try:
            with app.app_context():
                barrier.wait(timeout=30)
                counts.append(followups.send_due(db.session, NOW, limit=5))
                counts.append(followups.send_due(db.session, NOW, limit=5))
                db.session.commit()
                db.session.remove()
        except BaseException as error:  # noqa: BLE001 (reported below)
            errors.append(error)

    threads = [threading.Thread(target=sweep) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert sum(counts) == 20
    numbers = [m.to_number for m in _surveys(make)]
    assert len(numbers) == len(set(numbers)) == 20


@pytest.mark.parametrize("body, score", [
    ("4", 4), (" 5 ", 5), ("1\n", 1), ("３", 3), ("\u3000５\u3000", 5),
    ("0", None), ("6", None), ("9", None), ("44", None), ("4分", None), ("好", None), ("", None), ("-1", None),
])
def test_a_reply_is_a_score_only_when_it_is_one_digit_from_1_to_5(body, score):
    assert followups.parse_score(body) == score


def test_a_reply_answers_the_newest_survey_sent_to_that_number_in_the_last_week(make):
    older = make.follow_up(record=make.service(), recipient_phone=PHONE, status="sent", sent_at=NOW - timedelta(days=2))
    newer = make.follow_up(record=make.service(), recipient_phone=PHONE, status="sent", sent_at=NOW - timedelta(days=1))
    answered = followups.answer(make.session, PHONE, 4, NOW)
    make.session.commit()
    make.session.close()
    assert answered.id == newer.id
    assert (make.get(FollowUp, newer.id).status, make.get(FollowUp, newer.id).score) == ("answered", 4)
    assert make.get(FollowUp, older.id).status == "sent"


def test_a_reply_after_a_week_or_to_no_survey_answers_nothing(make):
    make.follow_up(record=make.service(), recipient_phone=PHONE, status="sent", sent_at=NOW - timedelta(days=8))
    make.follow_up(record=make.service(), recipient_phone=PHONE, status="pending", due_at=NOW)
    assert followups.answer(make.session, PHONE, 4, NOW) is None
    assert followups.answer(make.session, "+8613999999999", 4, NOW) is None
    make.session.rollback()
    make.session.close()
