"""Roster settings: seats per shift, weights, holidays, shift types, lawyers' limits."""
from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from hotline.models import City, DutyPeriod, LawFirm, Lawyer, PublicHoliday, SeatRequirement, Shift, ShiftType
from hotline.services import reference

EN = {"Accept-Language": "en"}


def _period(as_role, app):
    from hotline.extensions import db

    with app.app_context():
        reference.ensure(db.session)
        db.session.commit()
        db.session.remove()
    admin = as_role("admin")
    admin.post("/duty/periods", data={"name": "March", "starts_on": "2027-03-01", "ends_on": "2027-03-07",
                                      "shift_codes": ["AM", "NIGHT"]})
    return admin


def test_set_seats_on_weekends_only(as_role, app, make):
    """Seats set for weekend mornings replace those shifts' seats and leave weekdays alone."""
    admin = _period(as_role, app)
    period = make.scalar(select(DutyPeriod))
    city = make.scalar(select(ShiftType.id).where(ShiftType.code == "AM"))
    response = admin.post(f"/duty/periods/{period.id}/seats", data={
        "shift": "AM", "days": "weekend", "seats-0": "3", "hard-0": "2", "seats-1": "1", "language-1": "ko"})
    assert response.status_code == 302
    weekend = make.scalars(select(SeatRequirement).join(Shift).where(Shift.day == date(2027, 3, 6),
                                                                      Shift.shift_type_id == city))
    assert sorted((s.seats, s.hard_minimum, s.language) for s in weekend) == [(1, 0, "ko"), (3, 2, None)]
    weekday = make.scalars(select(SeatRequirement).join(Shift).where(Shift.day == date(2027, 3, 1),
                                                                      Shift.shift_type_id == city))
    assert len(weekday) == 4  # the default weekday seats
    assert "Korean" in admin.get(f"/duty/periods/{period.id}/seats", headers=EN).get_data(as_text=True)


def test_bad_seats_are_400(as_role, app, make):
    """Hard minimums over the seats, unknown areas, no lines, bad day kinds are refused."""
    admin = _period(as_role, app)
    period = make.scalar(select(DutyPeriod))
    base = {"shift": "AM", "days": "all"}
    for bad in ({"seats-0": "2", "hard-0": "3"}, {"seats-0": "1", "area-0": "astrology"}, {},
                {"seats-0": "x"}, {"seats-0": "1", "city-0": "9999"}):
        assert admin.post(f"/duty/periods/{period.id}/seats", data=base | bad).status_code == 400, bad
    assert admin.post(f"/duty/periods/{period.id}/seats", data={"shift": "AM", "days": "someday", "seats-0": "1"}).status_code == 400


def test_weights_are_saved_on_period_and_seats(as_role, app, make):
    """Weights go to the period and the seats' under/over weights."""
    admin = _period(as_role, app)
    period = make.scalar(select(DutyPeriod))
    data = {"under": 500, "over": 1, "fairness_duties": 3, "fairness_unpopular": 4, "request": 7}
    assert admin.post(f"/duty/periods/{period.id}/weights", data=data).status_code == 302
    assert json.loads(make.get(DutyPeriod, period.id).weights_json)["under"] == 500
    assert {s.under_weight for s in make.scalars(select(SeatRequirement))} == {500}
    assert admin.post(f"/duty/periods/{period.id}/weights", data=data | {"under": -1}).status_code == 400


