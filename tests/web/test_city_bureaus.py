"""City bureaus: a coordinator who belongs to one of the province's city bureaus sees and plans only that city's
lawyers, projects, rosters, contacts and figures; the province's pages (accounts, outbox, service log, matching,
allocation, reference data) stay the province's."""
from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from hotline.auth.access import ALL_ROLES, access_of
from hotline.extensions import db
from hotline.models import DutyPeriod
from hotline.services import rostering
from tests.conftest import login
from tests.web.test_access import _routes

EN = {"Accept-Language": "en"}

# What a city bureau's coordinator may not open: the province plans these.
PROVINCE_ONLY = {
    "auth.users", "auth.new_user", "auth.edit_user", "auth.reset_password", "outbox.index", "outbox.resend",
    "servicelog.index", "servicelog.verify", "projects.matching_page", "projects.run", "projects.plan",
    "projects.publish", "consult.allocation_page", "consult.allocation_run", "consult.allocation_review",
    "consult.allocation_publish", "duty.holidays", "duty.shift_types", "consult.attachment", "consult.booking_page",
    "consult.call", "consult.cancel", "consult.outcome", "consult.request_page", "consult.reschedule",
}


@pytest.fixture
def two_cities(make):
    dalian = make.city(code="dl", name_en="Dalian", name_zh="大连")
    anshan = make.city(code="as", name_en="Anshan", name_zh="鞍山")
    bureau = make.user("admin", username="dalian.bureau", city_id=dalian.id)
    province = make.user("admin", username="province.coordinator")
    ours = make.lawyer(name="Ours", city=dalian, firm=make.firm(city=dalian, name="Dalian Firm"))
    theirs = make.lawyer(name="Theirs", city=anshan, firm=make.firm(city=anshan, name="Anshan Firm"))
    return {"dalian": dalian, "anshan": anshan, "bureau": bureau, "province": province, "ours": ours,
            "theirs": theirs,
            "our_contact": make.contact(city_id=dalian.id, caller_name="Dalian caller"),
            "their_contact": make.contact(city_id=anshan.id, caller_name="Anshan caller")}


def _client(app, username):
    client = app.test_client()
    assert login(client, username).status_code == 302
    return client


def test_a_bureau_coordinator_opens_the_city_pages_and_not_the_provinces(app, two_cities):
    client = _client(app, "dalian.bureau")
    seen_scoped = 0
    with app.test_request_context():
        routes = [(endpoint, url, method, access_of(endpoint)) for endpoint, url, method in _routes(app)]
    for endpoint, url, method, access in routes:
        if not isinstance(access, frozenset) or "admin" not in access or access == ALL_ROLES:
            continue
        response = client.open(url, method=method, headers=EN)
        if endpoint in PROVINCE_ONLY:
            assert response.status_code == 403, (endpoint, response.status_code)
        else:
            assert response.status_code != 403, endpoint
            seen_scoped += 1
    assert seen_scoped > 40


def test_registers_show_and_accept_only_the_bureaus_city(app, two_cities, make):
    client = _client(app, "dalian.bureau")
    listing = client.get("/admin/lawyers", headers=EN).get_data(as_text=True)
    assert "Ours" in listing and "Theirs" not in listing
    assert client.get(f"/admin/lawyers/{two_cities['theirs'].id}").status_code == 404
    assert client.post(f"/admin/lawyers/{two_cities['theirs'].id}/active", data={"active": "0"}).status_code == 404
    export = client.get("/admin/lawyers/export.csv?lang=en").data.decode("utf-8-sig")
    assert "Ours" in export and "Theirs" not in export
    sheet = ("Licence number,Name,Mobile,Law firm,City,Legal areas (level 1-3)\n"
             "21020000000000077,New one,13800138077,Anshan Firm,Anshan,labour\n").encode()
    page = client.post("/admin/lawyers/import", data={"file": (io.BytesIO(sheet), "l.csv")},
                       content_type="multipart/form-data", headers=EN).get_data(as_text=True)
    assert "Outside your city" in page and 'name="digest"' not in page
    province = _client(app, "province.coordinator")
    assert "Theirs" in province.get("/admin/lawyers", headers=EN).get_data(as_text=True)


def test_a_bureau_plans_its_own_roster_with_its_own_lawyers(app, two_cities, make):
    client = _client(app, "dalian.bureau")
    make.shift_type(code="AM")
    start = date.today() + timedelta(days=10)
    form = {"name": "Dalian week", "starts_on": start.isoformat(), "ends_on": (start + timedelta(days=2)).isoformat(),
            "shift_codes": "AM"}
    assert client.post("/duty/periods", data=form).status_code == 302
    period = make.scalar(select(DutyPeriod).where(DutyPeriod.name == "Dalian week"))
    assert period.city_id == two_cities["dalian"].id
    with app.app_context():
        built = rostering.build_problem(db.session, db.session.get(DutyPeriod, period.id))
        assert [s.name for s in built.problem.staff] == ["Ours"]
        # another city's roster may share the days; the province's may not (it shares the lawyers)
        assert rostering.overlapping(db.session, start, start, two_cities["anshan"].id) is None
        assert rostering.overlapping(db.session, start, start, None).id == period.id
    province_period = make.period(name="Province", starts_on=start + timedelta(days=20),
                                  ends_on=start + timedelta(days=22))
    assert client.get(f"/duty/periods/{province_period.id}").status_code == 404
    assert "Province" not in client.get("/duty/periods", headers=EN).get_data(as_text=True)
    assert "Dalian week" in _client(app, "province.coordinator").get("/duty/periods", headers=EN).get_data(as_text=True)


