"""The dashboard's figures are exactly what counting the records one by one gives, for every filter: a faster query
that drops a record at a boundary, counts a flag twice, misses a rating or ranks the waits differently fails here."""
from __future__ import annotations

import math
import random
from collections import Counter
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from hotline.extensions import db
from hotline.models import Contact, FollowUp, RiskFlag, ServiceRecord
from hotline.models.types import PROVINCE_TZ
from hotline.services import statistics

PERIOD = statistics.Filters(date(2026, 10, 1), date(2026, 10, 10))
MICROSECOND = timedelta(microseconds=1)


def _moments(rng: random.Random, count: int) -> list[datetime]:
    """Times around the period: its first and last microseconds, the ones just outside, and others either side."""
    edges = [PERIOD.start, PERIOD.start - MICROSECOND, PERIOD.end - MICROSECOND, PERIOD.end]
    spread = (PERIOD.end - PERIOD.start) + timedelta(days=4)
    return edges + [PERIOD.start - timedelta(days=2) + timedelta(seconds=rng.randrange(int(spread.total_seconds())))
                    for _ in range(count - len(edges))]


@pytest.fixture
def province(app, make):
    """A seeded mix of contacts, flags, services and follow-ups in two cities, in and around the period; services
    are logged out of time order, so record ids do not follow their start times."""
    rng = random.Random(19)
    cities = [make.city(), make.city()]
    lawyers = [make.lawyer(city=cities[0]), make.lawyer(city=cities[1]), make.lawyer(city=cities[0])]
    for received in _moments(rng, 90):
        phone = rng.random() < 0.8
        answered = phone and rng.random() < 0.7
        dispute = rng.random() < 0.4
        due = received + timedelta(hours=4) if not answered and rng.random() < 0.8 else None
        contact = make.contact(
            received_at=received, channel="phone" if phone else rng.choice(("web", "walk_in")),
            city_id=rng.choice(cities).id, legal_area=rng.choice(("labour", "traffic")),
            lawyer_id=rng.choice([None, *(lawyer.id for lawyer in lawyers)]),
            answered_at=received + timedelta(seconds=30) if answered else None,
            # waits tie often (nearest rank must pick the right one); an answered call may lack its wait, and an
            # unanswered one may carry a ring time that is not a wait
            wait_seconds=rng.choice((None, 0, 3, 3, 7, 12, 12, 12, 40)) if answered or rng.random() < 0.2 else None,
            callback_due_at=due,
            callback_done_at=due + timedelta(hours=rng.choice((-2, 0, 3))) if due and rng.random() < 0.7 else None,
            is_dispute=dispute, dispute_outcome=rng.choice((None, "success", "failed", "pending")) if dispute else None)
        for flag in rng.sample(statistics.PREVENTED_TYPES, rng.choice((0, 0, 0, 1, 2))):
            make.risk_flag(contact=contact, flag=flag, prevented=rng.random() < 0.7)
    for started in sorted(_moments(rng, 40), key=lambda _moment: rng.random()):
        record = make.service(kind=rng.choice(("hotline", "callback", "phone_consult")), started_at=started,
                              ended_at=started + timedelta(minutes=10), city_id=rng.choice(cities).id,
                              legal_area=rng.choice(("labour", "traffic")), channel=rng.choice(("phone", "web")),
                              provider_lawyer_id=rng.choice([None, *(lawyer.id for lawyer in lawyers)]))
        if rng.random() < 0.7:
            status = rng.choice(("answered", "called_back", "sent", "expired"))
            make.follow_up(record=record, status=status, score=rng.choice((None, 1, 3, 4, 5)))
    return {"cities": cities, "lawyers": lawyers}


def _in_period(moment: datetime, filters: statistics.Filters) -> bool:
    return filters.start <= moment < filters.end


