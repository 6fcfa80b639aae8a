"""The on-duty lookup: who may take a call now, best first, on both databases."""
from __future__ import annotations

from datetime import timedelta

import pytest

from hotline.extensions import db
from hotline.models import DutyPeriod, Lawyer
from hotline.models.types import utcnow
from hotline.services import duty_lookup


def names(result, on_duty) -> list[str]:
    by_id = {lawyer.id: key for key, lawyer in on_duty["lawyers"].items()}
    return [by_id[item.lawyer_id] for item in result]


def test_seat_first_then_caller_city_then_neighbour_then_anyone_qualified(app, on_duty, make):
    with app.app_context():
        result = duty_lookup.on_duty(db.session, "labour", "zh", utcnow(), on_duty["shenyang"].id)
    assert names(result, on_duty) == ["labour_seat", "same_city", "neighbour", "korean"]
    assert [item.reason for item in result] == ["seat", "city", "neighbour", "qualified"]
    assert result[0].phone == "+8613900000001"


def test_language_and_area_filter_who_is_listed(app, on_duty):
    with app.app_context():
        korean = duty_lookup.on_duty(db.session, "labour", "ko", utcnow(), on_duty["shenyang"].id)
        criminal = duty_lookup.on_duty(db.session, "criminal", "zh", utcnow(), None)
        anything = duty_lookup.on_duty(db.session, None, "zh", utcnow(), None)
    assert names(korean, on_duty) == ["korean"]
    assert names(criminal, on_duty) == ["other_area"]
    assert sorted(names(anything, on_duty)) == sorted(on_duty["lawyers"])
    assert on_duty["off_duty"].id not in [item.lawyer_id for item in anything]


def test_nobody_outside_the_shift_or_when_unpublished_or_inactive(app, on_duty, make):
    shift = on_duty["shift"]
    with app.app_context():
        assert duty_lookup.on_duty(db.session, "labour", "zh", shift.ends_at, None) == []
        assert duty_lookup.on_duty(db.session, "labour", "zh", shift.starts_at - timedelta(seconds=1), None) == []
        assert duty_lookup.anyone_on_duty(db.session, utcnow())
    make.update(Lawyer, on_duty["lawyers"]["labour_seat"].id, active=False)
    with app.app_context():
        result = duty_lookup.on_duty(db.session, "labour", "zh", utcnow(), None)
    assert "labour_seat" not in names(result, on_duty)
    make.update(DutyPeriod, shift.period_id, status="draft")
    with app.app_context():
        assert duty_lookup.on_duty(db.session, "labour", "zh", utcnow(), None) == []
        assert not duty_lookup.anyone_on_duty(db.session, utcnow())


def test_unknown_caller_city_ranks_without_neighbours(app, on_duty):
    with app.app_context():
        result = duty_lookup.on_duty(db.session, "labour", "zh", utcnow(), 999_999)
    assert [item.reason for item in result] == ["seat", "qualified", "qualified", "qualified"]


@pytest.mark.parametrize(("area", "language"), [("labour", "zh"), ("criminal", "zh"), (None, "zh"), ("labour", "ko"),
                                                (None, "ko")])
def test_postgresql_function_returns_the_rows_of_the_query(app, on_duty, dialect, area, language):
    """Migration 0004 copies _on_duty_query() into on_duty_rows(); the two must not drift apart."""
    if dialect != "postgresql":
        pytest.skip("the stored function exists on PostgreSQL only")
    now = utcnow()
    with app.app_context():
        for city_id in (on_duty["shenyang"].id, None):
            params = duty_lookup._at(now) | {"language": language, "area": area, "city_id": city_id}
            direct = db.session.execute(duty_lookup._on_duty_query(area is not None), params).all()
            stored = duty_lookup.on_duty_rows(db.session, area, language, now, city_id)
            assert direct, "the fixture puts someone on duty for every case"
            assert sorted(map(tuple, direct)) == sorted(map(tuple, stored))
