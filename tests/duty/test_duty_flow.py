"""Duty planning end to end: create a period, solve in the background, review, publish; lawyers see their duties."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from hotline.models import DutyAssignment, DutyPeriod, Job, Lawyer, OutboxMessage, SeatRequirement, Shift
from hotline.models.types import utcnow
from hotline.services import reference, rostering
from tests.conftest import login

EN = {"Accept-Language": "en"}


@pytest.fixture
def province(make, app):
    """Reference data and eight lawyers, one of whom signs in."""
    from hotline.extensions import db

    with app.app_context():
        reference.ensure(db.session)
        db.session.commit()
        db.session.remove()
    user = make.user("lawyer")
    firm_a, firm_b = make.firm(), make.firm()
    lawyers = [make.lawyer(areas=("labour", "marriage_family", "contracts_debts"), languages=("zh", "ko"), firm=firm_a,
                           user_id=user.id, name="Li Na", max_consecutive_days=5, max_minutes_per_month=9000)]
    for n in range(7):
        lawyers.append(make.lawyer(areas=("labour", "marriage_family", "contracts_debts"), languages=("zh", "ko"),
                                   firm=firm_b if n % 2 else firm_a, max_consecutive_days=5,
                                   max_minutes_per_month=9000))
    return {"user": user, "lawyers": lawyers}


def _create(admin, start: date, days: int = 3, shifts=("AM",)):
    return admin.post("/duty/periods", data={"name": "Test period", "starts_on": start.isoformat(),
                                              "ends_on": (start + timedelta(days=days - 1)).isoformat(),
                                              "shift_codes": list(shifts)})


def test_create_solve_review_publish(as_role, make, province, app):
    """The coordinator's whole path; then the lawyer sees the duty and the calendar feed contains it."""
    admin = as_role("admin")
    start = (utcnow() + timedelta(days=7)).date()
    start -= timedelta(days=start.weekday())  # a Monday: weekday seats
    response = _create(admin, start)
    assert response.status_code == 302
    period = make.scalar(select(DutyPeriod))
    assert make.scalar(select(func.count(Shift.id))) == 3
    assert make.scalar(select(func.count(SeatRequirement.id))) == 3 * 4
    response = admin.post(f"/duty/periods/{period.id}/solve", data={"time_limit": 5})
    assert response.status_code == 302 and "/jobs/" in response.location
    job = make.scalar(select(Job))
    assert job.status == "succeeded", job.error
    result = json.loads(job.result_json)
    assert result["status"] in ("OPTIMAL", "FEASIBLE") and result["duties"] >= 12  # every seat filled
    state = admin.get(f"/jobs/{job.id}.json").get_json()
    assert state["status"] == "succeeded" and state["result"]["period_id"] == period.id
    page = admin.get(f"/duty/periods/{period.id}", headers=EN).get_data(as_text=True)
    assert "Li Na" in page and "Publish and notify the lawyers" in page
    assert make.scalar(select(func.count(DutyAssignment.id))) == result["duties"]
    assert admin.post(f"/duty/periods/{period.id}/publish").status_code == 302
    assert make.get(DutyPeriod, period.id).status == "published"
    texts = make.scalars(select(OutboxMessage.body).where(OutboxMessage.purpose == "duty_published"))
    on_roster = make.scalar(select(func.count(func.distinct(DutyAssignment.lawyer_id))))
    assert len(texts) == on_roster and any("Li Na" in text for text in texts)
    assert admin.post(f"/duty/periods/{period.id}/publish").status_code == 303  # already published

    lawyer = app.test_client()
    login(lawyer, province["user"].username)
    duties = lawyer.get("/my/duties", headers=EN).get_data(as_text=True)
    assert "Hotline morning" in duties
    assert lawyer.post("/my/duties/feed", data={"action": "new"}).status_code == 302
    token = make.scalar(select(Lawyer.ical_token).where(Lawyer.user_id == province["user"].id))
    feed = app.test_client().get(f"/calendar/{token}.ics")
    body = feed.get_data(as_text=True)
    mine = make.scalar(select(func.count(DutyAssignment.id)).join(Lawyer).where(Lawyer.user_id == province["user"].id))
    assert feed.mimetype == "text/calendar" and body.count("BEGIN:VEVENT") == mine >= 1 and "DTSTART:" in body
    assert body.startswith("BEGIN:VCALENDAR\r\n") and "热线上午班" in body
    assert lawyer.post("/my/duties/feed", data={"action": "revoke"}).status_code == 302
    assert app.test_client().get(f"/calendar/{token}.ics").status_code == 404


def test_impossible_period_shows_the_explanation(as_role, make, province):
    """When hard rules cannot all hold, the review shows the engine's explanation instead of a roster."""
    admin = as_role("admin")
    start = date(2027, 3, 1)
    _create(admin, start, days=2)
    period = make.scalar(select(DutyPeriod))
    for seat in make.scalars(select(SeatRequirement).where(SeatRequirement.legal_area.is_(None),
                                                            SeatRequirement.language.is_(None))):
        make.update(SeatRequirement, seat.id, seats=20, hard_minimum=20)
    admin.post(f"/duty/periods/{period.id}/solve", data={"time_limit": 5})
    job = make.scalar(select(Job))
    result = json.loads(job.result_json)
    assert result["status"] == "INFEASIBLE" and result["explanation"]
    page = admin.get(f"/duty/periods/{period.id}", headers=EN).get_data(as_text=True)
    assert "No roster can meet every hard rule" in page
    assert make.scalar(select(func.count(DutyAssignment.id))) == 0


