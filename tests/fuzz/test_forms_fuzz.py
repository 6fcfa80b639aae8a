"""Every form field and query parameter of every page, as every role that may use it, with hostile values: out-of-range
and malformed dates, huge and negative numbers, long and strange text, repeated keys. No answer is ever a 500.

The parameters are not listed by hand: a first pass opens each route with a recording request, which notes every
form and query key the view or its WTForms form reads. So a new field is fuzzed without anyone remembering to add it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date, timedelta
from html.parser import HTMLParser
from urllib.parse import urlsplit

import pytest
from flask import request
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import ImmutableMultiDict

from tests.conftest import login
from tests.consult.conftest import world  # noqa: F401  (the consultation world)
from tests.web.test_get_changes_nothing import populated, url_of  # noqa: F401

# Routes the fuzz leaves out, each for a reason: signing out ends the session the run relies on; webhooks and the
# API are refused without a signature or token and have their own fuzz (tests/api, tests/telephony).
SKIPPED = {"auth.logout", "static"}
SKIPPED_PREFIXES = ("telephony.", "api.")

HOSTILE = [
    "", " ", "0", "-1", "2147483648", "99999999999999999999", "1e309", "nan", "-0.0001",
    "0001-01-01", "9999-12-31", "10000-01-01", "2026-02-30", "1999-12-31", "0000-00-00",
    "25:61", "23:59:60", "2026-12-31T25:00", "x" * 5000, "你好", "\u202eevil", "<script>", "'; DROP TABLE users; --",
    "[]", "{}", "on", "%00", "²", "１２", "٣",
]
TEXT = st.one_of(st.sampled_from(HOSTILE), st.text(alphabet=st.characters(exclude_characters="\x00",
                                                                          exclude_categories=("Cs",)), max_size=40),
                 st.integers(min_value=-(2**70), max_value=2**70).map(str),
                 st.dates().map(lambda d: d.isoformat()))


class RecordingArgs(ImmutableMultiDict):
    """A request's args or form that notes every key the view asks for."""

    seen: set

    def _note(self, key):
        if isinstance(key, str):
            self.seen.add(key)

    def get(self, key, default=None, type=None):  # noqa: A002 (werkzeug's signature)
        self._note(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):  # noqa: A002
        self._note(key)
        return super().getlist(key, type)

    def __getitem__(self, key):
        self._note(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self._note(key)
        return super().__contains__(key)


_TOMORROW = (date.today() + timedelta(days=1)).isoformat()
# What a person would type into an empty input of each type, so the other fields are valid while one is varied.
_PLAUSIBLE = {"checkbox": "y", "date": _TOMORROW, "datetime-local": f"{_TOMORROW}T10:00", "time": "10:00",
              "number": "1"}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class _FormDefaults(HTMLParser):
    """The values each form of a page would send as it stands: its action path, method and fields."""

    def __init__(self, page_path: str):
        super().__init__()
        self.page_path = page_path
        self.forms: list[tuple[str, str, dict]] = []
        self._form: dict | None = None
        self._select: str | None = None
        self._textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            action = urlsplit(attrs.get("action") or self.page_path).path
            self._form = {}
            self.forms.append((action, (attrs.get("method") or "get").upper(), self._form))
        elif self._form is None:
            return
        elif tag == "input" and attrs.get("name"):
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button", "file"):
                self._form.setdefault(attrs["name"], attrs.get("value") or _PLAUSIBLE.get(kind, "")
                                      or (attrs.get("min") if kind == "number" else ""))
        elif tag == "select" and attrs.get("name"):
            self._select = attrs["name"]
        elif tag == "option" and self._select:
            if "selected" in attrs or self._select not in self._form:
                self._form[self._select] = attrs.get("value", "")
        elif tag == "textarea" and attrs.get("name"):
            self._textarea = attrs["name"]
            self._form[self._textarea] = ""

    def handle_data(self, data):
        if self._form is not None and self._textarea:
            self._form[self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None


@dataclass(frozen=True)
class Target:
    """A route, a method and a user who may use it, with the parameter names the view reads."""

    who: str
    method: str
    url: str
    keys: tuple[str, ...]
    base: tuple[tuple[str, str], ...] = ()  # what the page's own form would send: valid values to vary one at a time


def _urls(app) -> list[tuple[str, str, str]]:
    """(endpoint, method, url) for each route and method the fuzz covers."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in SKIPPED or rule.endpoint.startswith(SKIPPED_PREFIXES):
            continue
        url = url_of(rule)
        for method in sorted(rule.methods & {"GET", "POST"}):
            found.append((rule.endpoint, method, url))
    return found


@pytest.fixture
def targets(app, populated, world, monkeypatch):  # noqa: F811
    """Signed-in clients per user and every (user, method, url) with the keys its view reads."""
    from hotline import jobs

    monkeypatch.setattr(jobs, "dispatch", lambda app, job_id: None)  # solves stay queued: the fuzz is about input
    seen: set = set()

    def record():
        for name in ("args", "form"):
            original = getattr(request, name)
            wrapped = RecordingArgs(original)
            wrapped.seen = seen
            request.__dict__[name] = wrapped

    app.before_request_funcs.setdefault(None, []).insert(0, record)
    # Forms built from a copy of the request's values (e.g. with defaults filled in) are seen through WTForms.
    from wtforms.form import BaseForm

    process = BaseForm.process

    def recording_process(self, *args, **kwargs):
        seen.update(field.name for field in self)
        return process(self, *args, **kwargs)

    monkeypatch.setattr(BaseForm, "process", recording_process)
    clients = {"anonymous": app.test_client()}
    for username in ("coordinator", "seat", world.lawyer_user.username, world.liaison.username, "jz.bureau",
                     "wang.tiaojie"):
        clients[username] = app.test_client()
        assert login(clients[username], username).status_code == 302
    found, defaults = [], {}
    for who, client in clients.items():
        for _endpoint, method, url in _urls(app):
            if method == "GET":
                page = client.get(url)
                if page.mimetype == "text/html":
                    parser = _FormDefaults(url)
                    parser.feed(page.get_data(as_text=True))
                    for action, form_method, values in parser.forms:
                        defaults.setdefault((who, form_method, action), values)
            seen.clear()
            # A key of no meaning makes the form non-empty, so Flask-WTF hands it to the form's fields.
            response = client.open(url, method=method, data={"_probe": "1"} if method == "POST" else None)
            response.close()
            assert response.status_code < 500, (who, method, url)
            if response.status_code in (401, 403, 404, 405) or (response.status_code == 302 and "/login" in
                                                                  (response.location or "")):
                continue
            found.append(Target(who, method, url, tuple(sorted(seen - {"_probe"}))))
    found = [replace(target, base=tuple(sorted(defaults.get((target.who, target.method, target.url), {}).items())))
             for target in found]
    app.before_request_funcs[None].remove(record)
    monkeypatch.setattr(BaseForm, "process", process)
    return clients, found


def _status(clients, target: Target, values: dict) -> int | str:
    """The answer's status, or the exception that would have been a 500 (tests let exceptions through)."""
    client = clients[target.who]
    try:
        if target.method == "GET":
            response = client.get(target.url, query_string=values)
        else:
            response = client.post(target.url, data=values)
    except Exception as error:  # noqa: BLE001 (any exception is the finding)
        from hotline.extensions import db

        with client.application.app_context():
            db.session.rollback()
        return f"{type(error).__name__}: {str(error)[:80]}"
    response.close()
    return response.status_code


def test_the_discovery_finds_the_forms(targets):
    """The recording pass finds the fields of forms and filters (a guard against a fuzz that fuzzes nothing)."""
    _clients, found = targets
    keys = {key for target in found for key in target.keys}
    assert len(found) > 80
    assert {"date_from", "date_to", "page", "q", "starts_on", "ends_on", "first", "last"} <= keys, \
        sorted(keys)


# The values swept through every parameter one at a time (the rest as the page's own form would send them).
SWEEP = ["", "-1", "99999999999999999999", "1e309", "0001-01-01", "9999-12-31", "10000-01-01", "2026-02-30",
         "25:61", "x" * 5000, "\u202e"]


def test_each_parameter_with_each_hostile_value(targets):
    """Each discovered parameter in turn set to each hostile value, the others valid: never a 500."""
    clients, found = targets
    failures, sent = [], 0
    for target in found:
        base = dict(target.base)
        for key in target.keys:
            for value in SWEEP:
                status = _status(clients, target, base | {key: value})
                sent += 1
                if not isinstance(status, int) or status >= 500:
                    failures.append((target.who, target.method, target.url, key, value[:20], status))
        # Ranges: every date of the form at once (from and to both in year 1, say).
        dated = [key for key, value in base.items() if _DATE.match(value)]
        for value in SWEEP if len(dated) > 1 else ():
            status = _status(clients, target, base | {key: value for key in dated})
            if not isinstance(status, int) or status >= 500:
                failures.append((target.who, target.method, target.url, "+".join(dated), value[:20], status))
    assert sent > 1000
    assert failures == [], "\n".join(map(str, failures))


@settings(max_examples=400, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_random_mixtures_of_values(targets, data):
    """Hypothesis mixes values per parameter (and repeats keys): never a 500."""
    clients, found = targets
    target = data.draw(st.sampled_from([t for t in found if t.keys]))
    values = dict(target.base) | data.draw(st.fixed_dictionaries(
        {}, optional={key: st.one_of(TEXT, st.lists(TEXT, max_size=3)) for key in target.keys}))
    status = _status(clients, target, values)
    assert isinstance(status, int) and status < 500, (target, values, status)