def _expected(make, filters: statistics.Filters) -> dict:
    """Every figure counted record by record, straight from the definitions."""
    contacts = [c for c in make.scalars(select(Contact)) if _in_period(c.received_at, filters)
                and all(value is None or getattr(c, name) == value for name, value in (
                    ("city_id", filters.city_id), ("legal_area", filters.legal_area), ("channel", filters.channel),
                    ("lawyer_id", filters.lawyer_id)))]
    ids = {c.id for c in contacts}
    waits = sorted(c.wait_seconds for c in contacts if c.answered_at is not None and c.wait_seconds is not None)
    flags = Counter(f.flag for f in make.scalars(select(RiskFlag))
                    if f.prevented and f.contact_id in ids and f.flag in statistics.PREVENTED_TYPES)
    records = [r for r in make.scalars(select(ServiceRecord)) if _in_period(r.started_at, filters)
               and all(value is None or getattr(r, name) == value for name, value in (
                   ("city_id", filters.city_id), ("legal_area", filters.legal_area), ("channel", filters.channel),
                   ("provider_lawyer_id", filters.lawyer_id)))]
    in_scope = {r.id for r in records}
    scores = [f.score for f in make.scalars(select(FollowUp)) if f.service_record_id in in_scope
              and f.status in statistics.RATED and f.score is not None]
    per_lawyer = Counter(r.provider_lawyer_id for r in records if r.provider_lawyer_id is not None)
    days = Counter(c.received_at.astimezone(PROVINCE_TZ).date() for c in contacts)
    return {
        "contacts": len(contacts),
        "phone_calls": sum(c.channel == "phone" for c in contacts),
        "answered": sum(c.channel == "phone" and c.answered_at is not None for c in contacts),
        "callbacks_due": sum(c.callback_due_at is not None for c in contacts),
        "callbacks_on_time": sum(c.callback_done_at is not None and c.callback_due_at is not None
                                 and c.callback_done_at <= c.callback_due_at for c in contacts),
        "disputes": sum(c.is_dispute for c in contacts),
        "mediated": sum(c.dispute_outcome in ("success", "failed") for c in contacts),
        "mediated_successfully": sum(c.dispute_outcome == "success" for c in contacts),
        "average_wait": sum(waits) / len(waits) if waits else None,
        "p90_wait": waits[math.ceil(0.9 * len(waits)) - 1] if waits else None,
        "per_day": [(day, days[day]) for day in filters.days()],
        "prevented": {flag: flags[flag] for flag in statistics.PREVENTED_TYPES},
        "services": dict(Counter(r.kind for r in records)),
        "per_lawyer": sorted(per_lawyer.items(), key=lambda item: (-item[1], item[0]))[:20],
        "ratings": len(scores),
        "satisfaction": sum(scores) / len(scores) if scores else None,
    }


def _found(app, filters: statistics.Filters) -> dict:
    with app.app_context():
        found = statistics.figures(db.session, filters)
    return {name: getattr(found, name) for name in (
        "contacts", "phone_calls", "answered", "callbacks_due", "callbacks_on_time", "disputes", "mediated",
        "mediated_successfully", "average_wait", "p90_wait", "per_day", "prevented", "services", "ratings",
        "satisfaction")} | {"per_lawyer": [(lawyer_id, count) for lawyer_id, count in
                                           ((i, c) for i, _name, c in found.per_lawyer)]}


def test_every_figure_equals_a_count_of_the_records_for_every_filter(app, make, province):
    city, lawyer = province["cities"][0], province["lawyers"][0]
    for overrides in ({}, {"city_id": city.id}, {"legal_area": "traffic"}, {"channel": "phone"},
                      {"lawyer_id": lawyer.id}, {"city_id": city.id, "legal_area": "labour"}):
        filters = statistics.Filters(PERIOD.first, PERIOD.last, **overrides)
        expected, found = _expected(make, filters), _found(app, filters)
        assert expected["contacts"] and expected["services"], overrides  # the data covers each filter
        average = found.pop("average_wait"), expected.pop("average_wait")
        assert found == expected, overrides
        assert average[0] == pytest.approx(average[1]), overrides


def test_the_records_at_the_edges_of_the_period_count_once(app, make, province):
    """The first and last microseconds of the period count, the ones either side do not."""
    found = _found(app, PERIOD)
    contacts = [c.received_at for c in make.scalars(select(Contact))]
    assert sum(moment in (PERIOD.start, PERIOD.end - MICROSECOND) for moment in contacts) == 2
    assert found["contacts"] == sum(_in_period(moment, PERIOD) for moment in contacts)
    assert found["per_day"][0][1] == sum(PERIOD.start <= m < PERIOD.start + timedelta(days=1) for m in contacts)


def test_a_period_without_services_has_no_rating(app, make, province):
    """Nothing logged in the period: no services, no ratings, no satisfaction (not zero)."""
    quiet = statistics.Filters(date(2026, 3, 1), date(2026, 3, 2))
    found = _found(app, quiet)
    assert (found["services"], found["ratings"], found["satisfaction"], found["per_lawyer"]) == ({}, 0, None, [])
    assert (found["contacts"], found["average_wait"], found["p90_wait"]) == (0, None, None)