def test_bad_period_forms_are_400(as_role, make, province):
    """Reversed dates, overlong periods, no shifts and unknown shift codes are refused."""
    admin = as_role("admin")
    start = date(2027, 3, 1)
    assert admin.post("/duty/periods", data={"name": "x", "starts_on": "2027-03-10", "ends_on": "2027-03-01",
                                             "shift_codes": ["AM"]}).status_code == 400
    assert _create(admin, start, days=90).status_code == 400
    assert admin.post("/duty/periods", data={"name": "x", "starts_on": "2027-03-01", "ends_on": "2027-03-02"}).status_code == 400
    assert _create(admin, start, shifts=("BOGUS",)).status_code == 400
    assert admin.post("/duty/periods", data={"name": "x", "starts_on": "someday", "ends_on": "2027-03-02",
                                             "shift_codes": ["AM"]}).status_code == 400
    assert make.scalar(select(func.count(DutyPeriod.id))) == 0
    assert admin.post("/duty/periods/1/solve", data={"time_limit": 5}).status_code == 404


def test_job_cancel_and_404(as_role, make):
    """A queued job can be cancelled from its page; unknown jobs are 404."""
    job = make.job(status="queued", params_json=json.dumps({"period_id": 1}))
    admin = as_role("admin")
    assert admin.post(f"/jobs/{job.id}/cancel").status_code == 302
    assert make.get(Job, job.id).status == "cancelled"
    assert admin.get("/jobs/99999").status_code == 404


def test_build_problem_maps_limits_and_absences(make, app, province):
    """Lawyers' limits, approved unavailability and day-off requests reach the engine's problem."""
    from hotline.extensions import db
    from hotline.models.types import PROVINCE_TZ

    start = date(2027, 3, 1)
    lawyer = province["lawyers"][1]
    make.unavailability(lawyer=lawyer, starts_at=__import__("datetime").datetime(2027, 3, 2, 9, tzinfo=PROVINCE_TZ),
                        ends_at=__import__("datetime").datetime(2027, 3, 2, 18, tzinfo=PROVINCE_TZ), status="approved")
    make.duty_request(lawyer=province["lawyers"][2], kind="day_off", day=date(2027, 3, 3), status="approved")
    with app.app_context():
        period = rostering.create_period(db.session, rostering.PeriodData("p", start, start + timedelta(days=2), ["AM", "NIGHT"]),
                                         utcnow())
        built = rostering.build_problem(db.session, period)
        db.session.rollback()
    staff = built.problem.staff_index
    assert staff[str(lawyer.id)].days_off == frozenset({1})
    assert staff[str(province["lawyers"][2].id)].days_off == frozenset({2})
    assert staff[str(lawyer.id)].max_consecutive == 5
    assert ("NIGHT", "AM") in built.problem.forbidden_successions()
    assert built.problem.days == 3 and {s.id for s in built.problem.shifts} == {"AM", "NIGHT"}


@pytest.mark.parametrize("impossible", [True, False])
def test_a_solve_that_finds_no_roster_in_time_still_says_why(as_role, make, province, monkeypatch, impossible):
    """When the time runs out before any roster (as with a short limit on a large period), the job still asks
    whether the hard rules can hold: the period page then names the conflicting rules, or says a longer time
    limit is what is needed. Never "succeeded" with an empty page."""
    from hotline.duty import tasks
    from scheduling.roster.solve import RosterResult, SolveStats

    admin = as_role("admin")
    _create(admin, date(2027, 3, 1), days=2)
    period = make.scalar(select(DutyPeriod))
    if impossible:
        for seat in make.scalars(select(SeatRequirement).where(SeatRequirement.legal_area.is_(None),
                                                                SeatRequirement.language.is_(None))):
            make.update(SeatRequirement, seat.id, seats=20, hard_minimum=20)
    monkeypatch.setattr(tasks, "solve", lambda *a, **k: RosterResult(SolveStats("UNKNOWN", None, None, 5.0), None, [], []))
    admin.post(f"/duty/periods/{period.id}/solve", data={"time_limit": 5})
    result = json.loads(make.scalar(select(Job)).result_json)
    page = admin.get(f"/duty/periods/{period.id}", headers=EN).get_data(as_text=True)
    if impossible:
        assert result["explanation"] and result["rules_hold"] is False
        assert "No roster can meet every hard rule" in page
    else:
        assert result["explanation"] == [] and result["rules_hold"] is True
        assert 'data-testid="no-roster"' in page and "Solve again with a longer time limit" in page


def test_each_shift_types_minimum_rest_reaches_the_engine_and_holds(as_role, make, province, app):
    """A night on call (21:00-08:30, 11 hours' rest after it) may not be followed the next day by any shift starting
    before 19:30: the evening (9 hours later) and phone block included, not only the three listed pairs. A roster
    solved for a period where one lawyer must take both keeps the rest."""
    from hotline.extensions import db

    start = date(2027, 3, 1)
    with app.app_context():
        period = rostering.create_period(db.session, rostering.PeriodData(
            "p", start, start + timedelta(days=2), ["AM", "PM", "EVE", "NIGHT", "PHONE"]), utcnow())
        built = rostering.build_problem(db.session, period)
        db.session.rollback()
    forbidden = built.problem.forbidden_successions()
    assert {("NIGHT", code) for code in ("AM", "PM", "EVE", "PHONE")} <= forbidden
    assert ("EVE", "AM") not in forbidden  # no rest rule after an evening
    from scheduling.common import SolverSettings
    from scheduling.roster.solve import solve

    result = solve(built.problem, SolverSettings(time_limit=10, workers=1))
    assert result.roster is not None
    for row in result.roster.values():
        for today, tomorrow in zip(row, row[1:]):
            assert (today, tomorrow) not in forbidden
