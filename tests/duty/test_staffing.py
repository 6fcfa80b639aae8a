"""Staffing plans: phone calls of past weeks -> forecast per (weekday, hour) -> Erlang C seats per hotline shift,
what then happened, and setting the seats on a draft period."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select

from hotline.extensions import db
from hotline.models import DutyPeriod, SeatRequirement
from hotline.models.types import PROVINCE_TZ, utcnow
from hotline.services import rostering
from hotline.services import staffing as service
from scheduling.staffing import agents_needed
from tests.conftest import login

TWO_WEEKS = service.Targets(weeks=2)


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    """A Beijing wall-clock time."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PROVINCE_TZ)


@pytest.fixture
def monday() -> date:
    """The first day of the period: a Monday three weeks ago, so the whole period is over."""
    today = utcnow().astimezone(PROVINCE_TZ).date() - timedelta(days=21)
    return today - timedelta(days=today.weekday())


@pytest.fixture
def setup(make, monday):
    """A draft week with hotline mornings on Monday to Wednesday and an on-call night, and phone calls before it.

    Two weeks of history: Monday 10:00-11:00 had 6 calls two weeks before and 12 the week before (forecast
    6/3 + 12*2/3 = 10 an hour); Monday 09:00-10:00 had 3 the week before (forecast 2). Six answered calls last 300
    or 900 s (handling time 600 s).
    """
    period = make.period(starts_on=monday, ends_on=monday + timedelta(days=6), status="draft")
    am = make.shift_type(kind="hotline", starts=time(8, 30), ends=time(12, 0), minutes=210)
    night = make.shift_type(kind="oncall", starts=time(21, 0), ends=time(8, 30), minutes=690)
    shifts = {name: make.shift(period=period, shift_type=am, day=monday + timedelta(days=offset))
              for offset, name in enumerate(("mon", "tue", "wed"))}
    shifts["night"] = make.shift(period=period, shift_type=night, day=monday)
    seats = {
        "mon": make.seat(shift=shifts["mon"], seats=2, hard_minimum=1),
        "mon_labour": make.seat(shift=shifts["mon"], seats=1, legal_area="labour"),
        "tue_korean": make.seat(shift=shifts["tue"], seats=1, language="ko"),
        "wed": make.seat(shift=shifts["wed"], seats=3, hard_minimum=3),
        "night": make.seat(shift=shifts["night"], seats=1, hard_minimum=1),
    }
    before, last = monday - timedelta(days=14), monday - timedelta(days=7)
    for n in range(6):
        make.contact(received_at=_at(before, 10, 5 * n))
    for n in range(12):
        answered = n < 6
        make.contact(received_at=_at(last, 10, 4 * n), answered_at=_at(last, 10, 4 * n) if answered else None,
                     duration_seconds=(300 if n % 2 else 900) if answered else None)
    for n in range(3):
        make.contact(received_at=_at(last, 9, 10 * n))
    make.contact(received_at=_at(last + timedelta(days=1), 7, 30))  # Tuesday 07:30 in Beijing, Monday in UTC
    make.contact(received_at=_at(last + timedelta(days=3), 10), answered_at=_at(last + timedelta(days=3), 10),
                 duration_seconds=None)  # answered, but without a duration
    make.contact(received_at=_at(last, 10, 30), channel="walk_in", answered_at=_at(last, 10, 30),
                 duration_seconds=5000)  # not a phone call
    make.contact(received_at=_at(monday - timedelta(days=21), 10), answered_at=_at(monday - timedelta(days=21), 10),
                 duration_seconds=5000)  # three weeks before: outside two weeks of history
    # What then happened on the Monday morning (08:30-12:00): 5 calls, and some outside it.
    for minute in (31, 45, 90, 150, 209):
        make.contact(received_at=_at(monday, 8, 30) + timedelta(minutes=minute - 30))
    make.contact(received_at=_at(monday, 8, 29))
    make.contact(received_at=_at(monday, 12, 0))
    make.contact(received_at=_at(monday, 10), channel="web")
    return {"period": period, "shifts": shifts, "seats": seats, "monday": monday}


def _plan(app, period_id: int, now: datetime, targets=TWO_WEEKS) -> service.Plan:
    with app.app_context():
        period = db.session.get(DutyPeriod, period_id)
        plan = service.plan(db.session, period, targets, now)
        db.session.remove()
        return plan


def _row(plan: service.Plan, shift) -> service.ShiftPlan:
    return next(item for item in plan.shifts if item.shift_id == shift.id)


