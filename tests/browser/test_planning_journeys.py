"""In a real browser: a coordinator plans, solves (watching progress), reviews and publishes a roster; the lawyer
sees the duty and its calendar feed; the coordinator publishes the FTZ matching and a liaison sees the counsel."""
from __future__ import annotations

import urllib.request
from datetime import timedelta

import pytest

from hotline.models.types import utcnow
from tests.conftest import serve
from tests.browser.conftest import go_to, sign_in

pytestmark = pytest.mark.browser




def test_coordinator_rosters_and_lawyer_subscribes(browser, threaded_app, make):
    """Create a period, solve with live progress, review, publish; the lawyer's duties and feed show it."""
    admin = make.user("admin", name="Coordinator Liu")
    lawyer_user = make.user("lawyer", name="Lawyer Li")
    firm = make.firm()
    make.lawyer(areas=("labour", "marriage_family", "contracts_debts"), languages=("zh", "ko"), firm=firm,
                user_id=lawyer_user.id, name="Lawyer Li", max_minutes_per_month=9000, max_consecutive_days=5)
    for n in range(6):
        make.lawyer(areas=("labour", "marriage_family", "contracts_debts"), languages=("zh", "ko"), firm=firm,
                    max_minutes_per_month=9000, max_consecutive_days=5)
    start = (utcnow() + timedelta(days=3)).date()
    with serve(threaded_app) as base:
        page = browser.new_context(locale="en-GB").new_page()
        page.set_default_timeout(30000)
        sign_in(page, base, admin.username)
        go_to(page, "Duty", "Rosters")
        page.fill("input[name=name]", "Browser week")
        page.fill("input[name=starts_on]", start.isoformat())
        page.fill("input[name=ends_on]", (start + timedelta(days=2)).isoformat())
        for code in ("PM", "EVE", "NIGHT"):
            page.uncheck(f"input[name=shift_codes][value={code}]")
        page.click("button:has-text('Create period')")
        page.fill("input[name=time_limit]", "5")
        page.click("button:has-text('Solve the roster')")
        page.wait_for_url("**/jobs/*")
        page.wait_for_selector("[data-testid=job-status][data-status=succeeded], [data-testid=job-status][data-status=failed]")
        assert page.get_attribute("[data-testid=job-status]", "data-status") == "succeeded"
        assert page.inner_text("[data-testid=job-status]") == "Finished"
        assert page.inner_text("#job-objective") not in ("", "–")
        page.click("[data-testid=review-link]")
        assert "Lawyer Li" in page.inner_text("[data-testid=roster-grid]")
        page.click("button:has-text('Publish and notify the lawyers')")
        assert "Published" in page.inner_text("[data-testid=period-status]")

        lawyer_page = browser.new_context(locale="en-GB").new_page()
        sign_in(lawyer_page, base, lawyer_user.username)
        lawyer_page.click("#mainnav >> text=My duties")
        assert "Hotline morning" in lawyer_page.inner_text("[data-testid=duty-list]")
        lawyer_page.click("button:has-text('Create my feed address')")
        feed_url = lawyer_page.inner_text("[data-testid=feed-url]").replace("http://localhost", base)
        feed_url = base + feed_url[feed_url.index("/calendar/"):]
        with urllib.request.urlopen(feed_url, timeout=10) as response:
            body = response.read().decode("utf-8")
        assert "BEGIN:VEVENT" in body and "热线上午班" in body
        page.context.close()
        lawyer_page.context.close()


def test_coordinator_publishes_matching_and_liaison_sees_counsel(browser, threaded_app, make):
    """Run the FTZ matching, review the plan, publish; the liaison sees both lawyers of the project."""
    admin = make.user("admin")
    liaison = make.user("liaison", name="Liaison Zhou")
    city = make.city(code="yingkou-x", name_en="Yingkou", latitude=40.6, longitude=122.2)
    common = {"ftz_team": True, "monthly_hours_available": 100, "max_projects": 10, "city": city}
    make.lawyer(areas=("company",), languages=("zh", "en"), firm=make.firm(city=city), name="Counsel Wang", **common)
    make.lawyer(areas=("company",), languages=("zh", "en"), firm=make.firm(city=city), name="Counsel Zhao", **common)
    make.project(needs=("company",), languages=("zh", "en"), city=city, name="Yingkou port logistics", liaisons=[liaison])
    with serve(threaded_app) as base:
        page = browser.new_context(locale="en-GB").new_page()
        page.set_default_timeout(30000)
        sign_in(page, base, admin.username)
        go_to(page, "FTZ", "FTZ counsel")
        page.fill("input[name=time_limit]", "5")
        page.click("button:has-text('Match all key projects')")
        page.wait_for_selector("[data-testid=job-status][data-status=succeeded]")
        page.click("[data-testid=review-link]")
        page.click("[data-testid=plan-link]")
        assert "Every project is matched." in page.inner_text("[data-testid=unmatched]")
        page.click("button:has-text('Publish this plan')")
        assert page.inner_text("[data-testid=plan-status]") == "Published"

        liaison_page = browser.new_context(locale="en-GB").new_page()
        sign_in(liaison_page, base, liaison.username)
        text = liaison_page.inner_text("main")
        assert "Yingkou port logistics" in text and "Counsel Wang" in text and "Counsel Zhao" in text
        page.context.close()
        liaison_page.context.close()
