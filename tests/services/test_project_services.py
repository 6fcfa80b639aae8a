"""FTZ service records per project: a team lawyer records a visit, check-up, review, training or consultation given
elsewhere; each appends one service-log record linked to the project, shows on the project's page, and counts in
the statistics (projects served out of all, hours against expected, priority projects left unserved, services per
lawyer), a booked consultation counting once."""
from __future__ import annotations

import io
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from hotline.extensions import db
from hotline.models import ProjectService, ServiceRecord
from hotline.models.types import PROVINCE_TZ, utcnow
from hotline.services import project_services, project_stats, statistics
from tests.conftest import login

EN = {"Accept-Language": "en"}


def _today() -> date:
    return utcnow().astimezone(PROVINCE_TZ).date()


@pytest.fixture
def team(make):
    """A team lawyer with an account, a lawyer outside the team, and two projects of one city."""
    city = make.city(name_en="Dalian", name_zh="大连")
    member_user = make.user("lawyer", username="wang.counsel")
    member = make.lawyer(ftz_team=True, user_id=member_user.id, name="Wang", city=city)
    outsider_user = make.user("lawyer", username="li.hotline")
    outsider = make.lawyer(ftz_team=False, user_id=outsider_user.id, name="Li", city=city)
    liaison = make.user("liaison", username="zhou.liaison")
    port = make.project(code="LN-001", name="Port logistics", city=city, priority=1, expected_monthly_hours=10,
                        liaisons=[liaison])
    park = make.project(code="LN-002", name="Biomedicine park", city=city, priority=2, expected_monthly_hours=5)
    return {"member": member, "outsider": outsider, "port": port, "park": park, "city": city, "liaison": liaison}


def test_a_recorded_service_is_one_service_log_record_linked_to_the_project(app, make, team):
    with app.app_context():
        project = db.session.get(type(team["port"]), team["port"].id)
        lawyer = db.session.get(type(team["member"]), team["member"].id)
        data = project_services.ServiceInput("legal_checkup", _today() - timedelta(days=1), "2.5", "法治体检：合同管理")
        service = project_services.record(db.session, project, lawyer, data, None, utcnow(), _today())
        db.session.commit()
        record = db.session.get(ServiceRecord, service.service_record_id)
        assert (record.kind, record.project_id, record.provider_lawyer_id) == ("legal_checkup", project.id, lawyer.id)
        assert (record.ended_at - record.started_at) == timedelta(hours=2.5) and record.outcome == "法治体检：合同管理"
        for bad, code in ((data.__class__("visit", data.day, "1", "x"), "bad_kind"),
                          (data.__class__("training", _today() + timedelta(days=1), "1", "x"), "bad_day"),
                          (data.__class__("training", data.day, "30", "x"), "bad_hours"),
                          (data.__class__("training", data.day, "abc", "x"), "bad_hours"),
                          (data.__class__("training", data.day, "1", "  "), "no_notes")):
            with pytest.raises(project_services.ProjectServiceError) as refused:
                project_services.record(db.session, project, lawyer, bad, None, utcnow(), _today())
            assert str(refused.value) == code
            db.session.rollback()
        outsider = db.session.get(type(team["outsider"]), team["outsider"].id)
        with pytest.raises(project_services.ProjectServiceError):
            project_services.record(db.session, project, outsider, data, None, utcnow(), _today())
        db.session.rollback()
        assert db.session.scalar(select(func.count(ServiceRecord.id))) == 1


def test_a_team_lawyer_records_by_project_code_with_a_file_and_the_liaison_sees_it(app, make, team):
    lawyer = app.test_client()
    assert login(lawyer, "wang.counsel").status_code == 302
    assert "FTZ services" in lawyer.get("/", headers=EN).get_data(as_text=True)
    form = {"project_code": "ln-001", "kind": "contract_review", "day": _today().isoformat(), "hours": "1.5",
            "notes": "Reviewed the EPC contract", "files": (io.BytesIO(b"%PDF-1.4 review"), "review.pdf")}
    response = lawyer.post("/ftz/services", data=form, content_type="multipart/form-data", headers=EN)
    assert response.status_code == 302
    service = make.scalars(select(ProjectService))[0]
    assert (service.project_id, service.lawyer_id, float(service.hours)) == (team["port"].id, team["member"].id, 1.5)
    unknown = lawyer.post("/ftz/services", data=form | {"project_code": "LN-404", "files": (io.BytesIO(b""), "")},
                          content_type="multipart/form-data", headers=EN)
    assert unknown.status_code == 400 and "No active key project" in unknown.get_data(as_text=True)
    liaison = app.test_client()
    assert login(liaison, "zhou.liaison").status_code == 302
    page = liaison.get(f"/consult/projects/{team['port'].id}", headers=EN).get_data(as_text=True)
    assert "Reviewed the EPC contract" in page and "Contract review" in page and "review.pdf" in page
    file_id = make.scalar(select(func.min(ProjectService.id)))
    from hotline.models import ProjectServiceFile
    file_row = make.scalars(select(ProjectServiceFile))[0]
    download = liaison.get(f"/ftz/service-files/{file_row.id}")
    body = download.data
    download.close()
    assert download.status_code == 200 and body.startswith(b"%PDF") and file_id
    assert make.scalar(select(func.count(ServiceRecord.id))) == 1


