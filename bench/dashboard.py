"""Benchmark: statistics at provincial scale.

    python bench/dashboard.py [--db sqlite|postgresql|both] [--contacts 1000000] [--services 1000000]
                              [--existing URL] [--pg-name NAME] [--runs 5] [--explain] [--model-indexes] [--page-only]

Generates a year of contacts and a hash-chained service log (with risk flags, rated follow-ups and services to the
key projects) in bulk, then prints, for one quarter:
- the dashboard page as an admin sees it, through the Flask test client: the first request of a fresh app (cold:
  new connections, templates compiled, nothing planned yet) and the median of `--runs` requests after it (warm);
- each SQL statement of one warm request, slowest first (with `--explain`, PostgreSQL's plan of the slowest);
- the figures alone, the report with its PDF, and a full check of the service log.
The machine's other work shows in every figure: compare runs on the same machine, not across machines.
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
# How the services of a year divide between kinds (the key projects' own kinds come on top).
SERVICE_MIX = ("hotline", "callback", "phone_consult", "video_consult", "referral", "mediation", "legal_aid_referral")
SERVICE_WEIGHTS = (70, 10, 8, 4, 4, 3, 1)


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

    from hotline.models import City, Contact, FollowUp, KeyProject, Lawyer, RiskFlag, ServiceRecord
    from hotline.models.servicelog import GENESIS_HASH, canonical_content, chain_hash
    from hotline.vocab import LEGAL_AREAS, PROJECT_SERVICE_KINDS

    cities = list(db.session.scalars(select(City.id)))
    lawyers = list(db.session.scalars(select(Lawyer.id)))
    projects = list(db.session.scalars(select(KeyProject.id)))
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
        project = rng.choice(projects) if projects and rng.random() < 0.03 else None
        kind = (rng.choice(PROJECT_SERVICE_KINDS) if project else
                rng.choices(SERVICE_MIX, SERVICE_WEIGHTS)[0])
        values = {"seq": seq, "kind": kind, "provider_user_id": None, "provider_lawyer_id": rng.choice(lawyers),
                  "recipient_name": "", "recipient_phone": None, "contact_id": None, "booking_id": None,
                  "project_id": project, "city_id": rng.choice(cities), "legal_area": rng.choice(areas),
                  "channel": "web" if kind == "video_consult" else "phone",
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


def bench(kind: str, contacts: int, services: int, url: str | None = None,
          pg_name: str = "hotline_bench_dashboard", runs: int = 5, explain: bool = False,
          model_indexes: bool = False, page_only: bool = False) -> None:
    from flask_migrate import upgrade

    from hotline import create_app
    from hotline.demo import people
    from hotline.extensions import db
    from hotline.services import reference

    existing = url is not None
    if existing:
        pass
    elif kind == "postgresql":
        url = pg.fresh_database(pg_name)
    else:
        url = f"sqlite:///{Path(tempfile.mkdtemp(prefix='hotline-dashboard-')) / 'bench.sqlite3'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    rng = random.Random(12348)
    # the year up to today, so the page's "not served for 60 days" reads recent services as it would live
    first = datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=365)
    with app.app_context():
        upgrade()
        if existing:
            print(f"== {kind}: measuring the database generated earlier at {url}", flush=True)
            return measure(kind, url, runs, explain, model_indexes, page_only)
        reference.ensure(db.session)
        demo = people.Demo(cities={})
        db.session.flush()
        demo.cities = {c.code: c for c in db.session.scalars(db.select(people.City))}
        people.load_users(db.session, rng, demo)
        people.load_firms_and_lawyers(db.session, rng, demo)
        people.load_projects(db.session, rng, demo)
        db.session.commit()
        started = time.perf_counter()
        print(f"== {kind}: generating ...", flush=True)
        generate(db, contacts, services, first, rng)
        if kind == "postgresql":
            db.session.commit()
            with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                # as autovacuum leaves a table that has settled: statistics and the visibility map up to date
                conn.execute(db.text("VACUUM ANALYZE"))
        print(f"  generated in {time.perf_counter() - started:.0f} s", flush=True)
        db.engine.dispose()
    measure(kind, url, runs, explain, model_indexes, page_only)


def last_full_quarter(db) -> tuple[date, date]:
    """The last calendar quarter the generated year covers entirely."""
    from sqlalchemy import func, select

    from hotline.models import Contact
    from hotline.models.types import PROVINCE_TZ
    from hotline.services.statistics import quarter_of

    latest = db.session.scalar(select(func.max(Contact.received_at))).astimezone(PROVINCE_TZ).date()
    first, last = quarter_of(latest)
    return (first, last) if last == latest else quarter_of(first - timedelta(days=1))


def create_model_indexes(db) -> list[str]:
    """Create the indexes the models declare and the database lacks (a migration not written yet)."""
    from sqlalchemy import inspect

    inspector = inspect(db.engine)
    created = []
    for table in db.metadata.sorted_tables:
        existing = {index["name"] for index in inspector.get_indexes(table.name)}
        for index in table.indexes:
            if index.name not in existing:
                index.create(db.engine)
                created.append(index.name)
    return created


def _signed_in(app):
    """A test client signed in as the demo's coordinator."""
    from hotline.demo.people import DEMO_PASSWORD

    client = app.test_client()
    response = client.post("/login", data={"username": "admin", "password": DEMO_PASSWORD})
    if response.status_code != 302:
        raise SystemExit(f"cannot sign in as admin: {response.status_code}")
    return client