def test_forecast_counts_and_handling_time(app, setup):
    """Calls are counted per Beijing (weekday, hour), newer weeks weigh more; the handling time is the mean of
    answered phone calls with a duration."""
    plan = _plan(app, setup["period"].id, _at(setup["monday"], 8))
    assert plan.forecast[(0, 10)] == pytest.approx(6 / 3 + 12 * 2 / 3)
    assert plan.forecast[(0, 9)] == pytest.approx(3 * 2 / 3)
    assert plan.forecast[(1, 7)] == pytest.approx(2 / 3) and plan.forecast[(0, 23)] == 0
    assert plan.history_calls == 6 + 12 + 3 + 1 + 1
    assert (plan.answered_calls, plan.aht_seconds, plan.aht_measured) == (6, 600, True)
    assert plan.history_from == setup["monday"] - timedelta(days=14)
    assert plan.history_to == setup["monday"] - timedelta(days=1)


def test_seats_are_erlang_c_for_the_busiest_hour(app, setup):
    """The Monday morning needs what its busiest hour (10 calls an hour of 600 s) needs at 80% in 20 s."""
    plan = _plan(app, setup["period"].id, _at(setup["monday"], 8))
    monday = _row(plan, setup["shifts"]["mon"])
    assert monday.seats_needed == agents_needed(10, 600, 0.8, 20) == 4
    assert agents_needed(2, 600, 0.8, 20) < monday.seats_needed  # the 9 o'clock hour needs fewer
    assert monday.forecast_calls == pytest.approx(2 + 10)  # 08:30-12:00: the 9 and 10 o'clock hours had calls
    assert monday.peak_rate == pytest.approx(10)
    assert (monday.general_seats, monday.hard_minimum) == (2, 1)
    stricter = _plan(app, setup["period"].id, _at(setup["monday"], 8), service.Targets(weeks=2, level=0.95, seconds=10))
    assert _row(stricter, setup["shifts"]["mon"]).seats_needed == agents_needed(10, 600, 0.95, 10) > 4


def test_only_hotline_shifts_are_planned(app, setup):
    """On-call nights are not sized from the queue; a morning without calls needs none but keeps one seat."""
    plan = _plan(app, setup["period"].id, _at(setup["monday"], 8))
    assert {item.shift_id for item in plan.shifts} == {setup["shifts"][k].id for k in ("mon", "tue", "wed")}
    tuesday = _row(plan, setup["shifts"]["tue"])
    assert (tuesday.seats_needed, tuesday.seats_to_set, tuesday.general_seats) == (0, 1, None)


def test_what_then_happened(app, setup):
    """Once a shift is over, the phone calls received during it stand beside the forecast; later ones have none."""
    plan = _plan(app, setup["period"].id, _at(setup["monday"], 13))
    assert _row(plan, setup["shifts"]["mon"]).actual_calls == 5
    assert _row(plan, setup["shifts"]["tue"]).actual_calls is None
    before = _plan(app, setup["period"].id, _at(setup["monday"], 8))
    assert _row(before, setup["shifts"]["mon"]).actual_calls is None


def test_no_answered_calls_uses_the_default_handling_time(app, make, monday):
    """Without answered calls the handling time is the default, and it says so."""
    period = make.period(starts_on=monday, ends_on=monday)
    make.contact(received_at=_at(monday - timedelta(days=7), 10))
    plan = _plan(app, period.id, _at(monday, 8))
    assert (plan.aht_seconds, plan.aht_measured, plan.history_calls, plan.shifts) == (service.DEFAULT_AHT, False, 1, [])


def _seats_of(make, shift) -> list[tuple]:
    return sorted((s.legal_area or "", s.language or "", s.seats, s.hard_minimum)
                  for s in make.scalars(select(SeatRequirement).where(SeatRequirement.shift_id == shift.id)))


def test_apply_sets_the_general_seat_only(app, make, setup):
    """The seat line for any lawyer takes the plan's seats (created if missing, never under the hard minimum);
    area and language lines stay; the on-call night is untouched."""
    with app.app_context():
        period = db.session.get(DutyPeriod, setup["period"].id)
        plan = service.plan(db.session, period, TWO_WEEKS, _at(setup["monday"], 8))
        assert service.apply_seats(db.session, period, plan) == 2  # Monday and Tuesday; Wednesday already 3
        db.session.commit()
        db.session.remove()
    shifts = setup["shifts"]
    assert _seats_of(make, shifts["mon"]) == [("", "", 4, 1), ("labour", "", 1, 0)]
    assert _seats_of(make, shifts["tue"]) == [("", "", 1, 0), ("", "ko", 1, 0)]
    assert _seats_of(make, shifts["wed"]) == [("", "", 3, 3)]
    assert _seats_of(make, shifts["night"]) == [("", "", 1, 1)]


