"""Headless Debian Chromium driven by Playwright (no browser download: executable_path)."""
from __future__ import annotations

import os
import shutil

import pytest

CHROMIUM_FLAGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Path of Debian's Chromium; CI (REQUIRE_BROWSER=1) fails rather than skips when it is missing."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail("chromium is not installed (apt-get install -y chromium)")
        pytest.skip("chromium is not installed (apt-get install -y chromium)")
    return path


@pytest.fixture(scope="session")
def browser(chromium_path):
    """One headless browser for the run."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh browser context and page (no cookies shared between tests), in English; the test fails if the
    content security policy refused anything on the way."""
    context = browser.new_context(locale="en-GB", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    refused = []
    page.on("console", lambda message: refused.append(message.text)
            if "Content Security Policy" in message.text else None)
    yield page
    context.close()
    assert refused == [], refused


@pytest.fixture
def threaded_app(app_factory):
    """Only what `flask reference` loads (cities, FTZ areas, shift types), with jobs on the embedded pool as in
    production, so progress can be watched."""
    from hotline.extensions import db
    from hotline.services import reference

    app = app_factory(JOBS_EAGER=False)
    with app.app_context():
        reference.ensure(db.session)
        db.session.commit()
        db.session.remove()
    return app


def sign_in(page, base: str, username: str, password: str | None = None) -> None:
    """Sign in through the login form and wait for the home page."""
    from tests.factories import PASSWORD

    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password or PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")


def go_to(page, menu: str, link: str | None = None) -> None:
    """Follow a link of the navigation bar: `menu` is the link, or the group holding `link` (a coordinator's)."""
    if link is None:
        page.click(f"#mainnav > a:text-is('{menu}')")
    else:
        page.click(f"#mainnav summary:text-is('{menu}')")
        page.click(f"#mainnav details[open] a:text-is('{link}')")


from tests.consult.conftest import world  # noqa: E402,F401  (the consultation journey's fixture)
