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
    ledger_entry(make)
    return {"lawyer_feed": lawyer_feed.ical_token}


def ledger_entry(make):
    """Ledger entry 1 with a history that uses most steps, a bureau coordinator ("county") and a mediator
    ("mediator") who see it."""
    from datetime import timedelta

    from hotline.services import disputes
    from tests.factories import NOW

    county = make.org_unit("county")
    village = make.org_unit("village", parent=make.org_unit("township", parent=county))
    committee = make.committee(county, kind="county_key", level=2, senior=True)
    mediator_user = make.user("mediator", username="wang.tiaojie")
    member = make.mediator(committee, user_id=mediator_user.id)
    bureau = make.user("bureau", username="jz.bureau", org_unit_id=county.id, city_id=county.city_id)
    session = make.session
    entry = disputes.register(session, source="screening", found_at=NOW, org_unit=village, dispute_type="land",
                              summary="宅基地纠纷", parties=[disputes.Party("张三", "+8613800000001"),
                                                             disputes.Party("李四", "+8613800000002")],
                              risks={"group_fight": 8}, user=bureau, now=NOW)
    steps = [("accept", {}), ("assess", {"risk_level": "red"}), ("report", {"level": "city_bureau"}),
             ("acknowledge", {"level": "city_bureau"}), ("dispatch", {"committee_id": committee.id}),
             ("committee_decline", {"reason": "案情复杂"}), ("dispatch", {"committee_id": committee.id}),
             ("committee_accept", {"mediator_id": member.id}), ("session", {"mode": "video", "record": "视频调解"}),
             ("extend", {"days": 10, "consent_both": True}), ("measure_review", {"kind": "group_fight", "note": "稳控"}),
             ("fail", {"guidance": "引导诉讼"}), ("transfer", {"agency": "人民法院"}),
             ("follow_up", {"note": "法院已立案", "kept": None}), ("risk_close", {"kind": "group_fight", "prevented": True}),
             ("correct", {"risk_level": "yellow", "reason": "风险解除"}), ("close", {}), ("reopen", {"reason": "复核"})]
    for minutes, (action, data) in enumerate(steps, start=1):
        reason = data.pop("reason", "")
        disputes.act(session, entry, action, bureau, reason=reason, now=NOW + timedelta(minutes=minutes), **data)
    session.commit()
    return entry


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
    for username in ("coordinator", "seat", world.lawyer_user.username, world.liaison.username, "jz.bureau", "wang.tiaojie"):
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
