"""The access matrix: every route as an anonymous visitor and as each role."""
from __future__ import annotations

import pytest

from hotline.auth.access import ALL_ROLES, PUBLIC
from tests.conftest import ROLES

# Who may use each endpoint. A new route fails test_every_route_is_in_the_matrix until it is listed here.
EXPECTED = {
    "static": PUBLIC,
    "set_language": PUBLIC,
    "auth.login": PUBLIC,
    "home.health": PUBLIC,
    "home.favicon": PUBLIC,
    # The integration API: no session; token-checked (tests/api).
    "api.openapi": PUBLIC,
    "api.create_contact": PUBLIC,
    "api.get_contact": PUBLIC,
    "api.create_dispute": PUBLIC,
    "api.get_dispute": PUBLIC,
    "api.on_duty": PUBLIC,
    "api.request_slots": PUBLIC,
    "api.create_booking": PUBLIC,
    # Twilio webhooks: no session, but every request must carry Twilio's signature (tests/telephony).
    "telephony.voice_incoming": PUBLIC,
    "telephony.voice_menu": PUBLIC,
    "telephony.dial_status": PUBLIC,
    "telephony.voice_recording": PUBLIC,
    "telephony.voice_status": PUBLIC,
    "telephony.voice_conference": PUBLIC,
    "telephony.sms_incoming": PUBLIC,
    "telephony.consult_connect": PUBLIC,
    "auth.logout": ALL_ROLES,
    "auth.change_password": ALL_ROLES,
    "home.index": ALL_ROLES,
    "auth.users": {"admin"},
    "auth.new_user": {"admin"},
    "auth.edit_user": {"admin"},
    "auth.reset_password": {"admin"},
    "intake.console_page": {"operator", "admin"},
    "intake.queue_json": {"operator", "admin"},
    "intake.search": {"operator", "admin"},
    "intake.new_contact": {"operator", "admin"},
    "intake.contact": {"operator", "admin"},
    "intake.triage": {"operator", "admin"},
    "intake.close": {"operator", "admin"},
    "intake.callback": {"operator", "admin"},
    "intake.refer": {"operator", "admin"},
    "intake.dispute": {"operator", "admin"},
    "intake.put_through": {"operator", "admin"},
    "intake.on_duty": {"operator", "admin"},
    "intake.reveal": {"operator", "admin"},
    "intake.escalations": {"operator", "admin"},
    "intake.followups": {"operator", "admin"},
    "intake.follow_up_call": {"operator", "admin"},
    "intake.close_escalation": {"operator", "admin"},  # and only supervisors among operators: test_console
    "duty.periods": {"admin"},
    "duty.period": {"admin"},
    "duty.solve": {"admin"},
    "duty.publish": {"admin"},
    "duty.delete_period": {"admin"},
    "duty.unpin": {"admin"},
    # Consultations; a signed-in user sees only their own requests and bookings (tests/consult).
    "consult.index": {"liaison"},
    "consult.new_request": {"liaison"},
    "consult.request_page": {"liaison", "admin"},
    "consult.book": {"liaison"},
    "consult.withdraw": {"liaison"},
    "consult.attachment": {"liaison", "lawyer", "admin"},
    "consult.booking_page": {"liaison", "lawyer", "admin"},
    "consult.cancel": {"liaison", "admin"},
    "consult.reschedule": {"liaison", "admin"},
    "consult.outcome": {"lawyer", "admin"},
    "consult.rating": {"liaison"},
    "consult.video_token": {"liaison", "lawyer"},
    "consult.call": {"lawyer", "admin"},
    "consult.lawyer_bookings": {"lawyer"},
    "consult.project_history": {"liaison", "lawyer", "admin"},
    "consult.feed_token": {"liaison"},
    "consult.feed": PUBLIC,  # the private token in the address is the key
    "consult.allocation_page": {"admin"},
    "consult.allocation_run": {"admin"},
    "consult.allocation_review": {"admin"},
    "consult.allocation_publish": {"admin"},
    "duty.staffing": {"admin"},
    "duty.staffing_apply": {"admin"},
    "stats.dashboard": {"admin"},
    "stats.export_csv": {"admin"},
    "stats.export_xlsx": {"admin"},
    "stats.report": {"admin"},
    "stats.report_pdf": {"admin"},
    "stats.records": {"admin"},
    "duty.my_duties": {"lawyer"},
    "duty.feed_token": {"lawyer"},
    "duty.feed": PUBLIC,  # the private token in the address is the key (tests/duty)
    "duty.my_requests": {"lawyer"},
    "duty.request_day_off": {"lawyer"},
    "duty.request_absence": {"lawyer"},
    "duty.request_swap": {"lawyer"},
    "duty.decisions": {"admin"},
    "duty.decide": {"admin"},
    "duty.decide_absence": {"admin"},
    "duty.replan": {"admin"},
    "duty.replan_review": {"admin"},
    "duty.seats": {"admin"},
    "duty.weights": {"admin"},
    "duty.holidays": {"admin"},
    "duty.shift_types": {"admin"},
    "registers.index": {"admin"},
    "registers.new": {"admin"},
    "registers.edit": {"admin"},
    "registers.set_active": {"admin"},
    "registers.export": {"admin"},
    "registers.template": {"admin"},
    "registers.import_file": {"admin"},
    "registers.confirm_import": {"admin"},
    # A bureau coordinator follows the dispatch jobs of their part of the ledger (tests/disputes/test_dispatch).
    "jobs.show": {"admin", "bureau"},
    "jobs.state": {"admin", "bureau"},
    "jobs.cancel": {"admin", "bureau"},
    "projects.matching_page": {"admin"},
    "projects.services": {"admin", "lawyer"},
    "projects.record_for_project": {"admin", "lawyer"},
    "projects.service_file": {"admin", "lawyer", "liaison"},
    "projects.run": {"admin"},
    "projects.plan": {"admin"},
    "projects.publish": {"admin"},
    "outbox.index": {"admin"},
    "outbox.resend": {"admin"},
    "servicelog.index": {"admin"},
    "servicelog.verify": {"admin"},
    # The dispute ledger: coordinators (province, city, bureau) and mediators, each in their scope (tests/disputes).
    "disputes.ledger": {"admin", "bureau", "mediator"},
    "disputes.entry": {"admin", "bureau", "mediator"},
    "disputes.step": {"admin", "bureau", "mediator"},
    "disputes.new": {"admin", "bureau"},
    # Part D of #19: dispatch, the deadline board and zero reports (tests/disputes).
    "disputes.dispatch_page": {"admin", "bureau"},
    "disputes.dispatch_run": {"admin", "bureau"},
    "disputes.dispatch_plan": {"admin", "bureau"},
    "disputes.dispatch_publish": {"admin", "bureau"},
    "disputes.board": {"admin", "bureau", "mediator"},
    "disputes.zero_reports_page": {"admin", "bureau"},
    "disputes.file_zero_report": {"bureau"},
    # Part A: mediation sessions with the parties and follow-up visits; in scope only (tests/web/test_dispute_sessions).
    "disputes.schedule_session": {"admin", "bureau", "mediator"},
    "disputes.hold_session": {"admin", "bureau", "mediator"},
    "disputes.cancel_session": {"admin", "bureau", "mediator"},
    "disputes.call_session": {"admin", "bureau", "mediator"},
    "disputes.session_video_token": {"admin", "bureau", "mediator"},
    "disputes.follow_up": {"admin", "bureau", "mediator"},
    "disputes.join": PUBLIC,  # a party's signed one-time token in the address is the key
    "disputes.join_token": PUBLIC,
    "telephony.mediation_join": PUBLIC,  # Twilio's signature, as every webhook
    # The ledger's figures and published reports (#19.7, part B): coordinators of the province, a city or a subtree.
    "disputes.figures": {"admin", "bureau"},
    "disputes.publish": {"admin", "bureau"},
    "disputes.published": {"admin", "bureau"},
}