def _page(client, url: str) -> float:
    """Seconds for one request of the page, which must answer 200."""
    started = time.perf_counter()
    response = client.get(url, headers={"Accept-Language": "zh"})
    seconds = time.perf_counter() - started
    if response.status_code != 200:
        raise SystemExit(f"{url} answered {response.status_code}")
    return seconds


class Statements:
    """Every SQL statement an engine runs while listening, with its parameters and seconds."""

    def __init__(self, engine):
        from sqlalchemy import event

        self.engine, self.seen, self.listening = engine, [], False
        event.listen(engine, "before_cursor_execute", self._before)
        event.listen(engine, "after_cursor_execute", self._after)

    def _before(self, conn, cursor, statement, parameters, context, executemany):
        conn.info["bench_started"] = time.perf_counter()

    def _after(self, conn, cursor, statement, parameters, context, executemany):
        if self.listening:
            self.seen.append((time.perf_counter() - conn.info.pop("bench_started"), statement, parameters))

    def during(self, function):
        """Run `function`, keeping the statements it runs."""
        self.seen, self.listening = [], True
        try:
            function()
        finally:
            self.listening = False
        return sorted(self.seen, key=lambda seen: -seen[0])


def _explain(engine, statement: str, parameters) -> str:
    """PostgreSQL's plan of a statement as it ran (EXPLAIN ANALYZE, with buffers)."""
    with engine.connect() as conn:
        rows = conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters).all()
        conn.rollback()
    return "\n".join(row[0] for row in rows)


def _cpu_seconds(url: str, page: str, runs: int) -> tuple[float, float]:
    """CPU seconds one page costs the app and its database session, the median of `runs` after a warm-up.

    Wall-clock times on a shared machine measure its other work as much as this page; CPU seconds do not. The
    database session runs without parallel workers (their CPU would escape the count), so its CPU time is what
    a single core would spend: on an idle machine the page answers in about the sum of the two.
    """
    from sqlalchemy import text

    from hotline import create_app
    from hotline.extensions import db

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False, "SQLALCHEMY_ENGINE_OPTIONS": {
        "pool_size": 1, "max_overflow": 0, "connect_args": {"options": "-c max_parallel_workers_per_gather=0"}}})
    client = _signed_in(app)
    _page(client, page)
    with app.app_context():
        backend = db.session.scalar(text("SELECT pg_backend_pid()"))
        db.session.remove()
    ticks = os.sysconf("SC_CLK_TCK")

    def backend_cpu() -> float:
        fields = Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / ticks  # utime and stime

    app_times, database_times = [], []
    for _ in range(runs):
        app_started, database_started = time.process_time(), backend_cpu()
        _page(client, page)
        app_times.append(time.process_time() - app_started)
        database_times.append(backend_cpu() - database_started)
    with app.app_context():
        db.engine.dispose()
    return stats.median(app_times), stats.median(database_times)


