"""The integration API: tokens, creating contacts idempotently, status, who is on duty, the OpenAPI document."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from hotline.models import Contact, RiskFlag
from hotline.models.types import utcnow

TOKEN = "secret-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture
def api(app, make):
    make.api_client(token=TOKEN, name="Shenyang 12345 centre")
    return app.test_client()


def test_requests_need_an_active_token(api, make):
    """No token, a wrong token or a revoked client gets 401 JSON."""
    assert api.post("/api/v1/contacts", json={"summary": "x"}).status_code == 401
    assert api.get("/api/v1/on-duty", headers={"Authorization": "Bearer nope"}).status_code == 401
    make.api_client(token="old", active=False)
    response = api.get("/api/v1/on-duty", headers={"Authorization": "Bearer old"})
    assert response.status_code == 401 and response.get_json()["error"] == "unauthorized"


def test_create_contact_is_idempotent_per_external_id(api, make):
    """A contact is created once per external_id; the number is stored in E.164; a risk flag escalates."""
    body = {"external_id": "SY-2026-0001", "caller_phone": "138 0013 8000", "legal_area": "labour", "city": "shenyang",
            "summary": "农民工欠薪，情绪激动", "risk_flags": ["group_petition"], "channel": "phone"}
    make.city(code="shenyang")
    first = api.post("/api/v1/contacts", json=body, headers=AUTH)
    assert first.status_code == 201
    data = first.get_json()
    assert data["status"] == "escalated" and data["escalated"] and data["reference"].startswith("12348-")
    second = api.post("/api/v1/contacts", json=body, headers=AUTH)
    assert second.status_code == 200 and second.get_json()["id"] == data["id"]
    assert make.scalar(select(func.count(Contact.id))) == 1
    assert make.scalar(select(Contact.caller_phone)) == "+8613800138000"
    assert make.scalar(select(RiskFlag.flag)) == "group_petition"


@pytest.mark.parametrize("body", [
    {}, {"summary": ""}, {"summary": "x", "legal_area": "astrology"}, {"summary": "x", "unknown": 1},
    {"summary": "x", "risk_flags": ["bad_mood"]}, {"summary": "x", "caller_phone": "12"}, {"summary": "x", "city": "atlantis"},
    {"summary": 5}, [], "text", {"summary": "x", "external_id": ""},
])
def test_bad_bodies_are_400_and_store_nothing(api, make, body):
    """Each invalid body gets a JSON 400 naming the problem; nothing is written."""
    response = api.post("/api/v1/contacts", json=body, headers=AUTH)
    assert response.status_code == 400 and response.get_json()["message"]
    assert make.scalar(select(func.count(Contact.id))) == 0


def test_non_json_body_is_400(api):
    """A body that is not JSON is a 400, not a 500."""
    response = api.post("/api/v1/contacts", data="summary=x", headers=AUTH | {"Content-Type": "application/json"})
    assert response.status_code == 400


def test_status_of_own_contacts_only(api, make):
    """A client reads its own contacts; another client's or unknown ids are 404."""
    created = api.post("/api/v1/contacts", json={"summary": "咨询离婚"}, headers=AUTH).get_json()
    assert api.get(f"/api/v1/contacts/{created['id']}", headers=AUTH).get_json()["status"] == "new"
    other = make.contact()
    assert api.get(f"/api/v1/contacts/{other.id}", headers=AUTH).status_code == 404
    assert api.get("/api/v1/contacts/999999", headers=AUTH).status_code == 404


def test_on_duty_lists_lawyers_without_numbers(api, make):
    """Who is on duty for an area and language, best first, with no phone numbers."""
    now = utcnow()
    period = make.period(status="published", starts_on=now.date(), ends_on=now.date())
    shift = make.shift(period=period, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1))
    lawyer = make.lawyer(areas=("labour",), name="Li Ming")
    make.duty(shift=shift, lawyer=lawyer)
    data = api.get("/api/v1/on-duty?area=labour&language=zh", headers=AUTH).get_json()
    assert data["lawyers"] == [{"id": lawyer.id, "name": "Li Ming", "reason": "qualified"}]
    assert "phone" not in str(data)
    assert api.get("/api/v1/on-duty?area=criminal", headers=AUTH).get_json()["lawyers"] == []
    assert api.get("/api/v1/on-duty?area=astrology", headers=AUTH).status_code == 400
    assert api.get("/api/v1/on-duty?language=xx", headers=AUTH).status_code == 400


def test_openapi_document(api):
    """The OpenAPI document lists the seven operations and needs no token."""
    doc = api.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.") and set(doc["paths"]) == {
        "/contacts", "/contacts/{contact_id}", "/on-duty", "/requests/{request_id}/slots", "/bookings", "/disputes",
        "/disputes/{dispute_id}"}
    assert doc["servers"][0]["url"] == "https://hotline.example.cn/api/v1"


