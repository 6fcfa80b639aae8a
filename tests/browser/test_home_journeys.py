"""Each role signs in through a real browser and sees its own home page."""
from __future__ import annotations

import pytest

from tests.browser.conftest import go_to
from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

HEADINGS = {
    "admin": "Good day",
    "operator": "Hotline seat",
    "lawyer": "Welcome",
    "liaison": "Welcome",
}


@pytest.mark.parametrize("role", sorted(HEADINGS))
def test_role_signs_in_and_sees_home(page, live_server, users, role):
    """Sign in with the form, land on the role's home page, see the role's menu, sign out."""
    page.goto(f"{live_server}/")
    assert "/login" in page.url
    page.fill("input[name=username]", users[role].username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server}/")
    assert HEADINGS[role] in page.inner_text("h1")
    assert (page.locator("#mainnav a[href$='/admin/users']").count() == 1) == (role == "admin")
    page.click("text=Sign out")
    page.wait_for_url("**/login")


def test_admin_creates_user_and_switches_language(page, live_server, users):
    """A coordinator creates an operator in the browser, then switches the interface to Chinese."""
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", users["admin"].username)
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    go_to(page, "Administration", "Users")
    page.click("text=New user")
    page.fill("input[name=username]", "li.na")
    page.fill("input[name=name]", "李娜")
    page.fill("input[name=phone]", "139 0024 1234")
    page.select_option("select[name=role]", "operator")
    page.fill("input[name=password]", "a-strong-password")
    page.click("button:has-text('Save')")
    assert "Account li.na created." in page.inner_text(".flash")
    assert "li.na" in page.inner_text("table")
    page.select_option("select[name=role]", "lawyer")  # the filter applies itself (app.js, no inline handler)
    page.wait_for_url("**/admin/users?role=lawyer")
    assert "li.na" not in page.inner_text("table")
    page.select_option("select[name=role]", "")
    page.wait_for_url("**/admin/users?role=")
    page.click("text=简体中文")
    assert "用户" in page.inner_text("h1")
