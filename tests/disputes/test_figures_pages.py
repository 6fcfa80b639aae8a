"""The ledger's figures page: each coordinator sees their part of the province, in the department's words; a
published period shows its frozen figures, says when the history has changed, and a new revision says what it
revised."""
from __future__ import annotations

import re

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hotline.extensions import db
from hotline.models import DisputeReport
from hotline.models.types import PROVINCE_TZ, utcnow
from hotline.services import disputes
from hotline.services.disputes import Party
from tests.conftest import login

EN = {"Accept-Language": "en"}


@pytest.fixture
def ledger(app, make):
    """Dalian: a township with two entries this week (one mediated successfully, a suicide risk of two people
    prevented); Anshan: one entry. A township bureau, a city's coordinator and the province's."""
    dalian = make.city(code="dalian", name_en="Dalian", name_zh="大连")
    anshan = make.city(code="anshan", name_en="Anshan", name_zh="鞍山")
    county = make.org_unit("county", city=dalian, name_zh="甘井子区", name_en="Ganjingzi District")
    town = make.org_unit("township", parent=county, name_zh="红旗街道", name_en="Hongqi Street")
    village = make.org_unit("village", parent=town)
    other = make.org_unit("village", parent=make.org_unit("township", parent=make.org_unit("county", city=anshan)))
    committee = make.committee(village, kind="village", level=0, senior=True)
    now = utcnow()
    with app.app_context():
        session = db.session
        walk = lambda unit, at, source="screening": disputes.register(  # noqa: E731
            session, source=source, found_at=at, org_unit=session.merge(unit), dispute_type="neighbour",
            summary="A wall", parties=[Party("张三"), Party("李四")], now=at)
        mediated = walk(village, now - timedelta(hours=6))
        for step, data in (("accept", {}), ("risk_open", {"kind": "suicide", "people": 2}),
                           ("assess", {"risk_level": "orange"}), ("dispatch", {"committee_id": committee.id}),
                           ("committee_accept", {}),
                           ("succeed", {"agreement_form": "oral", "terms": "Rebuild the wall"}),
                           ("risk_close", {"kind": "suicide", "prevented": True})):
            disputes.act(session, mediated, step, now=now - timedelta(hours=5), **data)
        waiting = walk(village, now - timedelta(hours=4), source="hotline")
        walk(other, now - timedelta(hours=3))
        session.commit()
        ids = {"mediated": mediated.id, "waiting": waiting.id}
    local = now.astimezone(PROVINCE_TZ)
    return {
        "dalian": dalian, "anshan": anshan, "town": town, "ids": ids,
        "period": f"first={(local - timedelta(days=1)).date()}&last={local.date()}",
        "bureau": make.user("bureau", org_unit_id=town.id, locale="en"),
        "city": make.user("admin", city_id=dalian.id, locale="en"),
        "province": make.user("admin", locale="en"),
        "mediator": make.user("mediator"),
    }


def _client(app, user):
    client = app.test_client()
    assert login(client, user.username).status_code == 302
    return client


def test_each_coordinator_sees_the_figures_of_their_part_in_the_departments_words(app, ledger):
    period = ledger["period"]
    town = _client(app, ledger["bureau"]).get(f"/disputes/figures?{period}", headers=EN)
    assert town.status_code == 200
    page = town.get_data(as_text=True)
    assert "红旗街道矛盾纠纷排查调处工作情况" in page
    assert ("排查出各类矛盾纠纷2件，调解纠纷1件，调解成功1件，调解成功率100%。有效防止民间纠纷引发的自杀1起，"
            "防止“民转刑”案件0件，防止群体性上访0件，防止群体性械斗0件。") in page
    assert ("2 disputes of every kind found by screening, 1 mediated and 1 mediated successfully, a success rate "
            "of 100%. Effectively prevented 1 suicide arising from a civil dispute, 0 civil disputes turning "
            "criminal, 0 group petitions and 0 group fights.") in page
    province = _client(app, ledger["province"]).get(f"/disputes/figures?{period}").get_data(as_text=True)
    assert "全省矛盾纠纷排查调处工作情况" in province and "排查出各类矛盾纠纷3件" in province
    chosen = _client(app, ledger["province"]).get(f"/disputes/figures?{period}&city_id={ledger['anshan'].id}")
    assert "鞍山" in chosen.get_data(as_text=True) and "排查出各类矛盾纠纷1件" in chosen.get_data(as_text=True)
    city = _client(app, ledger["city"]).get(f"/disputes/figures?{period}&city_id={ledger['anshan'].id}")
    assert "排查出各类矛盾纠纷2件" in city.get_data(as_text=True)  # a city's coordinator sees only the city
    assert _client(app, ledger["mediator"]).get(f"/disputes/figures?{period}").status_code == 403


@pytest.mark.parametrize("query", ["first=2026-13-01&last=2026-12-31", "first=2026-12-31&last=2026-10-01",
                                   "first=2020-01-01&last=2026-12-31", "first=x", "city_id=999999&first=2026-10-01&last=2026-10-02"])
def test_a_bad_period_or_city_answers_400(app, ledger, query):
    assert _client(app, ledger["province"]).get(f"/disputes/figures?{query}", headers=EN).status_code == 400


def test_each_figure_links_to_the_entries_behind_it(app_factory, ledger):
    app = app_factory()
    page = _client(app, ledger["bureau"]).get(f"/disputes/figures?{ledger['period']}").get_data(as_text=True)
    first, last = ledger["period"].replace("first=", "").split("&last=")
    assert f'href="/disputes/?figure=prevented:suicide&amp;start={first}&amp;end={last}"' in page
    assert f'href="/disputes/?figure=found&amp;start={first}&amp;end={last}"' in page


