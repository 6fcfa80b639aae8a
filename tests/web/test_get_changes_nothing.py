"""No state change on GET: every page, download and feed any role can open writes nothing to the database, so a
link, an image or a prefetch elsewhere cannot act for a signed-in user."""
from __future__ import annotations

import pytest
from sqlalchemy import event
from werkzeug.routing import AnyConverter, IntegerConverter

from hotline.extensions import db
from tests.conftest import login
from tests.consult.conftest import world  # noqa: F401  (the consultation world)

WRITES = ("INSERT", "UPDATE", "DELETE")


@pytest.fixture
def populated(world, make):
    """The consultation world plus a contact with a flag, a booking, a job and a service record: row 1 of most
    tables exists, so placeholder ids reach real records."""
    contact = make.contact(caller_phone="+8613800138000")
    make.risk_flag(contact=contact)
    make.service(contact_id=contact.id)
    make.job()
    make.outbox()
    make.user("admin", username="coordinator")
    make.user("operator", username="seat", is_supervisor=True)
    lawyer_feed = make.update(type(world.own), world.own.id, ical_token="lawyer-feed")
    make.update(type(world.liaison), world.liaison.id, ical_token="liaison-feed")
    return {"lawyer_feed": lawyer_feed.ical_token}


def url_of(rule) -> str:
    """The rule's URL with id 1 for its ids, the populated feed tokens, English for a language, "labour" else."""
    values = {}
    for name in rule.arguments:
        if isinstance(rule._converters[name], IntegerConverter):
            values[name] = 1
        elif isinstance(rule._converters[name], AnyConverter):
            values[name] = "lawyers" if "lawyers" in rule._converters[name].items else sorted(
                rule._converters[name].items)[0]
        else:
            values[name] = {"duty.feed": "lawyer-feed", "consult.feed": "liaison-feed",
                            "set_language": "en"}.get(rule.endpoint, "labour")
    return rule.build(values, append_unknown=False)[1]


def _get_urls(app) -> list[str]:
    """A URL for every route that answers GET (static files aside)."""
    return [url_of(rule) for rule in app.url_map.iter_rules() if "GET" in rule.methods and rule.endpoint != "static"]


def test_no_get_writes_to_the_database(app, populated, world):
    """Every GET route, as each role and anonymously, executes no INSERT, UPDATE or DELETE."""
    with app.app_context():
        engine = db.engine
    writes: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _many):
        if statement.lstrip().upper().startswith(WRITES):
            writes.append(statement.split("\n")[0][:120])

    clients = {"anonymous": app.test_client()}
    for username in ("coordinator", "seat", world.lawyer_user.username, world.liaison.username):
        clients[username] = app.test_client()
        assert login(clients[username], username).status_code == 302
    urls = _get_urls(app)
    assert len(urls) > 40
    event.listen(engine, "before_cursor_execute", record)
    try:
        for who, client in clients.items():
            for url in urls:
                before = len(writes)
                response = client.get(url)
                response.close()
                assert response.status_code < 500, (who, url)
                assert len(writes) == before, (who, url, writes[before:])
    finally:
        event.remove(engine, "before_cursor_execute", record)
