"""Benchmark: the deadline board over thousands of open ledger entries on PostgreSQL.

    python bench/deadline_board.py [--entries 5000] [--ended 50000]

Generates a city with 3 counties, 12 townships and 60 villages, open entries walked to various points of their
lifecycle (registered, assessed, reported upward, in mediation, with open risks), about six events each, and ended
entries whose deadlines were all met (rejected within the day: the ledger's years of history that are not
closed), in bulk; then prints the time to build the board for the province and for one county, and one deadline
sweep (the median of three runs after one warm-up).
"""
from __future__ import annotations

import argparse
import random
import statistics as stats
import sys
import time
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import pg  # noqa: E402

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=timezone.utc)


def _ledger(db, entries: int, ended: int) -> list[int]:
    """The org units and the entries with their events and risks; returns the counties' ids."""
    from sqlalchemy import insert

    from hotline.models import City, Dispute, DisputeEvent, DisputeRisk, OrgUnit
    from hotline.services.dispute_deadlines import Entry, next_moments

    rng = random.Random(7)
    db.session.execute(insert(City), [{"id": 1, "code": "dalian", "name_en": "Dalian", "name_zh": "大连",
                                       "latitude": 38.9, "longitude": 121.6}])
    units, counties, villages, next_id = [], [], [], 1
    for c in range(3):
        county = next_id
        next_id += 1
        counties.append(county)
        units.append({"id": county, "code": f"c{county}", "kind": "county", "name_zh": f"县{c}", "name_en": f"County {c}",
                      "city_id": 1, "parent_id": None, "path": f"/{county}/"})
        for t in range(4):
            town = next_id
            next_id += 1
            units.append({"id": town, "code": f"t{town}", "kind": "township", "name_zh": f"镇{town}",
                          "name_en": f"Town {town}", "city_id": 1, "parent_id": county, "path": f"/{county}/{town}/"})
            for _v in range(5):
                village = next_id
                next_id += 1
                villages.append((village, f"/{county}/{town}/{village}/"))
                units.append({"id": village, "code": f"v{village}", "kind": "village", "name_zh": f"村{village}",
                              "name_en": f"Village {village}", "city_id": 1, "parent_id": town,
                              "path": f"/{county}/{town}/{village}/"})
    db.session.execute(insert(OrgUnit), units)
    disputes, events, risks = [], [], []
    for n in range(entries + 1, entries + ended + 1):
        village, _path = rng.choice(villages)
        start = NOW - timedelta(days=rng.uniform(41, 700))
        disputes.append({"id": n, "number": f"纠2102-2026-{n:06d}", "source": "screening", "found_at": start,
                         "org_unit_id": village, "city_id": 1, "place": "", "dispute_type": "neighbour",
                         "summary": "bench", "people_involved": 2, "language": "zh", "risk_level": "blue",
                         "state": "rejected", "created_at": start, "last_event_at": start + timedelta(hours=2),
                         "next_due_at": None, "next_action_at": None})
        events.append({"dispute_id": n, "seq": 1, "action": "register", "from_state": None, "to_state": "registered",
                       "at": start, "reason": "", "data": {"risk_level": "blue", "source": "screening"}})
        events.append({"dispute_id": n, "seq": 2, "action": "reject", "from_state": "registered",
                       "to_state": "rejected", "at": start + timedelta(hours=2), "reason": "",
                       "data": {"referral": "人民法院"}})
    for n in range(1, entries + 1):
        village, _path = rng.choice(villages)
        start = NOW - timedelta(hours=rng.uniform(1, 24 * 40))
        level = rng.choice(("blue", "blue", "yellow", "orange", "red"))
        stage = rng.choice(("registered", "accepted", "assessed", "in_mediation", "in_mediation"))
        steps = [("register", None, "registered", {"risk_level": level, "source": "screening"})]
        if stage != "registered":
            steps.append(("accept", "registered", "accepted", {}))
        if stage in ("assessed", "in_mediation"):
            steps.append(("assess", "accepted", "assessed", {"risk_level": level}))
            if level in ("orange", "red"):
                steps.append(("report", "assessed", "assessed", {"level": "county_bureau", "note": ""}))
                steps.append(("acknowledge", "assessed", "assessed", {"level": "county_bureau"}))
        if stage == "in_mediation":
            steps.append(("dispatch", "assessed", "dispatched", {"committee_id": 1}))
            steps.append(("committee_accept", "dispatched", "in_mediation", {"committee_id": 1, "mediator_id": None}))
        walk = [{"dispute_id": n, "seq": seq, "action": action, "from_state": before, "to_state": after,
                 "at": start + timedelta(minutes=30 * (seq - 1)), "reason": "", "data": data}
                for seq, (action, before, after, data) in enumerate(steps, 1)]
        held = [{"dispute_id": n, "kind": "civil_to_criminal", "people": 2, "opened_at": start, "closed_at": None}] \
            if level in ("orange", "red") and rng.random() < 0.5 else []
        due, action = next_moments(Entry(level, [SimpleNamespace(**r) for r in held], stage),
                                   [SimpleNamespace(**e) for e in walk])
        disputes.append({"id": n, "number": f"纠2102-2026-{n:06d}", "source": "screening", "found_at": start,
                         "org_unit_id": village, "city_id": 1, "place": "", "dispute_type": "neighbour",
                         "summary": "bench", "people_involved": 2, "language": "zh", "risk_level": level,
                         "state": stage, "created_at": start, "last_event_at": walk[-1]["at"],
                         "next_due_at": due, "next_action_at": action})
        events += walk
        risks += held
    for table, rows in ((Dispute, disputes), (DisputeEvent, events), (DisputeRisk, risks)):
        for i in range(0, len(rows), 20000):
            db.session.execute(insert(table), rows[i:i + 20000])
    db.session.commit()
    return counties


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=5000, help="open entries")
    parser.add_argument("--ended", type=int, default=50000, help="ended entries, every deadline met")
    args = parser.parse_args()

    from flask_migrate import upgrade
    from sqlalchemy import func, select, text

    from hotline import create_app
    from hotline.disputes.scope import Scope
    from hotline.extensions import db
    from hotline.models import DisputeEvent
    from hotline.services import dispute_deadlines

    url = pg.fresh_database("bench_deadline_board")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        upgrade()
        # the ledger's committee for the dispatch events (any active one; the board does not read it)
        db.session.execute(text("SET session_replication_role = replica"))  # no FK check for the bulk rows
        counties = _ledger(db, args.entries, args.ended)
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        events = db.session.scalar(select(func.count()).select_from(DisputeEvent))
        for name, scope in (("province", Scope()), ("one county", Scope(city_id=1, path=f"/{counties[0]}/"))):
            times, rows = [], []
            for _ in range(4):
                db.session.rollback()
                started = time.perf_counter()
                rows = dispute_deadlines.board(db.session, NOW, scope)
                times.append(time.perf_counter() - started)
            print(f"{name}: {len(rows)} deadlines of {args.entries} open entries among {args.entries + args.ended} "
                  f"({events} events): median {stats.median(times[1:]) * 1000:.0f} ms")
        times, counts = [], {}
        for _ in range(4):
            started = time.perf_counter()
            counts = dispute_deadlines.sweep(db.session, NOW, lambda phone, body: None)
            times.append(time.perf_counter() - started)
            db.session.rollback()
        print(f"sweep: {counts['warned']} warnings and {counts['escalated']} escalations to write: "
              f"median {stats.median(times[1:]) * 1000:.0f} ms (rolled back each time)")


if __name__ == "__main__":
    main()
