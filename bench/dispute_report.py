"""Benchmark: the dispute ledger's quarterly report at provincial scale, on PostgreSQL.

    python bench/dispute_report.py [--entries 1000000] [--events 5000000] [--reuse]

Loads the demo's org units and committees, then two years of ledger entries and their histories (the same events,
states and data the ledger writes) by COPY, and prints the time to count the last full quarter's figures for the
province and for one city (the median of three runs after a warm-up), and the figures themselves. DATABASE_URL
selects the database (default: a fresh `hotline_bench_disputes` on the local server); --reuse measures a database
loaded earlier.
"""
from __future__ import annotations

import argparse
import io
import json
import os
import random
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import pg  # noqa: E402

NOW = datetime(2026, 12, 1, 2, 0, tzinfo=timezone.utc)
SPAN = timedelta(days=730)
# (share, the walk's actions): every walk is a path the ledger's transitions allow.
WALKS = [
    (40, ("register", "accept", "assess", "dispatch", "committee_accept", "succeed")),
    (20, ("register", "accept", "assess", "dispatch", "committee_accept", "succeed", "follow_up")),
    (1, ("register", "accept", "assess", "dispatch", "committee_accept", "fail")),
    (19, ("register", "accept", "assess")),
    (15, ("register", "reject")),
    (5, ("register", "accept", "risk_open", "assess", "report", "dispatch", "committee_accept", "risk_close", "succeed")),
]
RISKS = ("suicide", "civil_to_criminal", "group_petition", "group_fight", "domestic_violence")
SOURCES = ("screening", "hotline", "walk_in", "police", "web", "court", "petition", "api")


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S+00")


def _data(action: str, rng: random.Random, committee: int, level: str, kind: str, source: str) -> dict:
    """The event's data, as services.disputes writes it for the action."""
    return {
        "register": lambda: {"risk_level": "blue", "source": source},
        "accept": dict, "reject": lambda: {"referral": "人民法院"},
        "assess": lambda: {"risk_level": level},
        "dispatch": lambda: {"committee_id": committee},
        "committee_accept": lambda: {"committee_id": committee, "mediator_id": None},
        "succeed": lambda: {"agreement_form": "written", "terms": "按期履行", "performance_date": None,
                            "judicial_confirmation": False},
        "fail": lambda: {"guidance": "告知诉讼途径"}, "follow_up": lambda: {"note": "已履行", "kept": True},
        "risk_open": lambda: {"kind": kind, "people": 3, "measure": "专人稳控", "level_from": "blue", "level_to": "orange"},
        "risk_close": lambda: {"kind": kind, "prevented": rng.random() < 0.95, "people": 3},
        "report": lambda: {"level": "county_bureau", "note": ""},
    }[action]()


def _null(value) -> str:
    return "\\N" if value is None else (_stamp(value) if isinstance(value, datetime) else str(value))


