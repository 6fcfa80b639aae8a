"""An approved absence cancels the lawyer's consultations in it and offers each liaison other slots by SMS."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from hotline.models import Booking, CounselRequest, DutyAssignment, DutyPeriod, OutboxMessage, Unavailability
from tests.consult.test_consult_views import signed_in

EN = {"Accept-Language": "en"}


def _book_own_counsel(app, world):
    slot_id = world.slot_ids[(world.own.id, world.block_start)]
    assert signed_in(app, world.liaison).post(f"/consult/requests/{world.request.id}/book",
                                              data={"slot_id": slot_id}).status_code == 302


def test_approving_an_absence_moves_its_consultations_and_empties_its_duties(app, world, make):
    """The coordinator sees the booking and the duty before approving; approving cancels the booking, texts the
    liaison the other lawyer's free slots, takes the duty off the roster (its open slots withdrawn), and the
    period waits for a re-plan. The liaison's request page offers only the other lawyer."""
    _book_own_counsel(app, world)
    absence = make.unavailability(lawyer=world.own, status="requested", starts_at=world.block_start - timedelta(hours=9),
                                  ends_at=world.block_start + timedelta(hours=15))
    admin = signed_in(app, make.user("admin", locale="en"))
    before = admin.get("/duty/requests", headers=EN).get_data(as_text=True)
    assert 'data-testid="impact"' in before and "Dalian Port Logistics Park" in before
    response = admin.post(f"/duty/absences/{absence.id}/decide", data={"decision": "approve"}, headers=EN)
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and 'data-testid="moved"' in page and "Sun Other" in page
    booking = make.scalar(select(Booking))
    assert booking.status == "cancelled" and make.get(CounselRequest, world.request.id).status == "pending"
    assert make.get(Unavailability, absence.id).status == "approved"
    assert make.scalars(select(DutyAssignment).where(DutyAssignment.lawyer_id == world.own.id)) == []
    assert make.get(DutyPeriod, world.period.id).replan_needed_at is not None
    texts = {m.to_number: m.body for m in make.scalars(select(OutboxMessage).order_by(OutboxMessage.id))}
    assert "请假" in texts[world.liaison.phone] and "Sun Other" in texts[world.liaison.phone]
    assert "请假已批准" in texts[world.own.phone]
    offered = signed_in(app, world.liaison).get(f"/consult/requests/{world.request.id}", headers=EN)
    text = offered.get_data(as_text=True)
    offers = text.split('data-testid="offers"')[1].split("</table>")[0]
    assert "Sun Other" in offers and "Qian Own" not in offers and "the lawyer is absent" in text


def test_a_rejected_absence_changes_nothing(app, world, make):
    """Rejecting leaves the booking, the duty and the period as they were."""
    _book_own_counsel(app, world)
    absence = make.unavailability(lawyer=world.own, status="requested", starts_at=world.block_start,
                                  ends_at=world.block_start + timedelta(hours=3))
    admin = signed_in(app, make.user("admin", locale="en"))
    assert admin.post(f"/duty/absences/{absence.id}/decide", data={"decision": "reject"}).status_code == 302
    assert make.scalar(select(Booking)).status == "booked"
    assert make.get(DutyPeriod, world.period.id).replan_needed_at is None
