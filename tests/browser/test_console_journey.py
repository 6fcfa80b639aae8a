"""In a real browser: an operator triages a call, flags a suicide risk, and a supervisor sees the escalation."""
from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser




def test_operator_flags_suicide_risk_and_supervisor_sees_it(browser, live_server, make):
    """The waiting call appears in the console, is triaged with a suicide flag, and reaches the supervisor's list."""
    operator = make.user("operator", name="Operator Chen")
    supervisor = make.user("operator", name="Supervisor Wang", is_supervisor=True)
    make.contact(status="waiting", caller_phone="+8613800138000", legal_area=None, summary="")

    supervisor_page = browser.new_context(locale="en-GB").new_page()
    sign_in(supervisor_page, live_server, supervisor.username)
    supervisor_page.goto(f"{live_server}/console")
    assert supervisor_page.inner_text("#count-escalations") == "0"

    page = browser.new_context(locale="en-GB").new_page()
    sign_in(page, live_server, operator.username)
    page.click("#mainnav >> text=Console")
    assert "+86 138****8000" in page.inner_text("#list-waiting")
    page.click("#list-waiting a")
    page.select_option("select[name=legal_area]", "marriage_family")
    page.select_option("select[name=urgency]", "high")
    page.check("input[name=risk_flags][value=suicide]")
    page.fill("textarea[name=summary]", "Caller in despair after a divorce; says she cannot go on.")
    page.click("button:has-text('Save triage')")
    assert "Triage saved." in page.inner_text(".flash")
    assert "Suicide risk" in page.inner_text(".banner-alert")
    assert page.inner_text("[data-testid=status]") == "Escalated"

    # The supervisor's console refreshes by itself and the escalation banner appears without a reload.
    supervisor_page.wait_for_function("() => document.getElementById('count-escalations').textContent === '1'", timeout=15000)
    assert "Suicide risk" in supervisor_page.inner_text("#list-escalations")
    assert supervisor_page.is_visible("[data-testid=escalation-banner]")
    supervisor_page.click("#list-escalations a")
    supervisor_page.fill("form[action*='/escalations/'] textarea[name=note]", "Called back, family with her, referred to counselling.")
    supervisor_page.check("form[action*='/escalations/'] input[name=prevented]")
    supervisor_page.click("button:has-text('Close escalation')")
    assert "Escalation closed." in supervisor_page.inner_text(".flash")
    supervisor_page.goto(f"{live_server}/escalations")
    assert "No open escalations." in supervisor_page.inner_text("main")
    supervisor_page.context.close()
    page.context.close()