def _print_page(first: date, last: date, cold: float, warm: list[float], seen: list,
                cpu: tuple[float, float] | None) -> None:
    print(f"dashboard page {first}..{last} as admin: cold {cold:.3f} s, warm {stats.median(warm):.3f} s "
          f"(median of {len(warm)}: {', '.join(f'{w:.3f}' for w in warm)})", flush=True)
    if cpu is not None:
        print(f"  CPU per page: app {cpu[0]:.3f} s + database {cpu[1]:.3f} s (one core, no parallel workers) "
              f"= {sum(cpu):.3f} s; load average now {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(f"  {len(seen)} statements, {sum(s for s, _t, _p in seen):.3f} s in the database; slowest:")
    for seconds, statement, _parameters in seen[:12]:
        print(f"  {seconds:8.4f} s  {' '.join(statement.split())[:150]}")


def measure(kind: str, url: str, runs: int = 5, explain: bool = False, model_indexes: bool = False,
            page_only: bool = False) -> None:
    """Time the dashboard page (cold and warm, and each statement of it), the figures alone, the report and a full
    check of the log on the generated database."""
    from hotline import create_app
    from hotline.extensions import db
    from hotline.services import servicelog, statistics
    from hotline.stats.report import Report, pdf

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        first, last = last_full_quarter(db)
        if model_indexes:
            for name in create_model_indexes(db):
                print(f"  created {name}, which the models declare and no migration has made yet", flush=True)
            if kind == "postgresql":
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    conn.execute(db.text("VACUUM ANALYZE"))
        db.session.remove()
        db.engine.dispose()
    quarter = statistics.Filters(first, last)
    page = f"/stats/?first={first}&last={last}"
    client = _signed_in(app)
    cold = _page(client, page)
    warm = [_page(client, page) for _ in range(runs)]
    with app.app_context():
        statements = Statements(db.engine)
        seen = statements.during(lambda: _page(client, page))
        db.engine.dispose()
    cpu = _cpu_seconds(url, page, runs) if kind == "postgresql" else None
    if page_only:
        return _print_page(first, last, cold, warm, seen, cpu)
    with app.app_context():

        def figures():
            found = statistics.figures(db.session, quarter)
            db.session.rollback()
            return found

        def report():
            built = Report(quarter, figures(), None)
            built.sentence_zh(), built.sentence_en(), pdf(built)

        found = figures()
        seconds_figures = pg.timed(figures, runs)
        seconds_report = pg.timed(report, 3)
        started = time.perf_counter()
        result = servicelog.verify(db.session, workers=os.cpu_count() or 1)
        seconds_verify = time.perf_counter() - started
        db.session.rollback()
        plans = [_explain(db.engine, statement, parameters) for _s, statement, parameters in seen[:3]] \
            if explain and kind == "postgresql" else []
        db.engine.dispose()
    print(f"quarter {first}..{last}: {found.contacts:,} contacts, {found.disputes:,} disputes, "
          f"{sum(found.services.values()):,} services")
    _print_page(first, last, cold, warm, seen, cpu)
    for plan in plans:
        print(plan, "\n")
    print(f"dashboard figures alone: {seconds_figures:.3f} s   "
          f"report (figures, both sentences, PDF): {seconds_report:.3f} s")
    print(f"verify the whole service log: {result.checked:,} records, intact={result.intact}, {seconds_verify:.1f} s "
          f"({os.cpu_count()} processes)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--contacts", type=int, default=1_000_000)
    parser.add_argument("--services", type=int, default=1_000_000)
    parser.add_argument("--existing", metavar="URL", help="measure a database this script generated earlier")
    parser.add_argument("--pg-name", default="hotline_bench_dashboard",
                        help="the PostgreSQL database to generate (dropped first)")
    parser.add_argument("--runs", type=int, default=5, help="warm requests to take the median of")
    parser.add_argument("--explain", action="store_true", help="print PostgreSQL's plans of the slowest statements")
    parser.add_argument("--page-only", action="store_true", help="time the dashboard page only (no report, no verify)")
    parser.add_argument("--model-indexes", action="store_true",
                        help="first create the indexes the models declare and the migrations do not make yet")
    args = parser.parse_args(argv)
    if args.contacts < 1 or args.services < 1:
        parser.error("--contacts and --services must be at least 1")
    if args.existing and args.db == "both":
        parser.error("--existing measures one database: give --db sqlite or --db postgresql")
    for kind in (("sqlite", "postgresql") if args.db == "both" else (args.db,)):
        bench(kind, args.contacts, args.services, args.existing, args.pg_name, max(args.runs, 1), args.explain,
              args.model_indexes, args.page_only)
    return 0


if __name__ == "__main__":
    sys.exit(main())
