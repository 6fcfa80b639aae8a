"""POST /api/v1/disputes and GET /api/v1/disputes/{id}: courts and police hand disputes over and follow them."""
from __future__ import annotations

import threading

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from hotline.api import schema
from hotline.extensions import db
from hotline.models import Dispute, DisputeEvent
from hotline.services import disputes
from tests.api.strategies import from_schema

TOKEN = "court-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
BODY = {"external_id": "court-2026-77", "source": "court", "place": "village-1", "dispute_type": "neighbour",
        "summary": "诉前调解：宅基地边界", "parties": [{"name": "张三", "phone": "13800138000"}, {"name": "李四"}],
        "risks": {"group_fight": 12}}


@pytest.fixture
def api(app, make):
    city = make.city(code="dalian")
    county = make.org_unit("county", city=city, code="county-1")
    make.org_unit("village", parent=make.org_unit("township", parent=county), code="village-1")
    other = make.city(code="shenyang")
    make.org_unit("county", city=other, code="county-sy")
    make.api_client(token=TOKEN, scopes="disputes")
    make.api_client(token="city-token", scopes="disputes", city_id=city.id)
    make.api_client(token="contacts-only", scopes="contacts")
    return app.test_client()


def test_a_court_hands_a_dispute_over_once_and_follows_its_outcome(api, app, make):
    created = api.post("/api/v1/disputes", json=BODY, headers=AUTH)
    assert created.status_code == 201, created.get_json()
    entry = created.get_json()
    assert entry["number"] == "纠2102-2026-00001" or entry["number"].startswith("纠2102-")
    assert (entry["state"], entry["risk_level"], entry["outcome"]) == ("registered", "orange", None)
    again = api.post("/api/v1/disputes", json=BODY | {"summary": "changed"}, headers=AUTH)
    assert (again.status_code, again.get_json()["id"]) == (200, entry["id"])
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Dispute)) == 1
        dispute = db.session.get(Dispute, entry["id"])
        assert [party.phone for party in dispute.parties] == ["+8613800138000", None]
        for step, values in (("accept", {}), ("assess", {"risk_level": "orange"})):
            disputes.act(db.session, dispute, step, **values)
        db.session.commit()
    status = api.get(f"/api/v1/disputes/{entry['id']}", headers=AUTH).get_json()
    assert status["state"] == "assessed"


@pytest.mark.parametrize(("body", "headers", "code", "message"), [
    (BODY | {"place": "nowhere"}, AUTH, 400, "place: unknown org unit code"),
    (BODY | {"found_at": "2099-01-01T00:00:00+08:00"}, AUTH, 400, "found_at: lies in the future"),
    (BODY | {"found_at": "2026-01-01T00:00:00"}, AUTH, 400, "found_at: give a UTC offset"),
    (BODY | {"parties": [{"name": "张三", "phone": "12"}]}, AUTH, 400, "parties.0.phone: not a phone number"),
    (BODY | {"risk_level": "purple"}, AUTH, 400, "risk_level"),
    ({k: v for k, v in BODY.items() if k != "external_id"}, AUTH, 400, "external_id"),
    (BODY | {"place": "county-sy"}, {"Authorization": "Bearer city-token"}, 403, "acts for one city"),
    (BODY, {"Authorization": "Bearer contacts-only"}, 403, "'disputes' scope"),
    (BODY, {}, 401, "bearer token"),
])
def test_bad_handovers_are_refused_and_write_nothing(api, app, body, headers, code, message):
    response = api.post("/api/v1/disputes", json=body, headers=headers)
    assert response.status_code == code
    assert message in response.get_json()["message"]
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(DisputeEvent)) == 0


def test_a_client_sees_only_its_own_disputes(api):
    entry = api.post("/api/v1/disputes", json=BODY, headers=AUTH).get_json()
    assert api.get(f"/api/v1/disputes/{entry['id']}", headers={"Authorization": "Bearer city-token"}).status_code == 404
    assert api.get("/api/v1/disputes/999", headers=AUTH).status_code == 404


def test_the_same_handover_racing_itself_makes_one_entry(api, app):
    answers = []

    def post():
        answers.append(app.test_client().post("/api/v1/disputes", json=BODY, headers=AUTH).status_code)

    threads = [threading.Thread(target=post) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers.count(201) == 1 and set(answers) <= {200, 201}
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Dispute)) == 1


def test_the_openapi_document_describes_the_dispute_operations(api):
    document = api.get("/api/v1/openapi.json").get_json()
    assert document["paths"]["/disputes"]["post"]["x-scopes"] == ["disputes"]
    assert document["paths"]["/disputes/{dispute_id}"]["get"]["x-scopes"] == ["disputes"]


FAST = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FAST
@given(body=from_schema(schema.DISPUTE_IN))
def test_any_body_the_schema_allows_is_answered_without_a_500(api, body):
    response = api.post("/api/v1/disputes", json=body | {"place": "village-1"}, headers=AUTH)
    assert response.status_code in (200, 201, 400), response.get_data(as_text=True)
