"""Benchmark: statistics at provincial scale.

    python bench/dashboard.py [--db sqlite|postgresql|both] [--contacts 1000000] [--services 1000000]

Generates a year of contacts and a hash-chained service log (with risk flags and rated follow-ups) in bulk, then
prints the time to count the dashboard's figures and to build the report for one quarter (the median of three
runs after one warm-up), and the time to verify the whole service log.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics as stats
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import pg  # noqa: E402
CHUNK = 20000


def _insert(db, table, rows: list[dict]) -> None:
    from sqlalchemy import insert

    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(table), rows[start:start + CHUNK])


def _flush_when_full(db, table, rows: list[dict]) -> list[dict]:
    """Write the rows once a chunk has gathered (bounding memory); the rows still to write."""
    if len(rows) < CHUNK:
        return rows
    _insert(db, table, rows)
    return []


def generate(db, contacts: int, services: int, first: datetime, rng: random.Random) -> None:
    """Bulk rows spread over the year from `first`: contacts with waits, disputes and risk flags; a valid chain."""
    from sqlalchemy import select

    from hotline.models import City, Contact, FollowUp, Lawyer, RiskFlag, ServiceRecord
    from hotline.models.servicelog import GENESIS_HASH, canonical_content, chain_hash
    from hotline.vocab import LEGAL_AREAS

    cities = list(db.session.scalars(select(City.id)))
    lawyers = list(db.session.scalars(select(Lawyer.id)))
    areas = list(LEGAL_AREAS)
    year = 365 * 24 * 3600
    offsets = sorted(rng.randrange(year) for _ in range(contacts))
    rows, flags = [], []
    for index, offset in enumerate(offsets, start=1):
        received = first + timedelta(seconds=offset)
        phone = rng.random() < 0.85
        answered = phone and rng.random() < 0.93
        dispute = rng.random() < 0.3
        rows.append({"id": index, "channel": "phone" if phone else "web", "caller_name": "", "language": "zh",
                     "city_id": rng.choice(cities), "legal_area": rng.choice(areas), "urgency": "normal", "summary": "",
                     "advice": "", "status": "closed", "received_at": received,
                     "answered_at": received + timedelta(seconds=20) if answered else None,
                     "wait_seconds": int(rng.expovariate(1 / 25)) if answered else None,
                     "duration_seconds": rng.randint(60, 900) if answered else None,
                     "is_dispute": dispute,
                     "dispute_outcome": (rng.choices(("success", "failed", "pending"), (96, 2, 2))[0] if dispute else None),
                     "callback_due_at": received + timedelta(hours=4) if not answered else None,
                     "callback_done_at": received + timedelta(hours=rng.choice((1, 3, 6))) if not answered else None})
        if rng.random() < 0.003:
            flags.append({"contact_id": index, "flag": rng.choice(("suicide", "civil_to_criminal", "group_petition",
                                                                   "group_fight")),
                          "raised_at": received, "prevented": True})
        rows = _flush_when_full(db, Contact, rows)
    _insert(db, Contact, rows)
    _insert(db, RiskFlag, flags)
    db.session.commit()
    print(f"  {contacts:,} contacts and {len(flags):,} risk flags written", flush=True)
    prev, rows, follow = GENESIS_HASH, [], []
    offsets = sorted(rng.randrange(year) for _ in range(services))
    for seq, offset in enumerate(offsets, start=1):
        started = first + timedelta(seconds=offset)
        values = {"seq": seq, "kind": "hotline", "provider_user_id": None, "provider_lawyer_id": rng.choice(lawyers),
                  "recipient_name": "", "recipient_phone": None, "contact_id": None, "booking_id": None,
                  "project_id": None, "city_id": rng.choice(cities), "legal_area": rng.choice(areas), "channel": "phone",
                  "started_at": started, "ended_at": started + timedelta(minutes=8), "outcome": "consultation",
                  "satisfaction": None, "created_at": started + timedelta(minutes=9)}
        digest = chain_hash(prev, canonical_content(values))
        rows.append(values | {"id": seq, "prev_hash": prev, "hash": digest})
        prev = digest
        if rng.random() < 0.2:
            follow.append({"service_record_id": seq, "status": "answered", "due_at": started, "score": rng.choice((3, 4, 5, 5)),
                           "note": ""})
        rows = _flush_when_full(db, ServiceRecord, rows)
    _insert(db, ServiceRecord, rows)
    _insert(db, FollowUp, follow)
    db.session.commit()
    print(f"  {services:,} service records and {len(follow):,} rated follow-ups written", flush=True)


def timed(function, runs: int = 3) -> float:
    """Median seconds of `runs` calls after one warm-up."""
    function()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return stats.median(times)


def bench(kind: str, contacts: int, services: int, url: str | None = None) -> None:
    from flask_migrate import upgrade

    from hotline import create_app
    from hotline.demo import people
    from hotline.extensions import db
    from hotline.services import reference, servicelog, statistics
    from hotline.stats.report import Report, pdf

    existing = url is not None
    if existing:
        pass
    elif kind == "postgresql":
        url = pg.fresh_database("hotline_bench_dashboard")
    else:
        url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='hotline-dashboard-')) / 'bench.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    rng = random.Random(12348)
    first = datetime(2025, 10, 1, tzinfo=timezone.utc)
    with app.app_context():
        upgrade()
        if existing:
            print(f"== {kind}: measuring the database generated earlier at {url}", flush=True)
            return measure(kind, db)
        reference.ensure(db.session)
        demo = people.Demo(cities={})
        db.session.flush()
        demo.cities = {c.code: c for c in db.session.scalars(db.select(people.City))}
        people.load_users(db.session, rng, demo)
        people.load_firms_and_lawyers(db.session, rng, demo)
        db.session.commit()
        started = time.perf_counter()
        print(f"== {kind}: generating ...", flush=True)
        generate(db, contacts, services, first, rng)
        if kind == "postgresql":
            db.session.execute(db.text("ANALYZE"))
            db.session.commit()
        print(f"  generated in {time.perf_counter() - started:.0f} s", flush=True)
        measure(kind, db)


def measure(kind: str, db) -> None:
    """Time the dashboard, the report and a full check of the log on the generated database."""
    from hotline.services import servicelog, statistics
    from hotline.stats.report import Report, pdf

    quarter = statistics.Filters(date(2026, 1, 1), date(2026, 3, 31))

    def dashboard():
        found = statistics.figures(db.session, quarter)
        db.session.rollback()
        return found

    def report():
        found = statistics.figures(db.session, quarter)
        built = Report(quarter, found, None)
        built.sentence_zh(), built.sentence_en(), pdf(built)
        db.session.rollback()

    found = dashboard()
    seconds_dashboard = timed(dashboard)
    seconds_report = timed(report)
    started = time.perf_counter()
    result = servicelog.verify(db.session, workers=os.cpu_count() or 1)
    seconds_verify = time.perf_counter() - started
    db.session.rollback()
    db.engine.dispose()
    print(f"quarter 2026-Q1: {found.contacts:,} contacts, {found.disputes:,} disputes, "
          f"{sum(found.services.values()):,} services")
    print(f"dashboard figures: {seconds_dashboard:.3f} s   report (figures, both sentences, PDF): {seconds_report:.3f} s")
    print(f"verify the whole service log: {result.checked:,} records, intact={result.intact}, {seconds_verify:.1f} s "
          f"({os.cpu_count()} processes)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--services", type=int, default=1_000_000)
    parser.add_argument("--existing", metavar="URL", help="measure a database this script generated earlier")
    args = parser.parse_args(argv)
    if args.contacts < 1 or args.services < 1:
        parser.error("--contacts and --services must be at least 1")
    if args.existing and args.db == "both":
        parser.error("--existing measures one database: give --db sqlite or --db postgresql")
    for kind in (("sqlite", "postgresql") if args.db == "both" else (args.db,)):
        bench(kind, args.contacts, args.services, args.existing)
    return 0


if __name__ == "__main__":
    sys.exit(main())