# Among operators, only supervisors may use these.
SUPERVISOR_ONLY = {"intake.close_escalation"}


def _routes(app):
    """(endpoint, url, method) for every route, with placeholder arguments filled in."""
    routes = []
    for rule in app.url_map.iter_rules():
        values = {}
        for name in rule.arguments:
            from werkzeug.routing import AnyConverter, IntegerConverter

            converter = rule._converters[name]
            values[name] = (1 if isinstance(converter, IntegerConverter)
                            else sorted(converter.items)[0] if isinstance(converter, AnyConverter) else "x")
        if rule.endpoint == "static":
            values["filename"] = "css/app.css"
        method = "GET" if "GET" in rule.methods else "POST"
        url = rule.build(values, append_unknown=False)[1]
        routes.append((rule.endpoint, url, method))
    return routes


def test_every_route_is_in_the_matrix(app):
    """No route escapes the matrix, and each route's declared access matches it."""
    from hotline.auth.access import access_of

    with app.test_request_context():
        for endpoint, _url, _method in _routes(app):
            assert endpoint in EXPECTED, f"{endpoint} is not in the access matrix"
            declared = access_of(endpoint)
            expected = EXPECTED[endpoint]
            assert declared == (PUBLIC if expected == PUBLIC else frozenset(expected)), endpoint