def test_a_lawyer_outside_the_team_cannot_record_and_a_coordinator_records_for_one(app, make, team, users):
    outsider = app.test_client()
    assert login(outsider, "li.hotline").status_code == 302
    form = {"project_code": "LN-001", "kind": "training", "day": _today().isoformat(), "hours": "2",
            "notes": "Labour law training"}
    refused = outsider.post("/ftz/services", data=form, headers=EN)
    assert refused.status_code == 403 and make.scalar(select(func.count(ProjectService.id))) == 0
    admin = app.test_client()
    assert login(admin, users["admin"].username).status_code == 302
    assert admin.post("/ftz/services", data=form, headers=EN).status_code == 400  # no lawyer chosen
    assert admin.post(f"/ftz/projects/{team['park'].id}/services",
                      data=form | {"lawyer_id": str(team["member"].id)}, headers=EN).status_code == 303
    assert make.scalar(select(ProjectService.project_id)) == team["park"].id


def test_projects_served_count_each_record_once_and_list_the_priority_projects_left_waiting(app, make, team):
    now = datetime.now(timezone.utc)
    booking_record = make.service(kind="video_consult", project_id=team["port"].id, city_id=team["city"].id,
                                  provider_lawyer_id=team["member"].id, now=now - timedelta(days=2))
    make.service(kind="on_site", project_id=team["port"].id, city_id=team["city"].id,
                 provider_lawyer_id=team["member"].id, now=now - timedelta(days=1))
    first = _today() - timedelta(days=30)
    with app.test_request_context():
        found = project_stats.project_figures(db.session, statistics.Filters(first, _today()), _today())
    assert (found.total, found.served, found.services) == (2, 1, 2) and booking_record
    assert [(g.served, g.total) for g in found.by_city] == [(1, 2)]
    assert [p.code for p, _last in found.stale] == ["LN-002"] and found.stale_count == 1
    assert found.per_lawyer[0][1:3] == ("Wang", 2)
    assert found.expected_hours == round(15 * 31 / project_stats.DAYS_A_MONTH, 1)


def test_the_dashboard_and_the_report_show_the_projects_served(app, make, team, users):
    make.service(kind="on_site", project_id=team["port"].id, city_id=team["city"].id,
                 provider_lawyer_id=team["member"].id, now=datetime.now(timezone.utc) - timedelta(days=1))
    admin = app.test_client()
    assert login(admin, users["admin"].username).status_code == 302
    first, last = (_today() - timedelta(days=30)).isoformat(), _today().isoformat()
    dashboard = admin.get(f"/stats/?first={first}&last={last}", headers=EN).get_data(as_text=True)
    assert "1 / 2" in dashboard and "LN-002" in dashboard and "Key projects served" in dashboard
    report = admin.get(f"/stats/report?first={first}&last={last}", headers=EN).get_data(as_text=True)
    assert "服务重点项目1个（共2个）" in report and "served 1 of 2 key projects" in report


def test_counsel_that_no_longer_fits_is_listed_for_the_next_matching(app, make, users):
    """A lawyer leaving the FTZ team in the register keeps the counsel in force, listed for review."""
    from hotline.models import CounselAssignment, Lawyer
    from hotline.services import matching

    lawyer = make.lawyer(ftz_team=True, areas=("company",), name="Counsel Zhao")
    project = make.project(code="LN-100", needs=("company",))
    make._add(CounselAssignment(project_id=project.id, lawyer_id=lawyer.id, role="primary", started_at=utcnow()))
    with app.app_context():
        assert matching.counsel_to_review(db.session) == []
    make.update(Lawyer, lawyer.id, ftz_team=False)
    with app.app_context():
        found = matching.counsel_to_review(db.session)
        assert [(p.code, role, l.name, reason) for p, role, l, reason in found] == [
            ("LN-100", "primary", "Counsel Zhao", "lawyer_left")]
    admin = app.test_client()
    assert login(admin, users["admin"].username).status_code == 302
    page = admin.get("/ftz/matching", headers=EN).get_data(as_text=True)
    assert "Counsel in force that no longer fits" in page and "left the FTZ team" in page
