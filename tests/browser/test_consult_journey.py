"""A liaison asks for counsel and books a slot; a second liaison finds it taken; the lawyer sees the booking and
records the outcome, which lands in the service log."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from hotline.models import Booking, ServiceRecord
from hotline.models.types import PROVINCE_TZ, utcnow
from tests.browser.conftest import sign_in
from tests.consult.conftest import second_request

pytestmark = pytest.mark.browser


def test_liaison_books_a_second_is_refused_and_the_lawyer_records_the_outcome(browser, page, live_server, world, make):
    other_liaison, other_request = second_request(make, world, description="Second liaison's question")
    # The second liaison opens their request page first and hesitates.
    rival_context = browser.new_context(locale="en-GB")
    rival = rival_context.new_page()
    rival.set_default_timeout(15000)
    sign_in(rival, live_server, other_liaison.username)
    rival.goto(f"{live_server}/consult/requests/{other_request.id}")
    rival.wait_for_selector("[data-testid=offers]")

    # The first liaison asks for counsel through the form and books the first offer: the project's own counsel.
    sign_in(page, live_server, world.liaison.username)
    page.click("#mainnav >> text=Counsel")
    page.click("[data-testid=new-request]")
    page.select_option("select[name=project_id]", str(world.project.id))
    page.select_option("select[name=legal_area]", "company")
    page.select_option("select[name=mode]", "video")
    page.fill("input[name='windows-0-day']", world.block_start.astimezone(PROVINCE_TZ).date().isoformat())
    page.fill("input[name='windows-0-starts']", "08:30")
    page.fill("input[name='windows-0-ends']", "12:00")
    page.fill("textarea[name=description]", "Review of the land-use contract before signing")
    page.click("button:has-text('Send the request')")
    page.wait_for_selector("[data-testid=offers]")
    assert "Primary counsel" in page.inner_text("[data-testid=offers] tbody tr:first-child")
    first_slot = page.get_attribute("[data-testid=offers] button[data-slot]", "data-slot")
    page.click(f"button[data-slot='{first_slot}']")
    page.wait_for_selector("[data-testid=booking-status]")
    assert page.inner_text("[data-testid=booking-status]") == "Booked"
    assert page.inner_text("[data-testid=booking-lawyer]") == "Qian Own"

    # The rival clicks the same slot on their stale page and is told it is taken.
    rival.click(f"button[data-slot='{first_slot}']")
    assert "just been taken" in rival.inner_text("[data-testid=booking-error]")
    rival_context.close()
    booking = make.scalar(select(Booking).where(Booking.status == "booked"))
    assert booking.slot_id == int(first_slot) and make.scalar(select(Booking).where(
        Booking.request_id == other_request.id)) is None

    # The lawyer sees it among their consultations; once it has started they record the outcome.
    lawyer = browser.new_context(locale="en-GB").new_page()
    lawyer.set_default_timeout(15000)
    sign_in(lawyer, live_server, world.lawyer_user.username)
    lawyer.click("#mainnav >> text=Consultations")
    assert "Dalian Port Logistics Park" in lawyer.inner_text("[data-testid=lawyer-bookings]")
    make.update(Booking, booking.id, starts_at=utcnow() - timedelta(minutes=25), ends_at=utcnow() + timedelta(minutes=5))
    lawyer.click(f"a[href='/consult/bookings/{booking.id}']")
    lawyer.select_option("select[name=status]", "completed")
    lawyer.fill("textarea[name=outcome]", "Clause 12 on land-use change must be renegotiated; draft sent.")
    lawyer.click("button:has-text('Save the outcome')")
    lawyer.wait_for_selector("[data-testid=booking-outcome]")
    assert lawyer.inner_text("[data-testid=booking-status]") == "Completed"
    record = make.scalar(select(ServiceRecord).where(ServiceRecord.booking_id == booking.id))
    assert record is not None and record.outcome.startswith("Clause 12") and record.provider_lawyer_id == world.own.id
    assert f"Service record #{record.seq}" in lawyer.inner_text("main")
    lawyer.context.close()
