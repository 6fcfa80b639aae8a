"""Lawyers' requests: days off, absences, swaps checked against the rules, and the coordinator's decisions."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from hotline.models import DutyAssignment, DutyRequest, OutboxMessage, Unavailability
from hotline.models.types import PROVINCE_TZ, utcnow

EN = {"Accept-Language": "en"}


@pytest.fixture
def published(make, users):
    """A published week: two lawyers, each with morning duties; one of them signs in."""
    start = (utcnow() + timedelta(days=10)).date()
    period = make.period(status="published", starts_on=start, ends_on=start + timedelta(days=6))
    morning = make.shift_type(code="AM", name_en="Hotline morning", minutes=210)
    shifts = [make.shift(period=period, shift_type=morning, day=start + timedelta(days=d)) for d in range(7)]
    me = make.lawyer(areas=("labour",), user_id=users["lawyer"].id, name="Me", max_consecutive_days=3,
                     max_minutes_per_month=9000)
    colleague = make.lawyer(areas=("labour",), name="Colleague", max_consecutive_days=3, max_minutes_per_month=9000)
    mine = [make.duty(shift=shifts[d], lawyer=me) for d in (0, 1, 2, 5)]
    theirs = [make.duty(shift=shifts[d], lawyer=colleague) for d in (3, 4, 6)]
    return {"period": period, "me": me, "colleague": colleague, "mine": mine, "theirs": theirs, "start": start}


def test_fine_swap_is_requested_then_approved_and_applied(as_role, make, published):
    """A swap that keeps every rule is filed, approved by a coordinator, applied, and both lawyers are texted."""
    lawyer = as_role("lawyer")
    mine, theirs = published["mine"][2], published["theirs"][2]
    response = lawyer.post("/my/requests/swap", data={"mine": mine.id, "theirs": theirs.id, "reason": "family"}, headers=EN)
    assert response.status_code == 302, response.get_data(as_text=True).split('role="alert">')[-1][:400]
    request = make.scalar(select(DutyRequest))
    assert request.kind == "swap" and request.status == "pending"
    admin = as_role("admin")
    assert "Colleague" in admin.get("/duty/requests", headers=EN).get_data(as_text=True)
    assert admin.post(f"/duty/requests/{request.id}/decide", data={"decision": "approve"}).status_code == 302
    assert make.get(DutyAssignment, mine.id).lawyer_id == published["colleague"].id
    assert make.get(DutyAssignment, theirs.id).lawyer_id == published["me"].id
    assert len(make.scalars(select(OutboxMessage).where(OutboxMessage.purpose == "swap"))) == 2


def test_swap_that_breaks_a_rule_is_refused_with_the_rule_named(as_role, make, published):
    """Giving away day 6 for the colleague's day 4 makes four days in a row, over the maximum of three."""
    lawyer = as_role("lawyer")
    response = lawyer.post("/my/requests/swap", data={"mine": published["mine"][3].id, "theirs": published["theirs"][0].id},
                           headers=EN)
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "Me works at most 3 days in a row" in body
    assert make.scalars(select(DutyRequest)) == []


def test_swap_with_someone_elses_duty_is_refused(as_role, published):
    """A lawyer cannot offer a duty that is not theirs."""
    lawyer = as_role("lawyer")
    response = lawyer.post("/my/requests/swap", data={"mine": published["theirs"][0].id, "theirs": published["mine"][0].id})
    assert response.status_code == 400
    assert lawyer.post("/my/requests/swap", data={"mine": "x", "theirs": 1}).status_code == 400


def test_day_off_and_absence_requests(as_role, make, published):
    """Days off and absences are filed for a coordinator; past dates and reversed ranges are refused."""
    lawyer = as_role("lawyer")
    future = published["start"] + timedelta(days=20)
    assert lawyer.post("/my/requests/day-off", data={"day": future.isoformat(), "reason": "court hearing"}).status_code == 302
    assert lawyer.post("/my/requests/day-off", data={"day": "2020-01-01"}).status_code == 400
    assert lawyer.post("/my/requests/absence", data={"first": future.isoformat(),
                                                      "last": (future - timedelta(days=2)).isoformat()}).status_code == 400
    assert lawyer.post("/my/requests/absence", data={"first": published["start"].isoformat(),
                                                      "last": (published["start"] + timedelta(days=1)).isoformat(),
                                                      "reason": "surgery"}).status_code == 302
    item = make.scalar(select(Unavailability))
    admin = as_role("admin")
    response = admin.post(f"/duty/absences/{item.id}/decide", data={"decision": "approve"}, headers=EN)
    assert response.status_code == 200 and "Re-plan" in response.get_data(as_text=True)
    assert make.get(Unavailability, item.id).status == "approved"
    request = make.scalar(select(DutyRequest))
    assert admin.post(f"/duty/requests/{request.id}/decide", data={"decision": "reject", "note": "short-staffed"}).status_code == 302
    assert make.get(DutyRequest, request.id).status == "rejected"
    assert admin.post(f"/duty/requests/{request.id}/decide", data={"decision": "approve"}).status_code == 400
    my_page = lawyer.get("/my/requests", headers=EN).get_data(as_text=True)
    assert "rejected" in my_page.lower() and "short-staffed" in my_page


def test_replan_after_absence_changes_only_what_must_change(as_role, make, published, app):
    """An approved absence over a published duty is re-planned: that duty moves, nothing else changes."""
    import json

    from hotline.models import Job

    first = published["start"]
    absence = make.unavailability(lawyer=published["me"], status="requested",
                                  starts_at=datetime(first.year, first.month, first.day, tzinfo=PROVINCE_TZ),
                                  ends_at=datetime(first.year, first.month, first.day, tzinfo=PROVINCE_TZ) + timedelta(days=1))
    admin = as_role("admin")
    page = admin.post(f"/duty/absences/{absence.id}/decide", data={"decision": "approve"}, headers=EN)
    assert "Re-plan" in page.get_data(as_text=True)
    before = {(d.shift_id, d.lawyer_id) for d in make.scalars(select(DutyAssignment))}
    response = admin.post(f"/duty/absences/{absence.id}/replan", data={"period_id": published["period"].id})
    assert response.status_code == 302
    job = make.scalar(select(Job).where(Job.kind == "roster_replan"))
    assert job.status == "succeeded", job.error
    changes = json.loads(job.result_json)["changes"]
    assert any(c["lawyer_id"] == published["me"].id and c["day"] == 0 and c["after"] == "" for c in changes)
    review = admin.get(f"/duty/periods/{published['period'].id}/replan/{job.id}", headers=EN).get_data(as_text=True)
    assert "Duties that change" in review
    assert admin.post(f"/duty/periods/{published['period'].id}/replan/{job.id}").status_code == 302
    after = {(d.shift_id, d.lawyer_id) for d in make.scalars(select(DutyAssignment))}
    assert (published["mine"][0].shift_id, published["me"].id) not in after
    assert len(before ^ after) == sum(bool(c["before"]) + bool(c["after"]) for c in changes)
    assert admin.post(f"/duty/periods/{published['period'].id}/replan/{job.id}").status_code == 409