def generate(connection, entries: int, events_wanted: int, rng: random.Random) -> tuple[int, int]:
    """COPY the entries and their events; returns (entries, events) written."""
    from hotline.services.disputes import TRANSITIONS, event_columns

    cursor = connection.cursor()
    cursor.execute("SELECT u.id, u.city_id, c.id FROM org_units u JOIN mediation_committees c ON c.org_unit_id = u.id "
                   "WHERE u.kind IN ('village', 'community') ORDER BY u.id")
    places = cursor.fetchall()
    cursor.execute("SELECT c.org_unit_id, c.id FROM mediation_committees c WHERE c.kind = 'county_key'")
    county_keys = dict(cursor.fetchall())
    cursor.execute("SELECT id, parent_id FROM org_units")
    parents = dict(cursor.fetchall())
    weights = [share for share, _walk in WALKS]
    per_entry = events_wanted / entries
    mean = sum(share * len(walk) for share, walk in WALKS) / sum(weights)
    disputes_out, events_out = io.StringIO(), io.StringIO()
    written_events = 0
    started = time.perf_counter()
    for dispute_id in range(1, entries + 1):
        unit, city, village_committee = places[rng.randrange(len(places))]
        walk = rng.choices(WALKS, weights)[0][1]
        if rng.random() < per_entry / mean - 1:  # a little more history where more events are asked for
            walk = WALKS[-1][1]
        risky = "risk_open" in walk
        level = "orange" if risky else rng.choice(("blue", "yellow"))
        committee = county_keys[parents[parents[unit]]] if risky else village_committee
        kind, source = rng.choice(RISKS), rng.choice(SOURCES)
        at = registered = NOW - SPAN * rng.random()
        state, dispatched = None, False
        for seq, action in enumerate(walk, 1):
            if seq > 1:
                at += timedelta(hours=rng.uniform(1, 60))
            if at > NOW:
                break
            before = state
            state = "registered" if action == "register" else (TRANSITIONS[action][1] or state)
            data = _data(action, rng, committee, level, kind, source)
            columns = event_columns(action, at, data)
            events_out.write(f"{dispute_id}\t{seq}\t{action}\t{before or chr(92) + 'N'}\t{state}\t{_stamp(at)}\t"
                             f"\\N\t\t{json.dumps(data, ensure_ascii=False)}\t{_null(columns['committee_id'])}\t"
                             f"{_null(columns['due_at'])}\n")
            written_events += 1
            last_at = at
            dispatched = dispatched or action == "dispatch"
        disputes_out.write(f"{dispute_id}\tB{dispute_id:08d}\t{source}\t{_stamp(registered)}\t{unit}\t{city}\t\t"
                           f"neighbour\t-\t2\tzh\t{level}\t{state}\t"
                           f"{committee if dispatched else chr(92) + 'N'}\t{_stamp(registered)}\t{_stamp(last_at)}\n")
        if dispute_id % 100000 == 0:
            _flush(cursor, disputes_out, events_out)
            disputes_out, events_out = io.StringIO(), io.StringIO()
            print(f"  {dispute_id:,} entries, {written_events:,} events ({time.perf_counter() - started:.0f} s)",
                  flush=True)
    _flush(cursor, disputes_out, events_out)
    cursor.execute("SELECT setval('disputes_id_seq', (SELECT max(id) FROM disputes))")
    connection.commit()
    # As autovacuum would after a load: statistics for the planner, and the visibility map that lets the figures'
    # covering indexes answer without reading the tables.
    connection.autocommit = True
    cursor.execute("VACUUM ANALYZE disputes")
    cursor.execute("VACUUM ANALYZE dispute_events")
    connection.autocommit = False
    return entries, written_events


def _flush(cursor, disputes_out: io.StringIO, events_out: io.StringIO) -> None:
    with cursor.copy("COPY disputes (id, number, source, found_at, org_unit_id, city_id, place, dispute_type, summary, "
                     "people_involved, language, risk_level, state, committee_id, created_at, last_event_at) "
                     "FROM STDIN") as copy:
        copy.write(disputes_out.getvalue())
    with cursor.copy("COPY dispute_events (dispute_id, seq, action, from_state, to_state, at, user_id, reason, data, "
                     "committee_id, due_at) FROM STDIN") as copy:
        copy.write(events_out.getvalue())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--events", type=int, default=5_000_000)
    parser.add_argument("--reuse", action="store_true", help="measure the database loaded by an earlier run")
    parser.add_argument("--seed", type=int, default=19)
    args = parser.parse_args(argv)

    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from hotline import create_app
    from hotline.demo import mediation
    from hotline.demo.ledger import last_full_quarter
    from hotline.disputes.scope import Scope
    from hotline.extensions import db
    from hotline.models import City, Dispute, DisputeEvent
    from hotline.services import dispute_figures, reference

    url = os.environ.get("DATABASE_URL") or (f"{pg.SERVER}/hotline_bench_disputes" if args.reuse
                                             else pg.fresh_database("hotline_bench_disputes"))
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        if not args.reuse:
            upgrade()
            reference.ensure(db.session)
            mediation.load(db.session, args.seed)
            db.session.commit()
            print(f"== generating {args.entries:,} entries and about {args.events:,} events", flush=True)
            started = time.perf_counter()
            raw = db.engine.raw_connection()
            try:
                generate(raw.driver_connection, args.entries, args.events, random.Random(args.seed))
            finally:
                raw.close()
            print(f"  generated in {time.perf_counter() - started:.0f} s", flush=True)
        entries = db.session.scalar(select(func.count(Dispute.id)))
        events = db.session.scalar(select(func.count(DisputeEvent.id)))
        first, last = last_full_quarter(NOW)
        city = db.session.scalar(select(City).where(City.code == "dalian"))
        print(f"== {entries:,} entries, {events:,} events; the quarter {first} – {last}", flush=True)
        for name, scope in (("province", None), (f"city of {city.name_en}", Scope(city_id=city.id))):
            found = dispute_figures.figures(db.session, first, last, scope, NOW)
            seconds = pg.timed(lambda: dispute_figures.figures(db.session, first, last, scope, NOW))
            print(f"{name}: figures in {seconds:.3f} s (median of 3)")
            print("  " + ", ".join(f"{key} {value:,}" for key, value in found.counts.items() if value))
        db.session.rollback()
    return 0


if __name__ == "__main__":
    sys.exit(main())
