"""In a real browser: a hotline call becomes a ledger entry that is assessed, dispatched, mediated, followed up and
closed; the same entry read in Chinese."""
from __future__ import annotations

import os

import pytest
from sqlalchemy import select

from hotline.models import OutboxMessage
from tests.browser.conftest import sign_in
from tests.disputes.test_ledger_pages import place  # noqa: F401  (Dalian's counties, committees and people)

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("SCREENSHOTS")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


def step(page, action: str, button: str, **fields) -> None:
    form = page.locator(f"form[data-step={action}]")
    for name, value in fields.items():
        target = form.locator(f"[name={name}]")
        if target.evaluate("e => e.tagName") == "SELECT":
            target.select_option(value)
        elif target.get_attribute("type") == "checkbox":
            target.check()
        else:
            target.fill(value)
    form.locator(f"button:text-is('{button}')").click()
    page.wait_for_load_state()


def test_a_hotline_call_becomes_a_closed_followed_up_ledger_entry(browser, live_server, make, place):  # noqa: F811
    contact = make.contact(status="in_progress", city_id=place["city"].id, caller_name="Zhao Liu",
                           summary="Neighbour blocks the lane and threatens to fight.")
    operator = make.user("operator", name="Operator Chen")
    page = browser.new_context(locale="en-GB").new_page()
    sign_in(page, live_server, operator.username)
    page.goto(f"{live_server}/contacts/{contact.id}")
    page.check("input[name=risk_flags][value=civil_to_criminal]")
    page.click("button:has-text('Save triage')")
    page.select_option("select[name=org_unit_id]", str(place["village"].id))
    page.select_option("select[name=dispute_type]", "neighbour")
    page.click("button:has-text('Put into the dispute ledger')")
    assert "registered in the ledger" in page.inner_text(".flash")
    number = page.inner_text("[data-testid=ledger-entry] strong")
    assert number.startswith("纠2102-") and "Orange" in page.inner_text("[data-testid=ledger-entry]")
    page.context.close()

    page = browser.new_context(locale="en-GB").new_page()
    sign_in(page, live_server, place["bureau"].username)
    page.get_by_role("link", name=number, exact=True).first.click()
    assert page.inner_text("[data-testid=level]") == "Orange"
    step(page, "accept", "Accept")
    assert "at least two parties" in page.inner_text("[data-testid=refusal]")
    step(page, "correct", "Correct or add a party", party_name="Qian Qi", party_phone="13800138009",
         party_role="neighbour", reason="Second party found on the visit")
    assert "Qian Qi" in page.inner_text("[data-testid=parties]")
    step(page, "accept", "Accept")
    step(page, "assess", "Assess the risk", risk_level="orange")
    step(page, "dispatch", "Dispatch to a committee", committee_id=str(place["township_committee"].id))
    assert page.inner_text("[data-testid=state]") == "Dispatched"
    shot(page, "ledger-dispatched-en")
    page.context.close()

    page = browser.new_context(locale="en-GB").new_page()
    sign_in(page, live_server, place["mediator_user"].username)
    page.get_by_role("link", name=number, exact=True).first.click()
    step(page, "committee_accept", "The committee accepts", mediator_id=str(place["member"].id))
    step(page, "succeed", "Mediated successfully", agreement_form="written",
         terms="The lane stays open; Qian Qi moves the fence by 1 metre.", performance_date="2027-01-15")
    follow_up = page.locator("form[action$='/follow-up']")
    follow_up.locator("textarea[name=note]").fill("Fence moved, lane open, both satisfied.")
    follow_up.locator("select[name=kept]").select_option("yes")
    follow_up.locator("button").click()
    assert page.inner_text("[data-testid=state]") == "Following up"
    page.context.close()

    page = browser.new_context(locale="en-GB").new_page()
    sign_in(page, live_server, place["bureau"].username)
    page.click("#mainnav a:text-is('Ledger')")
    page.fill("input[name=q]", number)
    page.click("form.filters button")
    page.get_by_role("link", name=number, exact=True).click()
    step(page, "close", "Close the entry")
    assert "yellow or blue" in page.inner_text("[data-testid=refusal]")
    step(page, "risk_close", "Close a risk", prevented="yes")
    step(page, "correct", "Correct or add a party", risk_level="blue", reason="Agreement kept; risk gone")
    step(page, "close", "Close the entry")
    assert page.inner_text("[data-testid=state]") == "Closed"
    history = page.inner_text("[data-testid=history]")
    for words in ("Registered", "Accepted", "Assessed", "Dispatched", "The committee accepted", "Mediated successfully",
                  "Follow-up visit", "Risk closed", "Closed"):
        assert words in history
    shot(page, "ledger-closed-en")
    page.context.close()

    page = browser.new_context(locale="zh-CN").new_page()
    sign_in(page, live_server, place["bureau"].username)
    page.goto(f"{live_server}/disputes/")
    page.get_by_role("link", name=number, exact=True).first.click()
    assert page.inner_text("[data-testid=state]") == "已结案" or "结" in page.inner_text("[data-testid=state]")
    assert "成功防范" in page.inner_text("[data-testid=risks]")
    shot(page, "ledger-closed-zh")
    page.context.close()


def test_screening_finds_disputes_that_are_assessed_and_dispatched(browser, live_server, make, place):  # noqa: F811
    """A county bureau registers what screening found, accepts and assesses it, plans the dispatch, reviews the
    plan and publishes it: the orange dispute goes to the senior township committee, whose director is texted."""
    page = browser.new_context(locale="en-GB").new_page()
    sign_in(page, live_server, place["bureau"].username)
    numbers = []
    for summary, level, risk in (("Boundary of two homesteads", "blue", None),
                                 ("Unpaid wages of 12 workers", "orange", "group_petition")):
        page.click("#mainnav a:text-is('Register a dispute')")
        page.select_option("select[name=org_unit_id]", str(place["village"].id))
        page.select_option("select[name=dispute_type]", "labour" if risk else "neighbour")
        page.fill("textarea[name=summary]", summary)
        page.fill("input[name='parties-0-name']", "Sun Ba")
        page.fill("input[name='parties-1-name']", "Zhou Jiu")
        if risk:
            page.fill(f"input[name='risks-{risk}']", "12")
        page.click("main button:text-is('Register')")
        assert "registered" in page.inner_text(".flash")
        numbers.append(page.inner_text("h1").split()[-1])
        step(page, "accept", "Accept")
        step(page, "assess", "Assess the risk", risk_level=level)
        assert page.inner_text("[data-testid=state]") == "Assessed"

    page.click("#mainnav a:text-is('Dispatch')")
    page.click("[data-testid=run-dispatch]")
    page.click("[data-testid=review-link]")
    plan = page.inner_text("main")
    assert numbers[0] in plan and numbers[1] in plan
    shot(page, "dispatch-plan-en")
    page.click("[data-testid=publish]")
    assert "2 entries dispatched" in page.inner_text("[data-testid=published]")
    page.goto(f"{live_server}/disputes/?state=dispatched")
    listing = page.inner_text("main")
    assert numbers[0] in listing and numbers[1] in listing
    page.get_by_role("link", name=numbers[1], exact=True).click()
    assert place["township_committee"].name_en in page.inner_text("main")  # orange: the senior committee
    page.context.close()
    texts = make.scalars(select(OutboxMessage.to_number).where(OutboxMessage.purpose == "dispute_dispatch"))
    assert place["township_committee"].director_phone in texts