def test_publishing_freezes_the_figures_and_a_revision_says_what_it_revised(app, ledger):
    client = _client(app, ledger["bureau"])
    period = ledger["period"]
    form = dict(part.split("=") for part in period.split("&"))
    published = client.post("/disputes/figures/publish", data=form)
    assert published.status_code == 302 and "/disputes/figures/published/" in published.location
    assert "Revision 1 published" in client.get(f"/disputes/figures?{period}", headers=EN).get_data(as_text=True)
    assert client.post("/disputes/figures/publish", data=form).status_code == 302  # unchanged: the same revision
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DisputeReport)) == 1
        waiting = db.session.get(disputes.Dispute, ledger["ids"]["waiting"])
        disputes.act(db.session, waiting, "correct", reason="Entered wrongly", risk_level="red", now=utcnow())
        db.session.commit()
    page = client.get(f"/disputes/figures?{period}", headers=EN).get_data(as_text=True)
    assert 'data-testid="ledger-changed"' in page and "publishing again issues revision 2" in page
    assert re.search(r'data-figure="open:red">(<a [^>]*>)?0<', page)  # still as published
    second = client.post("/disputes/figures/publish", data=form)
    shown = client.get(second.location, headers=EN).get_data(as_text=True)
    assert "Revision 2 published" in shown and shown.count('data-testid="revised-from"') == 2
    assert "revised from 1" in shown and "revised from 0" in shown  # open blue 1 -> 0, open red 0 -> 1
    province = _client(app, ledger["province"])
    assert province.get(second.location).status_code == 200
    assert _client(app, ledger["city"]).get(second.location).status_code == 404  # the town's, not the city's
    future = {"first": "2099-01-01", "last": "2099-03-31"}
    assert client.post("/disputes/figures/publish", data=future, headers=EN).status_code == 400


def test_the_ledger_lists_exactly_the_entries_behind_a_figure(app, ledger):
    client = _client(app, ledger["bureau"])
    first, last = ledger["period"].replace("first=", "").split("&last=")
    with app.app_context():
        mediated = db.session.get(disputes.Dispute, ledger["ids"]["mediated"]).number
        waiting = db.session.get(disputes.Dispute, ledger["ids"]["waiting"]).number
    found = client.get(f"/disputes/?figure=found&start={first}&end={last}", headers=EN).get_data(as_text=True)
    assert mediated in found and waiting in found and "2 entries" in found
    succeeded = client.get(f"/disputes/?figure=succeeded&start={first}&end={last}", headers=EN).get_data(as_text=True)
    assert mediated in succeeded and waiting not in succeeded and "1 entry" in succeeded
    assert client.get(f"/disputes/?figure=nonsense&start={first}&end={last}").status_code == 400
    assert client.get("/disputes/?figure=found&start=2026-13-01&end=x").status_code == 400


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31", "1999-12-31"])
def test_a_period_at_the_ends_of_the_calendar_answers_400(app, ledger, day):
    client = _client(app, ledger["province"])
    assert client.get(f"/disputes/figures?first={day}&last={day}").status_code == 400
    assert client.post("/disputes/figures/publish", data={"first": day, "last": day}).status_code == 400
    assert client.get(f"/disputes/?figure=found&start={day}&end={day}").status_code == 400


def test_a_city_figure_followed_by_the_province_lists_that_citys_entries_only(app, ledger):
    """A province coordinator reading Dalian's figures follows a link carrying city_id: the list keeps to Dalian; a
    city's coordinator cannot widen their own part with it."""
    first, last = ledger["period"].replace("first=", "").split("&last=")
    dalian, anshan = ledger["dalian"].id, ledger["anshan"].id
    province = _client(app, ledger["province"])
    everything = province.get(f"/disputes/?figure=found&start={first}&end={last}", headers=EN).get_data(as_text=True)
    only_dalian = province.get(f"/disputes/?figure=found&start={first}&end={last}&city_id={dalian}",
                               headers=EN).get_data(as_text=True)
    assert "3 entries" in everything and "2 entries" in only_dalian
    assert "0 entries" in province.get(f"/disputes/?city_id={anshan}&state=closed", headers=EN).get_data(as_text=True)
    bureau = _client(app, ledger["bureau"])
    widened = bureau.get(f"/disputes/?figure=found&start={first}&end={last}&city_id={anshan}", headers=EN)
    assert "2 entries" in widened.get_data(as_text=True)


def test_without_a_period_the_page_shows_the_last_quarter_that_ended_and_links_the_running_one(app, ledger):
    """The department reports whole quarters: the page opens on the last one that ended."""
    from hotline.models.types import PROVINCE_TZ, utcnow
    from hotline.services import statistics

    today = utcnow().astimezone(PROVINCE_TZ).date()
    last_first, last_last = statistics.last_full_quarter(today)
    this_first, this_last = statistics.quarter_of(today)
    assert last_last + timedelta(days=1) == this_first
    page = _client(app, ledger["province"]).get("/disputes/figures", headers=EN).get_data(as_text=True)
    assert f'name="first" value="{last_first}"' in page and f'name="last" value="{last_last}"' in page
    assert f'href="/disputes/figures?first={this_first}&amp;last={this_last}">This quarter so far' in page
    assert f'href="/disputes/figures?first={last_first}&amp;last={last_last}">Last quarter' in page
