"""With CSRF on, as in production, every form a page shows carries its token, and a posted search works."""
from __future__ import annotations

from html.parser import HTMLParser

from tests.conftest import login
from tests.consult.conftest import world  # noqa: F401  (the consultation world)
from tests.web.test_get_changes_nothing import _get_urls, populated  # noqa: F401


class _Forms(HTMLParser):
    """Collects each POST form's action and whether it holds a csrf_token field."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []
        self._open: dict | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "get").lower() == "post":
            self._open = {"action": attrs.get("action"), "token": False}
            self.forms.append(self._open)
        elif tag == "input" and self._open is not None and attrs.get("name") == "csrf_token" and attrs.get("value"):
            self._open["token"] = True

    def handle_endtag(self, tag):
        if tag == "form":
            self._open = None


def test_every_posted_form_carries_its_csrf_token(app_factory, populated, world):  # noqa: F811
    """Each POST form on every page any role can open holds a non-empty csrf_token."""
    app = app_factory(WTF_CSRF_ENABLED=True)
    missing, seen = [], 0
    for username in ("coordinator", "seat", world.lawyer_user.username, world.liaison.username, None):
        client = app.test_client()
        if username:
            page = client.get("/login").get_data(as_text=True)
            token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
            assert login(client, username).status_code == 400  # without the token: refused
            from tests.factories import PASSWORD

            client.post("/login", data={"username": username, "password": PASSWORD, "csrf_token": token})
        for url in _get_urls(app):
            response = client.get(url)
            if response.mimetype != "text/html":
                continue
            parser = _Forms()
            parser.feed(response.get_data(as_text=True))
            seen += len(parser.forms)
            missing += [(username, url, form["action"]) for form in parser.forms if not form["token"]]
    assert seen > 50 and missing == []


def test_the_posted_search_works_with_csrf_on(app_factory, users, make):
    """The contact search form posts its token and finds the caller."""
    make.contact(caller_phone="+8613800138000", caller_name="王五")
    app = app_factory(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    from tests.factories import PASSWORD

    client.post("/login", data={"username": users["operator"].username, "password": PASSWORD, "csrf_token": token})
    form = client.get("/contacts").get_data(as_text=True).split('id="search-form"')[1]
    token = form.split('name="csrf_token" value="')[1].split('"')[0]
    response = client.post("/contacts", data={"q": "138 0013 8000", "csrf_token": token})
    assert response.status_code == 200 and "王五" in response.get_data(as_text=True)