def test_api_client_cli(runner, make):
    """The CLI creates a client with its scopes, prints its token once, lists it and revokes it."""
    from hotline.models import ApiClient

    result = runner.invoke(args=["api-client", "create", "Dalian 12345", "--scope", "contacts", "--scope", "on-duty"])
    assert result.exit_code == 0 and len(result.output.strip()) >= 40
    assert make.scalar(select(ApiClient.scopes)) == "contacts on-duty"
    assert "scopes=contacts on-duty" in runner.invoke(args=["api-client", "list"]).output
    assert runner.invoke(args=["api-client", "create", "Dalian 12345", "--scope", "contacts"]).exit_code == 2
    assert runner.invoke(args=["api-client", "revoke", "Dalian 12345"]).exit_code == 0
    assert make.scalar(select(ApiClient.active)) is False
    assert runner.invoke(args=["api-client", "revoke", "nobody"]).exit_code == 2


@pytest.mark.parametrize("args, problem", [
    ([], "Missing option '--scope'"),
    (["--scope", "everything"], "Invalid value for '--scope'"),
    (["--scope", "escalate"], "--scope escalate needs --scope contacts"),
    (["--scope", "bookings"], "--scope bookings and --liaison go together"),
    (["--scope", "contacts", "--liaison", "liaison1"], "--scope bookings and --liaison go together"),
    (["--scope", "bookings", "--liaison", "nobody"], "'nobody' is not an active liaison account"),
    (["--scope", "bookings", "--liaison", "operator1"], "'operator1' is not an active liaison account"),
])
def test_api_client_cli_refuses_bad_scopes(runner, make, args, problem):
    """Bad scopes or liaisons exit with status 2 and a one-line reason; nothing is created."""
    from hotline.models import ApiClient

    make.user("operator", username="operator1")
    make.user("liaison", username="liaison1")
    result = runner.invoke(args=["api-client", "create", "Platform", *args])
    assert result.exit_code == 2 and problem in result.output
    assert make.scalar(select(func.count(ApiClient.id))) == 0


def test_api_client_cli_names_the_liaisons_a_booking_client_acts_for(runner, make):
    """A bookings client is created with the liaisons it acts for."""
    from hotline.models import ApiClient

    make.user("liaison", username="liaison1")
    result = runner.invoke(args=["api-client", "create", "Project platform", "--scope", "bookings",
                                 "--liaison", "liaison1"])
    assert result.exit_code == 0, result.output
    assert "liaisons=liaison1" in runner.invoke(args=["api-client", "list"]).output
    assert make.scalar(select(ApiClient.scopes)) == "bookings"


@pytest.mark.parametrize("scopes, method, path, body", [
    ("on-duty bookings", "post", "/api/v1/contacts", {"summary": "x"}),
    ("on-duty bookings", "get", "/api/v1/contacts/1", None),
    ("contacts bookings", "get", "/api/v1/on-duty", None),
    ("contacts on-duty", "get", "/api/v1/requests/1/slots", None),
    ("contacts on-duty", "post", "/api/v1/bookings", {"request_id": 1, "slot_id": 1}),
])
def test_each_operation_needs_its_scope(app, make, scopes, method, path, body):
    """A client without the operation's scope gets a JSON 403 naming it, and nothing is written."""
    make.api_client(token="narrow", scopes=scopes)
    client = app.test_client()
    response = getattr(client, method)(path, json=body, headers={"Authorization": "Bearer narrow"})
    assert response.status_code == 403 and response.get_json()["error"] == "forbidden"
    assert "scope" in response.get_json()["message"]
    assert make.scalar(select(func.count(Contact.id))) == 0


def test_risk_flags_need_the_escalate_scope(app, make):
    """Risk flags text every supervisor: a client without 'escalate' is refused (403) and no supervisor is texted;
    the same contact without flags is accepted."""
    from hotline.models import OutboxMessage

    make.user("operator", is_supervisor=True, phone="+8613900000077")
    make.api_client(token="plain", scopes="contacts")
    client = app.test_client()
    headers = {"Authorization": "Bearer plain"}
    flagged = {"summary": "他说不想活了", "risk_flags": ["suicide"]}
    response = client.post("/api/v1/contacts", json=flagged, headers=headers)
    assert response.status_code == 403 and "escalate" in response.get_json()["message"]
    assert make.scalar(select(func.count(Contact.id))) == 0
    assert make.scalar(select(func.count(OutboxMessage.id))) == 0
    assert client.post("/api/v1/contacts", json={"summary": "咨询"}, headers=headers).status_code == 201


def test_openapi_documents_each_operations_scope(api):
    """Every operation names its scope and its 403 in the OpenAPI document, matching what the view enforces."""
    from flask import current_app

    doc = api.get("/api/v1/openapi.json").get_json()
    with api.application.app_context():
        views = current_app.view_functions
        rules = {rule.rule.removeprefix("/api/v1").replace("<int:", "{").replace(">", "}"): rule
                 for rule in current_app.url_map.iter_rules() if rule.endpoint.startswith("api.")}
        for path, operations in doc["paths"].items():
            for method, operation in operations.items():
                rule = rules[path.replace("{contact_id}", "{contact_id}")]
                view = views[rule.endpoint] if method.upper() in rule.methods else None
                assert view is not None, path
                assert operation["x-scopes"] == [view._api_scope] and "403" in operation["responses"]
