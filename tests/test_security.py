"""Every response carries the security headers, and no template needs what the content security policy refuses."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from hotline import ROOT
from hotline.auth.access import public
from hotline.security import HEADERS
from tests.conftest import login

EXPECTED = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"}


def assert_secured(response) -> None:
    response.close()  # a streamed file is closed even when an assertion fails; the headers stay readable
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, (name, response.status_code)
    policy = response.headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in policy and "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "http:" not in policy and "https:" not in policy.replace("https://", "")  # no scheme-wide sources


def test_the_policy_is_the_one_in_the_module():
    assert HEADERS["Content-Security-Policy"].split("; ")[0] == "default-src 'self'"


@pytest.mark.parametrize("url, status", [
    ("/login", 200),                    # a page
    ("/", 302),                         # a redirect to sign in
    ("/static/css/app.css", 200),       # a static file
    ("/static/js/app.js", 200),
    ("/no/such/page", 404),             # an error page
    ("/api/v1/openapi.json", 200),      # JSON
    ("/api/v1/contacts/1", 401),        # a JSON error
    ("/calendar/unknown.ics", 404),
])
def test_anonymous_responses_carry_the_headers(client, url, status):
    response = client.get(url)
    assert response.status_code == status
    assert_secured(response)


def test_a_method_not_allowed_and_a_post_redirect_carry_the_headers(client, users):
    assert_secured(client.put("/login"))
    response = login(client, users["admin"].username)
    assert response.status_code == 302
    assert_secured(response)
    assert_secured(client.get("/jobs/999999.json"))


def test_feeds_and_downloads_carry_the_headers(app, client, make):
    user = make.user("liaison")
    make.lawyer(user_id=make.user("lawyer").id, ical_token="headers-feed")
    feed = client.get("/calendar/headers-feed.ics")
    assert feed.status_code == 200 and feed.mimetype == "text/calendar"
    assert_secured(feed)
    attachment = make.attachment(request=make.counsel_request(liaison=user), sha256="c" * 64)
    folder = Path(app.config["ATTACHMENT_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    (folder / attachment.sha256).write_bytes(b"%PDF-1.4")
    login(client, user.username)
    download = client.get(f"/consult/attachments/{attachment.id}")
    assert download.status_code == 200 and download.headers["Content-Disposition"].startswith("attachment")
    assert_secured(download)


def test_a_server_error_carries_the_headers(app_factory):
    app = app_factory(PROPAGATE_EXCEPTIONS=False)

    @app.route("/boom")
    @public
    def boom():
        raise RuntimeError("boom")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert_secured(response)


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>", re.I), "inline script"),
    (re.compile(r"<style\b", re.I), "style element"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_no_template_relies_on_inline_script_or_style():
    """The policy has no 'unsafe-inline': anything inline would silently stop working in the browser."""
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        found += [f"{path.relative_to(ROOT)}: {what}" for pattern, what in INLINE if pattern.search(text)]
    assert found == []
