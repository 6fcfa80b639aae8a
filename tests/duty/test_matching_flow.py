"""FTZ matching end to end: run in the background, review against current counsel, publish; liaisons see it."""
from __future__ import annotations

import json

import pytest
from sqlalchemy import func, select

from hotline.models import CounselAssignment, Job, Lawyer, MatchPlan, MatchPlanItem
from tests.conftest import login

EN = {"Accept-Language": "en"}


@pytest.fixture
def ftz(make, users):
    """Two cities, two firms, five FTZ lawyers, three projects (one needs Japanese, which nobody speaks)."""
    shenyang = make.city(code="shenyang", name_en="Shenyang", latitude=41.8, longitude=123.4)
    dalian = make.city(code="dalian", name_en="Dalian", latitude=38.9, longitude=121.6)
    firm_a, firm_b = make.firm(city=shenyang), make.firm(city=dalian)
    common = {"ftz_team": True, "monthly_hours_available": 100, "max_projects": 10}
    lawyers = [
        make.lawyer(areas=("company", "labour"), languages=("zh", "en"), firm=firm_a, name="Wang Lei", **common),
        make.lawyer(areas=("company", "ip"), languages=("zh", "en"), firm=firm_b, name="Zhao Min", **common),
        make.lawyer(areas=("company",), languages=("zh", "ko"), firm=firm_a, name="Sun Hui", **common),
        make.lawyer(areas=("company", "construction"), languages=("zh", "ko"), firm=firm_b, name="Qian Yu", **common),
        make.lawyer(areas=("company",), languages=("zh",), firm=firm_b, name="Not FTZ", ftz_team=False),
    ]
    projects = [
        make.project(needs=("company",), languages=("zh", "en"), city=shenyang, name="Shenyang robot plant",
                     liaisons=[users["liaison"]]),
        make.project(needs=("company",), languages=("zh", "ko"), city=dalian, name="Dalian cold-chain hub"),
        make.project(needs=("company",), languages=("zh", "ja"), city=dalian, name="Japanese parts plant"),
    ]
    return {"lawyers": lawyers, "projects": projects}


def _run(admin, make) -> MatchPlan:
    assert admin.post("/ftz/matching/run", data={"time_limit": 5}).status_code == 302
    job = make.scalar(select(Job).order_by(Job.id.desc()))
    assert job.status == "succeeded", job.error
    return make.get(MatchPlan, json.loads(job.result_json)["plan_id"])


def test_run_review_publish_and_liaison_sees_counsel(as_role, make, ftz, app, users):
    """The matching covers needs and languages, explains the unmatchable project, and publishes history."""
    admin = as_role("admin")
    plan = _run(admin, make)
    items = {i.project_id: i for i in make.scalars(select(MatchPlanItem).where(MatchPlanItem.plan_id == plan.id))}
    robot, cold_chain, japanese = ftz["projects"]
    wang, zhao, sun, qian, not_ftz = ftz["lawyers"]
    assert {items[robot.id].primary_lawyer_id, items[robot.id].backup_lawyer_id} == {wang.id, zhao.id}
    assert {items[cold_chain.id].primary_lawyer_id, items[cold_chain.id].backup_lawyer_id} == {sun.id, qian.id}
    assert items[japanese.id].primary_lawyer_id is None and "ja" in items[japanese.id].unmatched_reason
    page = admin.get(f"/ftz/plans/{plan.id}", headers=EN).get_data(as_text=True)
    assert "Japanese parts plant" in page and "<svg" in page and "Publish this plan" in page
    assert admin.post(f"/ftz/plans/{plan.id}/publish").status_code == 302
    assert make.scalar(select(func.count(CounselAssignment.id))) == 4
    assert admin.post(f"/ftz/plans/{plan.id}/publish").status_code == 303
    liaison = app.test_client()
    login(liaison, users["liaison"].username)
    home = liaison.get("/", headers=EN).get_data(as_text=True)
    assert "Shenyang robot plant" in home and ("Wang Lei" in home and "Zhao Min" in home)
    assert not_ftz.name not in home


def test_rematch_after_a_lawyer_leaves_changes_only_their_projects(as_role, make, ftz):
    """When a lawyer leaves, the next plan replaces only that lawyer's roles; the old counsel stays as history."""
    admin = as_role("admin")
    first = _run(admin, make)
    admin.post(f"/ftz/plans/{first.id}/publish")
    robot, cold_chain, _ = ftz["projects"]
    leaving = make.scalar(select(CounselAssignment.lawyer_id).where(CounselAssignment.project_id == cold_chain.id,
                                                                     CounselAssignment.role == "primary"))
    make.update(Lawyer, leaving, active=False)
    make.lawyer(areas=("company",), languages=("zh", "ko"), firm=make.firm(), name="New Korean speaker",
                ftz_team=True, monthly_hours_available=100, max_projects=10)
    second = _run(admin, make)
    admin.post(f"/ftz/plans/{second.id}/publish")
    current = make.scalars(select(CounselAssignment).where(CounselAssignment.ended_at.is_(None)))
    ended = make.scalars(select(CounselAssignment).where(CounselAssignment.ended_at.is_not(None)))
    assert [(a.project_id, a.lawyer_id) for a in ended] == [(cold_chain.id, leaving)]
    assert leaving not in {a.lawyer_id for a in current}
    assert make.get(MatchPlan, first.id).status == "published"


def test_bad_run_and_unknown_plan(as_role):
    """A bad time limit is refused; an unknown plan is 404."""
    admin = as_role("admin")
    assert admin.post("/ftz/matching/run", data={"time_limit": "soon"}).status_code == 303
    assert admin.post("/ftz/matching/run", data={"time_limit": 9999}).status_code == 303
    assert admin.get("/ftz/plans/999").status_code == 404
    assert admin.post("/ftz/plans/999/publish").status_code == 404


@pytest.mark.parametrize("change", [{"ftz_team": False}, {"active": False}])
def test_a_plan_naming_a_lawyer_who_left_is_shown_and_cannot_be_published(as_role, make, ftz, change):
    """A draft plan reviewed after one of its lawyers left the team (or was deactivated) shows the page, marks that
    lawyer, offers no publish button, and publishing anyway is refused with nothing changed."""
    admin = as_role("admin")
    plan = _run(admin, make)
    wang = ftz["lawyers"][0]
    make.update(Lawyer, wang.id, **change)
    page = admin.get(f"/ftz/plans/{plan.id}", headers=EN)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-testid="departed"' in text and "Publish this plan" not in text
    assert "Wang Lei" in text and "left the FTZ team" in text
    refused = admin.post(f"/ftz/plans/{plan.id}/publish", headers=EN, follow_redirects=True)
    assert "run the matching again" in refused.get_data(as_text=True)
    assert make.scalar(select(func.count(CounselAssignment.id))) == 0
    assert make.get(MatchPlan, plan.id).status == "draft"
