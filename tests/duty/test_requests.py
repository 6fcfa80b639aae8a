"""Lawyers' requests: days off, absences, swaps checked against the rules, and the coordinator's decisions."""
from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from hotline.models import DutyAssignment, DutyRequest, OutboxMessage, Shift, Unavailability
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
    """An approved absence takes the duty off the roster at once; the period shows the pending re-plan, which fills
    the empty seat changing nothing else, and applying it ends the pending state."""
    import json

    from hotline.models import DutyPeriod, Job

    first = published["start"]
    for shift_id in {d.shift_id for d in published["mine"] + published["theirs"]}:
        make.seat(shift=make.get(Shift, shift_id), seats=1, hard_minimum=0)
    spare = make.lawyer(areas=("labour",), name="Spare", max_consecutive_days=3, max_minutes_per_month=9000)
    absence = make.unavailability(lawyer=published["me"], status="requested",
                                  starts_at=datetime(first.year, first.month, first.day, tzinfo=PROVINCE_TZ),
                                  ends_at=datetime(first.year, first.month, first.day, tzinfo=PROVINCE_TZ) + timedelta(days=1))
    admin = as_role("admin")
    page = admin.post(f"/duty/absences/{absence.id}/decide", data={"decision": "approve"}, headers=EN)
    assert 'data-testid="effect"' in page.get_data(as_text=True)
    after_approval = {(d.shift_id, d.lawyer_id) for d in make.scalars(select(DutyAssignment))}
    assert (published["mine"][0].shift_id, published["me"].id) not in after_approval
    period_page = admin.get(f"/duty/periods/{published['period'].id}", headers=EN).get_data(as_text=True)
    assert 'data-testid="replan-needed"' in period_page
    response = admin.post(f"/duty/periods/{published['period'].id}/replan")
    assert response.status_code == 302
    job = make.scalar(select(Job).where(Job.kind == "roster_replan"))
    assert job.status == "succeeded", job.error
    changes = json.loads(job.result_json)["changes"]
    assert [(c["day"], c["before"], c["after"]) for c in changes] == [(0, "", "AM")]
    filler = changes[0]["lawyer_id"]
    assert filler in (spare.id, published["colleague"].id)
    review = admin.get(f"/duty/periods/{published['period'].id}/replan/{job.id}", headers=EN).get_data(as_text=True)
    assert "Duties that change" in review
    assert admin.post(f"/duty/periods/{published['period'].id}/replan/{job.id}").status_code == 302
    after = {(d.shift_id, d.lawyer_id) for d in make.scalars(select(DutyAssignment))}
    assert after == after_approval | {(published["mine"][0].shift_id, filler)}
    assert make.get(DutyPeriod, published["period"].id).replan_needed_at is None
    assert 'data-testid="replan-needed"' not in admin.get(f"/duty/periods/{published['period'].id}").get_data(as_text=True)

def test_a_day_off_on_a_published_duty_is_shown_then_takes_effect(as_role, make, published):
    """Before approving, the coordinator sees the duty the day off would take (pinned or not); approving takes it off
    the roster and out of "My duties", closes a pending swap of it (kept, with the reason), and the period waits
    for a re-plan."""
    from hotline.models import DutyPeriod

    mine = published["mine"][1]
    make.update(DutyAssignment, mine.id, pinned=True)
    swap = make.duty_request(lawyer=published["me"], kind="swap", day=published["start"] + timedelta(days=1),
                             period_id=published["period"].id, assignment_id=mine.id,
                             colleague_id=published["colleague"].id,
                             colleague_assignment_id=published["theirs"][0].id)
    day_off = make.duty_request(lawyer=published["me"], kind="day_off", day=published["start"] + timedelta(days=1))
    admin = as_role("admin")
    listed = admin.get("/duty/requests", headers=EN).get_data(as_text=True)
    assert "Approving takes these off the roster" in listed and "pinned" in listed
    page = admin.post(f"/duty/requests/{day_off.id}/decide", data={"decision": "approve"}, headers=EN)
    assert page.status_code == 200 and 'data-testid="effect"' in page.get_data(as_text=True)
    assert make.get(DutyAssignment, mine.id) is None
    kept = make.get(DutyRequest, swap.id)
    assert kept.status == "rejected" and "an absence was approved" in kept.decision_note and kept.assignment_id is None
    assert make.get(DutyPeriod, published["period"].id).replan_needed_at is not None
    my_duties = as_role("lawyer").get("/my/duties", headers=EN).get_data(as_text=True)
    day = (published["start"] + timedelta(days=1)).strftime("%m-%d")
    assert f'<td class="has-duty"><div class="muted">{day}</div>' not in my_duties
    assert f'<td class="has-duty"><div class="muted">{published["start"]:%m-%d}</div>' in my_duties


def test_pins_are_shown_and_can_be_lifted(as_role, make, published):
    """The period page lists pinned duties; unpinning one lets the engine move it; another period's duty is 404."""
    pinned = published["theirs"][0]
    make.update(DutyAssignment, pinned.id, pinned=True)
    admin = as_role("admin")
    page = admin.get(f"/duty/periods/{published['period'].id}", headers=EN).get_data(as_text=True)
    assert "Colleague" in page.split('data-testid="pins"')[1].split("</section>")[0]
    assert admin.post(f"/duty/periods/{published['period'].id}/pins/{pinned.id}/unpin").status_code == 302
    assert make.get(DutyAssignment, pinned.id).pinned is False
    other = make.period(starts_on=published["start"] + timedelta(days=40), ends_on=published["start"] + timedelta(days=41))
    assert admin.post(f"/duty/periods/{other.id}/pins/{pinned.id}/unpin").status_code == 404


def test_periods_never_overlap_and_a_draft_can_be_deleted(as_role, make, published):
    """A new period sharing a day with another is refused, naming it; a draft is deleted with its shifts; a
    published period cannot be deleted."""
    from hotline.models import DutyPeriod, ShiftType

    make.shift_type(code="PM", name_en="Hotline afternoon", minutes=180)
    assert make.scalar(select(ShiftType).where(ShiftType.code == "PM")) is not None
    admin = as_role("admin")
    start = published["start"]
    clash = admin.post("/duty/periods", data={"name": "Clash", "starts_on": (start + timedelta(days=6)).isoformat(),
                                              "ends_on": (start + timedelta(days=9)).isoformat(),
                                              "shift_codes": ["PM"]}, headers=EN)
    assert clash.status_code == 400 and "overlap" in clash.get_data(as_text=True)
    fine = admin.post("/duty/periods", data={"name": "Next", "starts_on": (start + timedelta(days=7)).isoformat(),
                                             "ends_on": (start + timedelta(days=9)).isoformat(), "shift_codes": ["PM"]})
    assert fine.status_code == 302
    draft = make.scalar(select(DutyPeriod).where(DutyPeriod.name == "Next"))
    assert admin.post(f"/duty/periods/{draft.id}/delete").status_code == 302
    assert make.get(DutyPeriod, draft.id) is None
    assert admin.post(f"/duty/periods/{published['period'].id}/delete").status_code == 303
    assert make.get(DutyPeriod, published["period"].id) is not None
