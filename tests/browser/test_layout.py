"""Layout details seen by users: date and time inputs look like the other inputs; names in the requests table stay
on one line."""
from __future__ import annotations

from datetime import timedelta

import pytest

from hotline.models.types import utcnow
from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_inputs_are_styled_and_request_names_do_not_wrap(browser, live_server, make, users):
    lawyer = make.lawyer(name="欧阳娜仁其其格", user_id=users["lawyer"].id)
    for n in range(3):
        make.duty_request(lawyer=lawyer, kind="day_off", day=(utcnow() + timedelta(days=5 + n)).date(),
                          reason="家中有事，需要请假处理家庭事务并陪同老人就医")
    page = browser.new_context(locale="en-GB", viewport={"width": 1366, "height": 900}).new_page()
    sign_in(page, live_server, users["admin"].username)
    page.goto(f"{live_server}/duty/requests")
    cell = page.locator("table.decisions tbody tr:first-child td:first-child").first
    lines = cell.evaluate("e => { const r = document.createRange(); r.selectNodeContents(e); "
                          "return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size; }")
    assert lines == 1
    page.goto(f"{live_server}/duty/periods")
    date_input = page.locator("input[type=date]").first
    assert date_input.evaluate("e => getComputedStyle(e).borderTopLeftRadius") == "5px"
    page.context.close()


@pytest.mark.parametrize("role", ["admin", "operator", "lawyer", "liaison"])
@pytest.mark.parametrize("locale", ["en-GB", "zh-CN"])
def test_the_navigation_fits_one_line_at_1366_pixels(browser, live_server, users, role, locale):
    """Every role's navigation bar is one line on a 1366-pixel laptop screen, in English and in Chinese; a
    coordinator's pages sit in menus that open on click."""
    page = browser.new_context(locale=locale, viewport={"width": 1366, "height": 800}).new_page()
    sign_in(page, live_server, users[role].username)
    tops = page.eval_on_selector_all("#mainnav > a, #mainnav > details > summary",
                                     "items => items.map(e => Math.round(e.getBoundingClientRect().top))")
    assert len(set(tops)) == 1, tops
    if role == "admin":
        page.click("#mainnav summary >> nth=2")  # the registers: firms, lawyers, key projects, liaisons
        assert page.locator("#mainnav details[open] a").count() == 4
    page.context.close()
