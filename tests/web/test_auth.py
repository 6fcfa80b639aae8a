"""Signing in and out, passwords, rate limiting, CSRF and session cookies."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from hotline.models import User
from tests.conftest import login
from tests.factories import PASSWORD

EN = {"Accept-Language": "en"}


def test_login_then_home_then_logout(client, users):
    """A user signs in, reaches the home page, and signs out again."""
    response = login(client, users["operator"].username)
    assert response.status_code == 302 and response.location == "/"
    assert "Hotline seat" in client.get("/", headers=EN).get_data(as_text=True)
    response = client.post("/logout")
    assert response.status_code == 302 and "/login" in response.location
    assert client.get("/").status_code == 302


def test_wrong_password_is_refused(client, users):
    """A wrong password gives 401 and the same message as an unknown user."""
    wrong = client.post("/login", data={"username": users["admin"].username, "password": "nope"}, headers=EN)
    unknown = client.post("/login", data={"username": "nobody", "password": "nope"}, headers=EN)
    assert wrong.status_code == unknown.status_code == 401
    assert "Wrong username or password" in wrong.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_username_is_case_insensitive(client, users):
    """Usernames match regardless of case."""
    assert login(client, users["admin"].username.upper()).status_code == 302


def test_deactivated_user_cannot_sign_in_and_is_signed_out(app, make, users):
    """Deactivating an account refuses new sign-ins and ends existing sessions."""
    client = app.test_client()
    assert login(client, users["lawyer"].username).status_code == 302
    make.update(User, users["lawyer"].id, active=False)
    assert client.get("/").status_code == 302
    assert login(app.test_client(), users["lawyer"].username).status_code == 401


def test_next_parameter_stays_on_site(client, users):
    """After sign-in the user goes to the page asked for, never to another site."""
    response = client.post("/login?next=/servicelog/", data={"username": users["admin"].username, "password": PASSWORD})
    assert response.location == "/servicelog/"
    client.post("/logout")
    response = client.post("/login?next=//evil.example/", data={"username": users["admin"].username, "password": PASSWORD})
    assert response.location == "/"


OFF_SITE = ["//evil.example/", "/%09/evil.example", "/%0a/evil.example", "/%0d%0a/evil.example", "/%5C/evil.example",
            "/%5Cevil.example", "https://evil.example/", "/%20/evil.example", "/\u3000/evil.example", "%2F%2Fevil.example",
            "/%7F/evil.example", "javascript:alert(1)"]


def _stays_on_site(response) -> bool:
    """A redirect to a same-site relative path that a browser cannot read as another host."""
    from urllib.parse import urlsplit

    location = response.location or ""
    stripped = "".join(char for char in location if char not in "\t\r\n")
    parts = urlsplit(stripped.replace("\\", "/"))
    return response.status_code == 302 and not parts.scheme and not parts.netloc and stripped.startswith("/")


@pytest.mark.parametrize("target", OFF_SITE)
def test_sign_in_never_redirects_off_site(app, users, target):
    """Tabs, line breaks, backslashes and schemes in next= are refused: sign-in lands on the home page."""
    client = app.test_client()
    response = client.post(f"/login?next={target}", data={"username": users["admin"].username, "password": PASSWORD})
    assert _stays_on_site(response) and response.location == "/"


@pytest.mark.parametrize("target", OFF_SITE)
def test_language_switch_never_redirects_off_site(client, target):
    """The language switch goes back to the page it came from, never to another site, and never fails."""
    response = client.post(f"/language/en?next={target}")
    assert _stays_on_site(response) and response.location == "/"


def test_login_is_rate_limited(app_factory):
    """Repeated sign-in attempts from one address get 429 with a friendly page."""
    app = app_factory(LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    statuses = [client.post("/login", data={"username": "x", "password": "y"}, headers=EN).status_code
                for _ in range(4)]
    assert statuses == [401, 401, 401, 429]
    assert "Too many attempts" in client.post("/login", data={"username": "x", "password": "y"}, headers=EN).get_data(as_text=True)
    assert client.get("/login").status_code == 200  # reading the form is not limited


def _attempts(client, count: int, **headers) -> list[int]:
    return [client.post("/login", data={"username": "x", "password": "y"}, headers=EN | headers).status_code
            for _ in range(count)]


def test_a_forged_forwarded_for_does_not_escape_the_limit(app_factory):
    """Behind the one trusted proxy, the client's address is what the proxy appended: addresses a client writes
    into X-Forwarded-For itself do not make new buckets."""
    app = app_factory(LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    statuses = [client.post("/login", data={"username": "x", "password": "y"},
                            headers={"X-Forwarded-For": f"10.9.{n}.1, 203.0.113.7"}).status_code for n in range(5)]
    assert statuses == [401, 401, 401, 429, 429]
    other = client.post("/login", data={"username": "x", "password": "y"},
                        headers={"X-Forwarded-For": "203.0.113.8"})
    assert other.status_code == 401  # a different client behind the proxy has its own allowance


def test_without_a_proxy_forwarded_for_is_ignored(app_factory):
    """With TRUSTED_PROXIES=0 (the app faces clients) X-Forwarded-For is not believed at all."""
    app = app_factory(LOGIN_RATE_LIMIT="3 per minute", TRUSTED_PROXIES=0)
    client = app.test_client()
    statuses = [client.post("/login", data={"username": "x", "password": "y"},
                            headers={"X-Forwarded-For": f"198.51.100.{n}"}).status_code for n in range(4)]
    assert statuses == [401, 401, 401, 429]


def test_the_login_limit_is_shared_through_redis(app_factory):
    """With REDIS_URL, two web processes count sign-in attempts together."""
    import os
    import uuid

    from redis import Redis

    url = "redis://127.0.0.1:6379/14"
    try:
        Redis.from_url(url).ping()
    except Exception:  # noqa: BLE001
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail("Redis is not running at 127.0.0.1:6379")
        pytest.skip("Redis is not running at 127.0.0.1:6379")
    shared = {"LOGIN_RATE_LIMIT": "3 per minute", "RATELIMIT_STORAGE_URI": url,
              "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
    first, second = app_factory(**shared).test_client(), app_factory(**shared).test_client()
    assert _attempts(first, 2) == [401, 401]
    assert _attempts(second, 2) == [401, 429]


def test_forms_need_a_csrf_token(app_factory, make):
    """With CSRF on (as in production), a form post without its token is refused with 400."""
    make.user("admin", username="boss")
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    response = client.post("/login", data={"username": "boss", "password": PASSWORD}, headers=EN)
    assert response.status_code == 400
    assert "Form expired" in response.get_data(as_text=True)
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    response = client.post("/login", data={"username": "boss", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def test_session_cookie_is_secure_behind_https(client, users):
    """Over HTTPS the session cookie is Secure, HttpOnly and SameSite=Lax."""
    response = login(client, users["admin"].username)
    cookie = next(value for name, value in response.headers if name == "Set-Cookie" and value.startswith("session="))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_change_own_password(client, make, users):
    """A user changes their password with the current one; the old one stops working."""
    login(client, users["liaison"].username)
    bad = client.post("/account/password", data={"current": "wrong", "password": "new-password-1", "confirm": "new-password-1"})
    assert bad.status_code == 400
    short = client.post("/account/password", data={"current": PASSWORD, "password": "short", "confirm": "short"})
    assert short.status_code == 400
    ok = client.post("/account/password", data={"current": PASSWORD, "password": "new-password-1", "confirm": "new-password-1"})
    assert ok.status_code == 302
    client.post("/logout")
    assert login(client, users["liaison"].username).status_code == 401
    assert login(client, users["liaison"].username, "new-password-1").status_code == 302


def test_passwords_are_hashed(make, users):
    """No password is stored in clear."""
    hashes = make.scalars(select(User.password_hash))
    assert hashes and all(PASSWORD not in value and value.startswith(("pbkdf2:", "scrypt:")) for value in hashes)


def _cookie(client, name: str) -> str:
    cookie = client.get_cookie(name)
    assert cookie is not None, f"no {name} cookie"
    return cookie.value


def test_a_copied_session_cookie_stops_working_at_sign_out(app, users):
    """Sign-out ends the session everywhere: a copy of the cookie taken before is signed out too."""
    client = app.test_client()
    login(client, users["operator"].username)
    copy = app.test_client()
    copy.set_cookie("session", _cookie(client, "session"))
    assert copy.get("/contacts").status_code == 200
    client.post("/logout")
    assert copy.get("/contacts").status_code == 302 and "/login" in copy.get("/contacts").location


def test_a_password_change_ends_other_sessions_and_remember_me(app, users):
    """A new password ends every other session and remember-me cookie; the session that changed it goes on."""
    phone = app.test_client()
    phone.post("/login", data={"username": users["lawyer"].username, "password": PASSWORD, "remember": "y"})
    remembered = app.test_client()
    remembered.set_cookie("remember_token", _cookie(phone, "remember_token"))
    assert remembered.get("/account/password").status_code == 200  # the remember-me cookie alone signs in
    desk = app.test_client()
    login(desk, users["lawyer"].username)
    changed = desk.post("/account/password", data={"current": PASSWORD, "password": "new-password-1",
                                                   "confirm": "new-password-1"})
    assert changed.status_code == 302
    assert desk.get("/account/password").status_code == 200
    assert phone.get("/account/password").status_code == 302
    stale = app.test_client()
    stale.set_cookie("remember_token", _cookie(phone, "remember_token"))
    assert stale.get("/account/password").status_code == 302


def test_a_coordinators_reset_ends_the_users_sessions(app, users, as_role):
    """When a coordinator resets someone's password, that person's open sessions end."""
    liaison = as_role("liaison")
    admin = as_role("admin")
    response = admin.post(f"/admin/users/{users['liaison'].id}/password",
                          data={"password": "temporary-123", "confirm": "temporary-123"})
    assert response.status_code == 302
    assert liaison.get("/consult/").status_code == 302


def test_the_remember_cookie_is_samesite_and_short_lived(client, users):
    """The remember-me cookie is HttpOnly, Secure over HTTPS, SameSite=Lax, and lasts two weeks, not a year."""
    from datetime import datetime, timedelta, timezone
    from email.utils import parsedate_to_datetime

    response = client.post("/login", data={"username": users["admin"].username, "password": PASSWORD,
                                           "remember": "y"})
    cookie = next(value for name, value in response.headers
                  if name == "Set-Cookie" and value.startswith("remember_token="))
    assert "HttpOnly" in cookie and "Secure" in cookie and "SameSite=Lax" in cookie
    expires = parsedate_to_datetime(cookie.split("Expires=")[1].split(";")[0])
    assert expires - datetime.now(timezone.utc) < timedelta(days=15)


@pytest.mark.parametrize("method, path", [("get", "/contacts"), ("get", "/console/queue.json"),
                                          ("get", "/my/duties"), ("post", "/contacts/new"), ("get", "/")])
def test_a_forced_password_change_comes_before_every_page(app, make, method, path):
    """A user whose password was reset can do nothing but choose a new one (or sign out)."""
    make.user("operator", username="reset-me", must_change_password=True)
    client = app.test_client()
    assert login(client, "reset-me").location == "/account/password"
    response = getattr(client, method)(path)
    assert response.status_code == 302 and response.location == "/account/password"
    assert client.get("/account/password").status_code == 200
    changed = client.post("/account/password", data={"current": PASSWORD, "password": "new-password-1",
                                                     "confirm": "new-password-1"})
    assert changed.status_code == 302
    assert client.get("/contacts").status_code == 200