@pytest.mark.parametrize(("waits", "p90"), [((5, 1, 9, 3, 7, 2, 8, 4, 6, 10), 9),
                                            ((5, 1, 9, 3, 7, 2, 8, 4, 6, 10, 11), 10),
                                            ((4,), 4), ((2, 2, 2, 9), 9), ((0, 0, 0, 0, 0, 0, 0, 0, 0, 1), 0)])
def test_the_90th_percentile_wait_is_the_nearest_rank(app, make, waits, p90):
    """Nearest rank (percentile_disc): the smallest wait at or above 90% of the answered calls."""
    moment = PERIOD.start + timedelta(hours=5)
    for wait in waits:
        make.contact(received_at=moment, answered_at=moment, wait_seconds=wait)
    make.contact(received_at=moment, wait_seconds=99)  # not answered: its ring time is no wait
    make.contact(received_at=PERIOD.end, answered_at=PERIOD.end, wait_seconds=99)  # after the period
    found = _found(app, PERIOD)
    assert found["p90_wait"] == p90
    assert found["average_wait"] == pytest.approx(sum(waits) / len(waits))


def test_a_rating_counts_only_for_a_service_in_scope_whatever_its_record_id(app, make):
    """Records in scope with ids on either side of records out of scope: each in-scope rating counts once."""
    city, other = make.city(), make.city()
    inside = PERIOD.start + timedelta(days=1)
    scores = []
    for index, (when, where, score) in enumerate([
            (inside, city, 5), (inside, other, 1), (PERIOD.end, city, 1), (inside, city, 3),
            (PERIOD.start - MICROSECOND, city, 1), (PERIOD.end - MICROSECOND, city, 4)]):
        record = make.service(started_at=when, ended_at=when + timedelta(minutes=5), city_id=where.id)
        make.follow_up(record=record, status="answered" if index % 2 else "called_back", score=score)
        if where is city and _in_period(when, PERIOD):
            scores.append(score)
    unrated = make.service(started_at=inside, ended_at=inside + timedelta(minutes=5), city_id=city.id)
    make.follow_up(record=unrated, status="expired", score=2)
    found = _found(app, statistics.Filters(PERIOD.first, PERIOD.last, city_id=city.id))
    assert (found["ratings"], found["satisfaction"]) == (3, pytest.approx(sum(scores) / 3))
    assert found["services"] == {"hotline": 4}


def test_prevented_flags_count_per_flag_not_per_contact(app, make):
    """A contact with two prevented flags counts under both; flags not prevented, or on contacts outside the
    period, do not count."""
    moment = PERIOD.start + timedelta(days=2)
    both = make.contact(received_at=moment)
    make.risk_flag(contact=both, flag="suicide", prevented=True)
    make.risk_flag(contact=both, flag="group_fight", prevented=True)
    make.risk_flag(contact=make.contact(received_at=moment), flag="suicide", prevented=False)
    make.risk_flag(contact=make.contact(received_at=PERIOD.end), flag="suicide", prevented=True)
    make.risk_flag(contact=make.contact(received_at=PERIOD.start), flag="domestic_violence", prevented=True)
    assert _found(app, PERIOD)["prevented"] == {"suicide": 1, "civil_to_criminal": 0, "group_petition": 0,
                                                "group_fight": 1, "domestic_violence": 1}


def test_the_stale_projects_are_counted_beyond_the_rows_listed(app, make):
    """The count of priority projects not served lately is the whole count, however few of them are listed."""
    from hotline.services import project_stats

    city = make.city()
    today = date(2026, 11, 27)
    projects = [make.project(city=city, priority=1, code=f"LN-{n}") for n in range(5)]
    served = datetime(2026, 11, 20, tzinfo=timezone.utc)
    make.service(kind="on_site", started_at=served, ended_at=served + timedelta(hours=1), project_id=projects[0].id)
    old = datetime(2026, 6, 1, tzinfo=timezone.utc)
    make.service(kind="on_site", started_at=old, ended_at=old + timedelta(hours=1), project_id=projects[1].id)
    with app.app_context():
        listed = project_stats.project_figures(db.session, PERIOD, today, stale_limit=2)
        counted = project_stats.project_figures(db.session, PERIOD, today, stale_limit=0)
        every = project_stats.project_figures(db.session, PERIOD, today)
        codes = [p.code for p, _last in every.stale]
    assert (listed.stale_count, len(listed.stale)) == (4, 2)
    assert (counted.stale_count, counted.stale) == (4, [])
    assert every.stale_count == 4 and "LN-0" not in codes and codes[-1] == "LN-1"  # never served comes first
