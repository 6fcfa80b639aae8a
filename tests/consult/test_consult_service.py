"""Slots from the roster, booking without double booking, moving, cancelling, outcomes, ratings, reminders."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hotline.extensions import db
from hotline.models import (
    Booking, ConsultationSlot, CounselRequest, DutyAssignment, DutyPeriod, FollowUp, OutboxMessage, ServiceRecord,
)
from hotline.models.types import utcnow
from hotline.services import consult, reminders, servicelog, slots
from tests.consult.conftest import second_request


def test_cut_makes_back_to_back_slots_with_buffers(world):
    start = world.block_start
    cut = slots.cut(start, start + timedelta(hours=3), slots.SlotSettings(30, 10))
    assert [(a - start, b - start) for a, b in cut][:2] == [(timedelta(0), timedelta(minutes=30)),
                                                           (timedelta(minutes=40), timedelta(minutes=70))]
    assert len(cut) == 4 and cut[-1][1] == start + timedelta(hours=2, minutes=30)  # 11:40 would end after 12:00


def test_publishing_opens_slots_once_and_withdraws_them_when_the_duty_goes(app, world, make):
    assert len(world.slot_ids) == 8  # four slots for each of the two lawyers
    with app.app_context():
        period = db.session.get(DutyPeriod, world.period.id)
        assert slots.refresh_for_period(db.session, period, slots.SlotSettings()) == (0, 0)
        duty = db.session.scalar(select(DutyAssignment).where(DutyAssignment.lawyer_id == world.other.id))
        db.session.delete(duty)
        db.session.flush()
        assert slots.refresh_for_period(db.session, period, slots.SlotSettings()) == (0, 4)
        db.session.commit()
    assert make.scalar(select(func.count()).where(ConsultationSlot.status == "open")) == 4


def test_offers_put_own_counsel_first_and_leave_out_absent_conflicted_or_full_lawyers(app, world, make):
    with app.app_context():
        offers = slots.offers(db.session, db.session.get(CounselRequest, world.request.id), utcnow())
    assert [o.slot.lawyer_id for o in offers] == [world.own.id] * 4 + [world.other.id] * 4
    assert offers[0].role == "primary" and offers[4].role is None
    make.unavailability(lawyer=world.own, starts_at=world.block_start, ends_at=world.block_start + timedelta(hours=1),
                        status="approved")
    make.conflict(lawyer=world.other, project=world.project)
    with app.app_context():
        offers = slots.offers(db.session, db.session.get(CounselRequest, world.request.id), utcnow())
    assert {o.slot.lawyer_id for o in offers} == {world.own.id} and len(offers) == 2  # 09:00 and 09:40 lost


def test_booking_takes_the_slot_and_texts_both_sides(app, world, make):
    slot_id = world.slot_ids[(world.own.id, world.block_start)]
    with app.app_context():
        request = db.session.get(CounselRequest, world.request.id)
        booking = consult.book(db.session, request, slot_id, utcnow())
        db.session.commit()
        assert booking.lawyer_id == world.own.id and request.status == "booked"
    assert make.get(ConsultationSlot, slot_id).status == "booked"
    sent = make.scalars(select(OutboxMessage.to_number).where(OutboxMessage.purpose == "consult_booking"))
    assert sorted(sent) == ["+8613911110000", "+8613922220001"]


def test_a_taken_slot_is_refused_and_nothing_changes(app, world, make):
    slot_id = world.slot_ids[(world.own.id, world.block_start)]
    _liaison, other_request = second_request(make, world)
    with app.app_context():
        consult.book(db.session, db.session.get(CounselRequest, world.request.id), slot_id, utcnow())
        db.session.commit()
        with pytest.raises(consult.ConsultError) as refused:
            consult.book(db.session, db.session.get(CounselRequest, other_request.id), slot_id, utcnow())
        db.session.rollback()
    assert refused.value.code == "taken"
    assert make.get(CounselRequest, other_request.id).status == "pending"
    assert make.scalar(select(func.count(Booking.id))) == 1


def test_a_lawyer_is_never_booked_twice_at_overlapping_times(app, world, make):
    """Even through two different slots (say a video and a phone block that overlap), one lawyer, one booking."""
    start = world.block_start
    overlapping = make.slot(lawyer=world.own, mode="video", starts_at=start + timedelta(minutes=15),
                            ends_at=start + timedelta(minutes=45))
    _liaison, other_request = second_request(make, world)
    with app.app_context():
        consult.book(db.session, db.session.get(CounselRequest, world.request.id),
                     world.slot_ids[(world.own.id, start)], utcnow())
        db.session.commit()
        with pytest.raises(consult.ConsultError) as refused:
            consult.book(db.session, db.session.get(CounselRequest, other_request.id), overlapping.id, utcnow())
        db.session.rollback()
    assert refused.value.code == "taken"


def test_the_database_refuses_an_overlap_that_skipped_the_checks(app, world, make, dialect):
    """The exclusion constraint (PostgreSQL) and the unique live-slot index hold even for careless code."""
    from sqlalchemy.exc import IntegrityError

    start = world.block_start
    slot_id = world.slot_ids[(world.own.id, start)]
    make.booking(slot=make.get(ConsultationSlot, slot_id), request=world.request)
    _liaison, other_request = second_request(make, world)
    with pytest.raises(IntegrityError):
        make.booking(slot=make.get(ConsultationSlot, slot_id), request=other_request)
    make.session.rollback()
    if dialect == "postgresql":
        overlapping = make.slot(lawyer=world.own, starts_at=start + timedelta(minutes=10),
                                ends_at=start + timedelta(minutes=40))
        with pytest.raises(IntegrityError, match="ex_bookings_lawyer_overlap"):
            make.booking(slot=overlapping, request=other_request)
        make.session.rollback()


@pytest.mark.parametrize("code, change", [
    ("wrong_mode", {"mode": "phone"}),
    ("unsuitable", {"legal_area": "criminal"}),
])
def test_an_unsuitable_slot_is_refused(app, world, make, code, change):
    make.update(CounselRequest, world.request.id, **change)
    with app.app_context(), pytest.raises(consult.ConsultError) as refused:
        consult.book(db.session, db.session.get(CounselRequest, world.request.id),
                     world.slot_ids[(world.own.id, world.block_start)], utcnow())
    assert refused.value.code == code


def test_the_daily_cap_and_the_windows_are_kept(app, world, make):
    from hotline.models import Lawyer, RequestWindow

    make.update(Lawyer, world.own.id, max_consultations_per_day=0)
    with app.app_context(), pytest.raises(consult.ConsultError) as capped:
        consult.book(db.session, db.session.get(CounselRequest, world.request.id),
                     world.slot_ids[(world.own.id, world.block_start)], utcnow())
    window = make.scalar(select(RequestWindow).where(RequestWindow.request_id == world.request.id))
    make.update(RequestWindow, window.id, ends_at=world.block_start + timedelta(minutes=30))
    with app.app_context(), pytest.raises(consult.ConsultError) as outside:
        consult.book(db.session, db.session.get(CounselRequest, world.request.id),
                     world.slot_ids[(world.other.id, world.block_start + timedelta(minutes=40))], utcnow())
    assert (capped.value.code, outside.value.code) == ("daily_cap", "outside_windows")


def _booked(app, world, start=None):
    with app.app_context():
        booking = consult.book(db.session, db.session.get(CounselRequest, world.request.id),
                               world.slot_ids[(world.own.id, start or world.block_start)], utcnow())
        db.session.commit()
        return booking.id


def test_cancelling_reopens_the_slot_and_the_request_but_not_within_two_hours(app, world, make):
    booking_id = _booked(app, world)
    with app.app_context():
        booking = db.session.get(Booking, booking_id)
        with pytest.raises(consult.ConsultError) as late:
            consult.cancel(db.session, booking, booking.starts_at - timedelta(hours=1, minutes=59), "ill")
        consult.cancel(db.session, booking, utcnow(), "the investor postponed")
        db.session.commit()
    assert late.value.code == "too_late"
    assert make.get(Booking, booking_id).status == "cancelled"
    assert make.get(ConsultationSlot, make.get(Booking, booking_id).slot_id).status == "open"
    assert make.get(CounselRequest, world.request.id).status == "pending"


def test_rescheduling_moves_the_booking_or_leaves_it_where_it_was(app, world, make):
    booking_id = _booked(app, world)
    later = world.slot_ids[(world.own.id, world.block_start + timedelta(minutes=40))]
    with app.app_context():
        moved = consult.reschedule(db.session, db.session.get(Booking, booking_id), later, utcnow())
        db.session.commit()
        moved_id = moved.id
    assert make.get(Booking, booking_id).status == "cancelled" and make.get(Booking, moved_id).slot_id == later
    _liaison, other_request = second_request(make, world)
    taken = world.slot_ids[(world.other.id, world.block_start)]
    with app.app_context():
        consult.book(db.session, db.session.get(CounselRequest, other_request.id), taken, utcnow())
        db.session.commit()
        with pytest.raises(consult.ConsultError):
            consult.reschedule(db.session, db.session.get(Booking, moved_id), taken, utcnow())
        db.session.rollback()
    assert make.get(Booking, moved_id).status == "booked"


def test_the_outcome_goes_into_the_service_log_and_the_liaison_rates_it(app, world, make):
    booking_id = _booked(app, world)
    with app.app_context():
        booking = db.session.get(Booking, booking_id)
        with pytest.raises(consult.ConsultError) as early:
            consult.record_outcome(db.session, booking, "completed", "advice", utcnow())
        record = consult.record_outcome(db.session, booking, "completed", "Lease terms reviewed; clause 7 redrafted.",
                                        booking.starts_at + timedelta(minutes=30))
        db.session.commit()
        assert servicelog.verify(db.session).intact
        consult.rate(db.session, booking, 5, "very clear", booking.ends_at)
        db.session.commit()
        record_id = record.id
    assert early.value.code == "not_started"
    record = make.get(ServiceRecord, record_id)
    assert (record.kind, record.booking_id, record.project_id, record.provider_lawyer_id) == (
        "video_consult", booking_id, world.project.id, world.own.id)
    assert make.scalar(select(FollowUp.score).where(FollowUp.service_record_id == record_id)) == 5
    assert make.get(CounselRequest, world.request.id).status == "completed"


def test_reminders_go_once_24_hours_and_1_hour_before_and_never_for_a_cancelled_booking(app, world, make):
    booking_id = _booked(app, world)
    # As if booked days ago, with no reminder sent yet.
    make.update(Booking, booking_id, created_at=utcnow() - timedelta(days=3), reminder_24h_sent_at=None)
    start = make.get(Booking, booking_id).starts_at
    with app.app_context():
        assert reminders.send_due(db.session, start - timedelta(hours=25)) == 0
        assert reminders.send_due(db.session, start - timedelta(hours=23)) == 1
        assert reminders.send_due(db.session, start - timedelta(hours=22)) == 0
        assert reminders.send_due(db.session, start - timedelta(minutes=50)) == 1
        assert reminders.send_due(db.session, start - timedelta(minutes=40)) == 0
        db.session.commit()
    purposes = make.scalars(select(OutboxMessage.purpose).where(OutboxMessage.purpose.like("consult_reminder%")))
    assert sorted(purposes) == ["consult_reminder_1h"] * 2 + ["consult_reminder_24h"] * 2
    make.update(Booking, booking_id, status="cancelled", reminder_1h_sent_at=None, reminder_24h_sent_at=None)
    with app.app_context():
        assert reminders.send_due(db.session, start - timedelta(minutes=50)) == 0


def test_a_booking_made_within_the_last_day_gets_only_the_hour_before_reminder(app, world, make):
    booking_id = _booked(app, world)
    make.update(Booking, booking_id, reminder_24h_sent_at=None)
    booking = make.get(Booking, booking_id)
    with app.app_context():
        assert reminders.send_due(db.session, booking.created_at + timedelta(minutes=1)) == 0
        assert reminders.send_due(db.session, booking.starts_at - timedelta(minutes=30)) == 1
        db.session.commit()
    assert make.scalars(select(OutboxMessage.purpose).where(OutboxMessage.purpose.like("consult_reminder%"))) == [
        "consult_reminder_1h"] * 2


def test_the_demo_says_its_consultation_time_in_beijing_time(app, world, make):
    """The demo's summary line gives the booked consultation in Beijing time (09:00), not UTC (01:00)."""
    from hotline.demo import plans
    from hotline.extensions import db
    from hotline.models import User
    from hotline.models.types import utcnow

    make.update(User, world.liaison.id, username="liaison")
    make.update(User, world.lawyer_user.id, username="lawyer")
    with app.app_context():
        line = plans.consultations(utcnow())
        db.session.remove()
    assert "09:00 Beijing time" in line and "UTC" not in line


def test_favicon_answers_and_every_page_links_it(client):
    """/favicon.ico is the hotline's icon (no 404 on every page), and pages link the same icon."""
    with client.get("/favicon.ico") as icon:
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml" and b"<svg" in icon.get_data()
    assert 'rel="icon"' in client.get("/login").get_data(as_text=True)


def test_the_live_lower_bound_is_never_below_zero():
    """The job page's live bound agrees with the period page's: a negative solver bound shows as 0."""
    from hotline.duty.tasks import penalty_bound

    assert penalty_bound(-170.0) == 0.0 and penalty_bound(12.5) == 12.5 and penalty_bound(None) is None