def test_anonymous_is_sent_to_login(app, client):
    """Every non-public page redirects an anonymous visitor to the login page."""
    for endpoint, url, method in _routes(app):
        response = client.open(url, method=method)
        response.close()
        if EXPECTED[endpoint] == PUBLIC:
            assert response.status_code != 302 or "/login" not in response.location, endpoint
        else:
            assert response.status_code == 302, (endpoint, response.status_code)
            assert "/login" in response.location, endpoint


@pytest.mark.parametrize("role", ROLES)
def test_roles_get_403_outside_their_pages(app, as_role, role):
    """Each role is refused (403) on pages not meant for it and let through on its own."""
    client = as_role(role)
    for endpoint, url, method in _routes(app):
        if endpoint == "auth.logout":
            continue  # signing out would end the session this loop relies on; covered in test_auth
        response = client.open(url, method=method)
        response.close()
        expected = EXPECTED[endpoint]
        if expected == PUBLIC:
            # Public views may refuse for their own reasons (webhook signatures), but never send to the login.
            assert not (response.status_code == 302 and "/login" in response.location), (role, endpoint)
        elif role == "operator" and endpoint in SUPERVISOR_ONLY:
            assert response.status_code == 403, (role, endpoint, response.status_code)
        elif role in expected:
            assert response.status_code not in (401, 403), (role, endpoint, response.status_code)
            assert not (response.status_code == 302 and "/login" in response.location), (role, endpoint)
        else:
            assert response.status_code == 403, (role, endpoint, response.status_code)


def test_undeclared_view_is_closed(app, as_role):
    """A view without an access mark is refused to everyone, never open by accident."""
    app.add_url_rule("/forgotten", "forgotten", lambda: "secret")
    assert as_role("admin").get("/forgotten").status_code == 403
    assert app.test_client().get("/forgotten").status_code == 302


def test_supervisors_may_close_escalations(app, as_role):
    """A supervisor (an operator with the flag) passes the supervisor-only pages that other operators may not."""
    client = as_role("supervisor")
    for endpoint, url, method in _routes(app):
        if endpoint in SUPERVISOR_ONLY:
            response = client.open(url, method=method)
            assert response.status_code not in (302, 401, 403), (endpoint, response.status_code)


def test_huge_ids_are_not_found(as_role):
    """An id beyond the database's integer range is a 404, not a database error."""
    assert as_role("admin").get(f"/admin/users/{2**40}").status_code == 404


def test_nul_characters_are_refused(as_role, client):
    """Text with a NUL character is a 400 everywhere (PostgreSQL could not store it)."""
    assert client.post("/login", data={"username": "a\x00b", "password": "x"}).status_code == 400
    assert as_role("operator").get("/contacts?q=%00").status_code == 400
    assert client.post("/api/v1/contacts", data='{"summary": "\\ud800"}', content_type="application/json").status_code == 400