def test_contacts_and_figures_are_the_bureaus_city(app, two_cities):
    client = _client(app, "dalian.bureau")
    assert client.get(f"/contacts/{two_cities['their_contact'].id}").status_code == 404
    assert client.get(f"/contacts/{two_cities['our_contact'].id}").status_code == 200
    found = client.get("/contacts", headers=EN).get_data(as_text=True)
    assert two_cities["our_contact"].reference in found and two_cities["their_contact"].reference not in found
    today = date.today()
    args = f"first={(today - timedelta(days=30)).isoformat()}&last={today.isoformat()}"
    records = client.get(f"/stats/records/contacts?{args}&city_id={two_cities['anshan'].id}",
                         headers=EN).get_data(as_text=True)
    assert two_cities["our_contact"].reference in records and two_cities["their_contact"].reference not in records
    province = _client(app, "province.coordinator").get(f"/stats/records/contacts?{args}", headers=EN)
    assert two_cities["their_contact"].reference in province.get_data(as_text=True)


def test_a_coordinator_is_given_a_city_bureau_on_the_account_page(app, two_cities, make):
    from hotline.models import User

    province = _client(app, "province.coordinator")
    form = {"username": "anshan.bureau", "name": "Anshan coordinator", "role": "admin", "active": "y",
            "city_id": str(two_cities["anshan"].id), "password": "a-long-password-2026", "locale": ""}
    assert province.post("/admin/users/new", data=form).status_code == 302
    assert make.scalar(select(User.city_id).where(User.username == "anshan.bureau")) == two_cities["anshan"].id
    operator = form | {"username": "anshan.operator", "role": "operator"}
    assert province.post("/admin/users/new", data=operator).status_code == 400


def test_a_citys_api_client_hands_over_and_sees_that_city_only(app, two_cities, make):
    from datetime import datetime, timezone

    from hotline.models import Contact

    make.api_client(token="dalian-token", name="Dalian 12345", city_id=two_cities["dalian"].id)
    api = app.test_client()
    auth = {"Authorization": "Bearer dalian-token"}
    created = api.post("/api/v1/contacts", json={"summary": "劳动合同咨询"}, headers=auth)
    assert created.status_code == 201
    assert make.get(Contact, created.get_json()["id"]).city_id == two_cities["dalian"].id
    elsewhere = api.post("/api/v1/contacts", json={"summary": "x", "city": "as"}, headers=auth)
    assert elsewhere.status_code == 403
    now = datetime.now(timezone.utc)
    period = make.period(status="published", starts_on=now.date(), ends_on=now.date())
    shift = make.shift(period=period, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1))
    make.duty(shift=shift, lawyer=two_cities["ours"])
    make.duty(shift=shift, lawyer=two_cities["theirs"])
    names = [l["name"] for l in api.get("/api/v1/on-duty?area=labour", headers=auth).get_json()["lawyers"]]
    assert names == ["Ours"]
    assert api.get("/api/v1/on-duty?city=as", headers=auth).status_code == 403


def test_the_cli_creates_a_citys_api_client(runner, two_cities, make):
    from hotline.models import ApiClient

    result = runner.invoke(args=["api-client", "create", "Dalian centre", "--scope", "contacts", "--city", "dl"])
    assert result.exit_code == 0, result.output
    assert make.scalar(select(ApiClient.city_id).where(ApiClient.name == "Dalian centre")) == two_cities["dalian"].id
    bad = runner.invoke(args=["api-client", "create", "Nowhere", "--scope", "contacts", "--city", "atlantis"])
    assert bad.exit_code == 2 and "not a city code" in bad.output


def test_a_bureau_coordinators_pages_link_to_nothing_closed_to_them(app, two_cities, make):
    """Every link on the home page, the navigation and a period's page opens for a city bureau's coordinator."""
    import re

    client = _client(app, "dalian.bureau")
    make.shift_type(code="AM")
    start = date.today() + timedelta(days=10)
    client.post("/duty/periods", data={"name": "Dalian week", "starts_on": start.isoformat(),
                                       "ends_on": (start + timedelta(days=2)).isoformat(), "shift_codes": "AM"})
    period = make.scalar(select(DutyPeriod.id).where(DutyPeriod.name == "Dalian week"))
    links = set()
    for page in ("/", f"/duty/periods/{period}"):
        links |= set(re.findall(r'href="(/[^"#?]*)', client.get(page, headers=EN).get_data(as_text=True)))
    links = {link for link in links if not link.startswith(("/static/", "/logout", "/language/"))}
    assert len(links) > 10
    refused = [link for link in sorted(links) if client.get(link, headers=EN).status_code == 403]
    assert refused == []
