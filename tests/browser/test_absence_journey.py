"""A lawyer reports an absence over a booked consultation; the coordinator sees what it touches, approves, re-plans;
the liaison is offered other slots and books one."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from hotline.models import Booking, OutboxMessage, SeatRequirement, Shift
from hotline.models.types import PROVINCE_TZ
from tests.browser.conftest import sign_in
from tests.conftest import login

pytestmark = pytest.mark.browser


def test_absence_replan_and_the_liaison_rebooks(browser, page, live_server, world, make, app):
    shift = make.scalar(select(Shift).where(Shift.period_id == world.period.id))
    make.seat(shift=shift, seats=2, hard_minimum=0)
    make.lawyer(areas=("company",), name="Zhou Spare", phone="+8613922220003", max_minutes_per_month=9000)
    liaison_client = app.test_client()
    login(liaison_client, world.liaison.username)
    slot_id = world.slot_ids[(world.own.id, world.block_start)]
    assert liaison_client.post(f"/consult/requests/{world.request.id}/book", data={"slot_id": slot_id}).status_code == 302
    day = world.block_start.astimezone(PROVINCE_TZ).date().isoformat()

    # The lawyer reports an absence on the day of the booked consultation.
    lawyer = browser.new_context(locale="en-GB").new_page()
    lawyer.set_default_timeout(15000)
    sign_in(lawyer, live_server, world.lawyer_user.username)
    lawyer.goto(f"{live_server}/my/requests")
    lawyer.fill("input[name=first]", day)
    lawyer.fill("input[name=last]", day)
    lawyer.fill("form[action$='/my/requests/absence'] [name=reason]", "Court hearing in Beijing")
    lawyer.click("form[action$='/my/requests/absence'] button[type=submit]")
    lawyer.wait_for_selector("text=Request sent to the coordinators.")
    lawyer.context.close()

    # The coordinator sees the duty and the consultation it touches, approves, and re-plans.
    sign_in(page, live_server, make.user("admin", locale="en").username)
    page.goto(f"{live_server}/duty/requests")
    impact = page.inner_text("[data-testid=impact]")
    assert "Dalian Port Logistics Park" in impact
    page.click("form[action*='/duty/absences/'] button[value=approve]")
    page.wait_for_selector("[data-testid=effect]")
    assert "Sun Other" in page.inner_text("[data-testid=moved]")
    page.screenshot(path=str(live_server_shot("absence-effect")))
    page.click("[data-testid=effect] button.primary")
    page.click("[data-testid=review-link]")
    assert "Zhou Spare" in page.inner_text("[data-testid=replan-changes]")
    page.click("[data-testid=apply-replan]")
    page.wait_for_selector("[data-testid=roster-grid]")
    assert page.locator("[data-testid=replan-needed]").count() == 0
    assert "Zhou Spare" in page.inner_text("[data-testid=roster-grid]")

    # The liaison was texted other slots, and books one of the lawyers now on duty instead.
    texts = [m.body for m in make.scalars(select(OutboxMessage).where(OutboxMessage.to_number == world.liaison.phone))]
    assert any("请假" in text and "Sun Other" in text for text in texts)
    liaison = browser.new_context(locale="en-GB").new_page()
    liaison.set_default_timeout(15000)
    sign_in(liaison, live_server, world.liaison.username)
    liaison.goto(f"{live_server}/consult/requests/{world.request.id}")
    offers = liaison.inner_text("[data-testid=offers]")
    assert "Zhou Spare" in offers and "Qian Own" not in offers
    liaison.click("[data-testid=offers] button[data-slot]")
    liaison.wait_for_selector("[data-testid=booking-status]")
    assert liaison.inner_text("[data-testid=booking-status]") == "Booked"
    assert liaison.inner_text("[data-testid=booking-lawyer]") in ("Zhou Spare", "Sun Other")
    live = make.scalar(select(Booking).where(Booking.status == "booked"))
    assert live.lawyer_id != world.own.id
    liaison.context.close()


def live_server_shot(name: str):
    """Where a journey's screenshot goes (for a person to look at; nothing asserts on it)."""
    import tempfile
    from pathlib import Path

    folder = Path(tempfile.gettempdir()) / "hotline-shots"
    folder.mkdir(exist_ok=True)
    return folder / f"{name}.png"
