"""Each role's home page shows that role's next things to do."""
from __future__ import annotations

from datetime import timedelta

from hotline.models.types import utcnow

EN = {"Accept-Language": "en"}


def test_admin_home_counts_what_needs_doing(as_role, make):
    """Open escalations, projects without counsel, draft periods and failed messages are shown."""
    make.risk_flag(flag="suicide")
    make.project()
    counselled = make.project()
    make.counsel(project=counselled)
    make.period(name="December duty")
    make.outbox(status="failed")
    page = as_role("admin").get("/", headers=EN).get_data(as_text=True)
    assert "1 risk escalation is still open." in page
    assert "1 key project has no counsel" in page
    assert "Duty period December duty is a draft" in page
    assert "1 outgoing message failed." in page


def test_operator_home_shows_queue_and_callbacks(as_role, make):
    """Operators see waiting contacts and callbacks due; escalations only for supervisors."""
    now = utcnow()
    make.contact(status="new")
    make.contact(status="callback", callback_due_at=now + timedelta(minutes=20), legal_area="traffic")
    make.risk_flag(flag="group_petition", follow_up_due_at=now + timedelta(hours=2))
    operator = as_role("operator").get("/", headers=EN).get_data(as_text=True)
    assert "Traffic accidents" in operator and "Escalations to close" not in operator
    supervisor = as_role("supervisor").get("/", headers=EN).get_data(as_text=True)
    assert "Escalations to close" in supervisor and "Group petition" in supervisor


def test_lawyer_home_shows_duties_projects_and_bookings(as_role, make, users):
    """A lawyer sees published duties ahead, their projects and their consultations."""
    lawyer = make.lawyer(user_id=users["lawyer"].id)
    future = (utcnow() + timedelta(days=2)).date()
    published = make.period(status="published", starts_on=future, ends_on=future)
    draft = make.period(status="draft", starts_on=future, ends_on=future)
    night = make.shift_type(name_en="Night on-call", code="N1")
    make.duty(lawyer=lawyer, shift=make.shift(period=published, shift_type=night, day=future))
    make.duty(lawyer=lawyer, shift=make.shift(period=draft, day=future, shift_type=make.shift_type(name_en="Draft shift")))
    make.counsel(lawyer=lawyer, project=make.project(name="Changxing Island refinery"))
    make.booking(slot=make.slot(lawyer=lawyer, starts_at=utcnow() + timedelta(days=1)),
                 request=make.counsel_request(project=make.project(name="Port logistics park")))
    page = as_role("lawyer").get("/", headers=EN).get_data(as_text=True)
    assert "Night on-call" in page and "Draft shift" not in page
    assert "Changxing Island refinery" in page and "Port logistics park" in page


def test_unlinked_lawyer_is_told_so(as_role):
    """A lawyer account with no lawyer record is told to ask a coordinator."""
    assert "not linked to a lawyer record" in as_role("lawyer").get("/", headers=EN).get_data(as_text=True)


def test_liaison_sees_only_own_projects_with_counsel(as_role, make, users):
    """A liaison sees their own projects and counsel, never other liaisons' projects."""
    mine = make.project(name="Dalian cold-chain hub", liaisons=[users["liaison"]])
    make.project(name="Someone else's project", liaisons=[make.user("liaison")])
    make.counsel(project=mine, lawyer=make.lawyer(name="Zhang Wei"))
    page = as_role("liaison").get("/", headers=EN).get_data(as_text=True)
    assert "Dalian cold-chain hub" in page and "Zhang Wei" in page
    assert "Someone else" not in page
    assert "Not yet assigned" in page  # the backup is missing


def test_error_pages_are_friendly(app_factory, make):
    """404 and 500 give the house error page, JSON for API clients, and never a stack trace."""
    from hotline.auth.access import signed_in
    from tests.conftest import login

    app = app_factory(PROPAGATE_EXCEPTIONS=False)

    def boom():
        raise RuntimeError("database exploded")

    app.add_url_rule("/boom", "boom", signed_in(boom))
    client = app.test_client()
    login(client, make.user("operator").username)
    page = client.get("/no/such/page", headers=EN)
    assert page.status_code == 404 and "There is no such page" in page.get_data(as_text=True)
    api = client.get("/api/nothing")
    assert api.status_code == 404 and api.get_json()["error"]
    response = client.get("/boom", headers=EN)
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "Something went wrong" in body and "database exploded" not in body


def test_health_check(client):
    """The health endpoint answers without signing in."""
    assert client.get("/healthz").get_json() == {"status": "ok"}