def test_holidays_and_shift_types(as_role, make):
    """Holidays are added and removed; shift types are created and validated."""
    admin = as_role("admin")
    assert admin.post("/duty/holidays", data={"day": "2027-10-01", "name_en": "National Day", "name_zh": "国庆节"}).status_code == 302
    assert make.get(PublicHoliday, date(2027, 10, 1)).name_zh == "国庆节"
    assert admin.post("/duty/holidays", data={"day": "never"}).status_code == 400
    assert admin.post("/duty/holidays", data={"delete": "2027-10-01"}).status_code == 302
    assert make.get(PublicHoliday, date(2027, 10, 1)) is None
    data = {"code": "LATE", "kind": "hotline", "name_en": "Late", "name_zh": "晚间", "starts": "19:00", "ends": "22:00",
            "minutes": "180", "active": "y"}
    assert admin.post("/duty/shift-types", data=data).status_code == 302
    assert make.scalar(select(ShiftType.minutes).where(ShiftType.code == "LATE")) == 180
    assert admin.post("/duty/shift-types", data=data | {"starts": "7pm"}).status_code == 400
    assert admin.post("/duty/shift-types", data=data | {"kind": "party"}).status_code == 400


def test_lawyer_limits_and_account_link(as_role, make, users):
    """A coordinator edits a lawyer's limits and links their sign-in account in the register; bad values are
    refused."""
    lawyer = make.lawyer()
    admin = as_role("admin")
    data = {"licence_no": lawyer.licence_no, "name": lawyer.name, "phone": "13800138000",
            "firm": make.get(LawFirm, lawyer.firm_id).name, "city": make.get(City, lawyer.city_id).code,
            "areas": "labour:2", "max_duties": 6, "min_hours": 0, "max_hours": 30, "max_consecutive": 2,
            "min_days_off": 1, "max_weekends": 1, "monthly_hours": 80, "max_projects": 30,
            "account": users["lawyer"].username, "active": "y", "ftz_team": "y", "on_duty_roster": "y"}
    assert admin.post(f"/admin/lawyers/{lawyer.id}", data=data).status_code == 302
    stored = make.get(Lawyer, lawyer.id)
    assert stored.max_consecutive_days == 2 and stored.user_id == users["lawyer"].id and stored.ftz_team
    assert stored.max_minutes_per_month == 1800
    assert admin.post(f"/admin/lawyers/{lawyer.id}", data=data | {"max_consecutive": 0}).status_code == 400
    assert admin.post(f"/admin/lawyers/{lawyer.id}", data=data | {"account": users["liaison"].username}).status_code == 400
    assert admin.post(f"/admin/lawyers/{lawyer.id}", data=data | {"min_hours": 100}).status_code == 400
    assert stored.name in admin.get("/admin/lawyers?q=" + stored.name[:4], headers=EN).get_data(as_text=True)


def test_city_seats_are_filled_from_that_city(as_role, app, make):
    """A seat kept for one city is filled by a lawyer of that city (hard minimum), the engine respecting it."""
    from hotline.extensions import db
    from hotline.models import City, DutyAssignment, Job
    from hotline.services import reference

    with app.app_context():
        reference.ensure(db.session)
        db.session.commit()
        db.session.remove()
    dandong = make.scalar(select(City).where(City.code == "dandong"))
    shenyang = make.scalar(select(City).where(City.code == "shenyang"))
    local = make.lawyer(areas=("labour",), city=dandong, max_minutes_per_month=9000, name="Dandong lawyer")
    for _ in range(3):
        make.lawyer(areas=("labour",), city=shenyang, max_minutes_per_month=9000)
    admin = as_role("admin")
    admin.post("/duty/periods", data={"name": "City", "starts_on": "2027-03-01", "ends_on": "2027-03-02",
                                      "shift_codes": ["AM"]})
    period = make.scalar(select(DutyPeriod))
    admin.post(f"/duty/periods/{period.id}/seats", data={"shift": "AM", "days": "all", "seats-0": "2", "hard-0": "2",
                                                          "seats-1": "1", "hard-1": "1", "city-1": str(dandong.id)})
    admin.post(f"/duty/periods/{period.id}/solve", data={"time_limit": 5})
    assert make.scalar(select(Job.status)) == "succeeded"
    duties = make.scalars(select(DutyAssignment.lawyer_id))
    assert duties.count(local.id) == 2  # on both days, though Shenyang has more lawyers