def test_apply_refuses_a_published_period(app, make, setup):
    """A published period's seats stay as they are."""
    make.update(DutyPeriod, setup["period"].id, status="published")
    with app.app_context():
        period = db.session.get(DutyPeriod, setup["period"].id)
        plan = service.plan(db.session, period, TWO_WEEKS, _at(setup["monday"], 8))
        with pytest.raises(rostering.RosteringError, match="not_draft"):
            service.apply_seats(db.session, period, plan)
        db.session.remove()


@pytest.fixture
def admin_en(app, make):
    """A coordinator who reads English."""
    user = make.user("admin", locale="en")
    client = app.test_client()
    assert login(client, user.username).status_code == 302
    return client


def _url(setup, suffix="") -> str:
    return f"/duty/periods/{setup['period'].id}/staffing{suffix}"


def test_staffing_page(admin_en, setup):
    """The page shows the parameters, the measured handling time, and per shift the forecast, the seats needed,
    the seats now and the calls that came."""
    response = admin_en.get(_url(setup, "?weeks=2&level=80&seconds=20"))
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'name="weeks" value="2"' in page and "Staffing plan" in page
    assert "600 s" in page and "from 6 answered calls" in page
    row = re.search(rf'<tr data-shift="{setup["shifts"]["mon"].id}".*?</tr>', page, re.S).group(0)
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
    assert cells[2:] == ["12.0", "10.0", "4", "2", "5"]
    assert f'data-shift="{setup["shifts"]["night"].id}"' not in page
    assert "Set these seats on the period" in page


def test_staffing_page_defaults_and_link(admin_en, setup):
    """Without parameters the page uses eight weeks, 80% and 20 s; the period page links to it."""
    page = admin_en.get(_url(setup)).get_data(as_text=True)
    assert 'name="weeks" value="8"' in page and 'name="level" value="80"' in page and 'name="seconds" value="20"' in page
    assert _url(setup) in admin_en.get(f"/duty/periods/{setup['period'].id}").get_data(as_text=True)


@pytest.mark.parametrize("query", ["weeks=0", "weeks=x", "weeks=53", "level=100", "level=0", "level=80.5",
                                   "seconds=-1", "seconds=601", "seconds=1e9"])
def test_bad_parameters_are_400(admin_en, setup, query):
    """Parameters out of range or not whole numbers are refused with a message."""
    response = admin_en.get(_url(setup, "?" + query))
    assert response.status_code == 400
    assert "must be" in response.get_data(as_text=True)


def test_apply_from_the_page(admin_en, make, setup):
    """One click sets the seats with the parameters shown; bad parameters are refused."""
    response = admin_en.post(_url(setup, "/apply"), data={"weeks": "2", "level": "80", "seconds": "20"})
    assert response.status_code == 302 and "weeks=2" in response.location
    assert _seats_of(make, setup["shifts"]["mon"]) == [("", "", 4, 1), ("labour", "", 1, 0)]
    assert "Seats set on 2 shifts." in admin_en.get(response.location).get_data(as_text=True)
    assert admin_en.post(_url(setup, "/apply"), data={"weeks": "2", "level": "101"}).status_code == 400
    assert _seats_of(make, setup["shifts"]["mon"]) == [("", "", 4, 1), ("labour", "", 1, 0)]


def test_apply_is_refused_for_a_published_period(admin_en, make, setup):
    """A published period keeps its seats, and the coordinator is told why."""
    make.update(DutyPeriod, setup["period"].id, status="published")
    response = admin_en.post(_url(setup, "/apply"), data={"weeks": "2"})
    assert response.status_code == 303
    assert _seats_of(make, setup["shifts"]["mon"]) == [("", "", 2, 1), ("labour", "", 1, 0)]
    page = admin_en.get(response.location).get_data(as_text=True)
    assert "Only a draft period can be changed." in page and "Set these seats on the period" not in page


def test_unknown_period_is_404(admin_en):
    """No such period."""
    assert admin_en.get("/duty/periods/999999/staffing").status_code == 404
    assert admin_en.post("/duty/periods/999999/staffing/apply").status_code == 404


@pytest.mark.parametrize("role", ["operator", "lawyer", "liaison"])
def test_only_coordinators(as_role, setup, role):
    """Other roles may neither see nor apply a staffing plan."""
    client = as_role(role)
    assert client.get(_url(setup)).status_code == 403
    assert client.post(_url(setup, "/apply"), data={"weeks": "2"}).status_code == 403
