"""Benchmark: "who is on duty now" with twelve months of published province rosters in the database.

    python bench/duty_lookup.py [--db sqlite|postgresql|both] [--lookups 2000]

Loads the demo province, publishes a year of rosters (four hotline/on-call shifts a day, 6-8 lawyers each), then
times duty_lookup.on_duty() at random moments of that year for random legal areas, languages and cities, and
prints the median and 99th-percentile time.
"""
from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import pg  # noqa: E402


def publish_year(db, first: date, rng: random.Random) -> int:
    """Published rosters for 365 days from `first`, inserted in bulk; returns the number of duties."""
    from sqlalchemy import insert, select

    from hotline.models import DutyAssignment, DutyPeriod, Lawyer, Shift, ShiftType
    from hotline.models.types import PROVINCE_TZ

    types = list(db.session.scalars(select(ShiftType).where(ShiftType.kind.in_(("hotline", "oncall")))))
    lawyers = list(db.session.scalars(select(Lawyer.id)))
    duties = 0
    for month in range(12):
        start = date(first.year + (first.month - 1 + month) // 12, (first.month - 1 + month) % 12 + 1, 1)
        end = date(start.year + start.month // 12, start.month % 12 + 1, 1) - timedelta(days=1)
        period = DutyPeriod(name=f"{start:%Y-%m}", starts_on=start, ends_on=end, status="published")
        db.session.add(period)
        db.session.flush()
        shift_rows = []
        day = start
        while day <= end:
            for kind in types:
                starts = datetime(day.year, day.month, day.day, kind.starts.hour, kind.starts.minute, tzinfo=PROVINCE_TZ)
                shift_rows.append({"period_id": period.id, "day": day, "shift_type_id": kind.id, "starts_at": starts,
                                   "ends_at": starts + timedelta(minutes=kind.minutes)})
            day += timedelta(days=1)
        db.session.execute(insert(Shift), shift_rows)
        shift_ids = list(db.session.scalars(select(Shift.id).where(Shift.period_id == period.id)))
        rows = [{"shift_id": shift_id, "lawyer_id": lawyer_id}
                for shift_id in shift_ids for lawyer_id in rng.sample(lawyers, rng.randint(6, 8))]
        db.session.execute(insert(DutyAssignment), rows)
        duties += len(rows)
    db.session.commit()
    return duties


def bench(kind: str, lookups: int) -> None:
    from flask_migrate import upgrade

    from hotline import create_app
    from hotline.demo import load
    from hotline.extensions import db
    from hotline.models import City
    from hotline.models.types import utcnow
    from hotline.services import duty_lookup
    from hotline.vocab import LEGAL_AREAS

    if kind == "postgresql":
        url = pg.fresh_database("hotline_bench_lookup")
    else:
        url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='hotline-lookup-')) / 'bench.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    rng = random.Random(7)
    with app.app_context():
        upgrade()
        load.run(seed=12348, days=1, reset=False)
        first = utcnow().date().replace(day=1)
        duties = publish_year(db, first, rng)
        if kind == "postgresql":
            # Fresh statistics, as autovacuum keeps them in production after a bulk load.
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()
        cities = list(db.session.scalars(db.select(City.id)))
        areas = list(LEGAL_AREAS)
        moments = [datetime.combine(first, datetime.min.time()).replace(tzinfo=utcnow().tzinfo)
                   + timedelta(minutes=rng.randrange(365 * 24 * 60)) for _ in range(lookups)]
        times, found = [], 0
        for index, moment in enumerate(moments):
            area = rng.choice(areas)
            language = rng.choices(("zh", "ko", "mn"), (90, 8, 2))[0]
            started = time.perf_counter()
            result = duty_lookup.on_duty(db.session, area, language, moment, rng.choice(cities))
            times.append((time.perf_counter() - started) * 1000)
            found += bool(result)
            db.session.rollback()
        db.engine.dispose()
    times.sort()
    print(f"== {kind}: {duties} published duties over 12 months; {lookups} lookups ({found} found someone)")
    print(f"on-duty lookup: median {statistics.median(times):.2f} ms, p99 {times[int(0.99 * (len(times) - 1))]:.2f} ms, "
          f"max {times[-1]:.2f} ms")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--lookups", type=int, default=2000)
    args = parser.parse_args(argv)
    for kind in (("sqlite", "postgresql") if args.db == "both" else (args.db,)):
        bench(kind, args.lookups)
    return 0


if __name__ == "__main__":
    sys.exit(main())
