"""Benchmark: importing a register the size of a province's.

    python bench/import_registers.py [--db sqlite|postgresql|both] [--rows 10000] [--format xlsx|csv]

Writes a lawyers spreadsheet of --rows rows (firms imported first), then times, on a fresh migrated database:
reading and planning the dry run, applying it (all rows added, committed), and importing the same file again
(every row unchanged). The target of the registers issue is under 30 s for 10,000 rows.
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import pg  # noqa: E402


def spreadsheet(rows: int, fmt: str, rng: random.Random) -> tuple[bytes, bytes]:
    """(firms file, lawyers file) in the Chinese template's columns."""
    from hotline.registers import sheets
    from hotline.registers.specs import FIRMS, LAWYERS

    cities = ["沈阳", "大连", "鞍山", "抚顺", "本溪", "丹东", "锦州", "营口", "阜新", "辽阳", "盘锦", "铁岭", "朝阳", "葫芦岛"]
    firms = [f"辽宁第{i}律师事务所" for i in range(1, max(rows // 20, 2) + 1)]
    areas = ["劳动争议", "婚姻家庭", "合同与债务", "公司与商事", "外商投资与贸易", "知识产权", "交通事故", "建设工程"]
    firm_rows = [[name, rng.choice(cities), "是"] for name in firms]
    lawyer_rows = []
    for i in range(rows):
        chosen = rng.sample(areas, 2)
        lawyer_rows.append([f"2102{i:013d}", f"律师{i}", f"139{i:08d}", rng.choice(firms), rng.choice(cities),
                            f"{chosen[0]}:{rng.randint(1, 3)}；{chosen[1]}:{rng.randint(1, 3)}",
                            "普通话；韩语" if i % 7 == 0 else "普通话", "是" if i % 5 == 0 else "否",
                            rng.choice([0, 20, 40]), rng.choice([0, 4, 8]), 8, 0, 40, 3, 1, 2, 6, "", "是"])
    write = sheets.write_xlsx if fmt == "xlsx" else sheets.write_csv
    firm_headers = [col.zh for col in FIRMS.columns]
    lawyer_headers = [col.zh for col in LAWYERS.columns if col.key != "on_duty_roster"]
    return write(firm_headers, firm_rows), write(lawyer_headers, lawyer_rows)


def run(url: str, rows: int, fmt: str) -> dict:
    from flask_migrate import upgrade

    from hotline import create_app
    from hotline.extensions import db
    from hotline.models.types import utcnow
    from hotline.registers import imports
    from hotline.registers.specs import FIRMS, LAWYERS
    from hotline.services import reference

    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    figures = {}
    with app.app_context(), app.test_request_context():
        upgrade(directory=str(ROOT / "migrations"))
        reference.ensure(db.session)
        db.session.commit()
        firms, lawyers = spreadsheet(rows, fmt, random.Random(7))
        figures["file MB"] = round(len(lawyers) / 1e6, 2)
        firm_plan = imports.read_plan(db.session, FIRMS, f"firms.{fmt}", firms)
        imports.apply(db.session, firm_plan, utcnow())
        db.session.commit()
        started = time.perf_counter()
        plan = imports.read_plan(db.session, LAWYERS, f"lawyers.{fmt}", lawyers)
        figures["dry run s"] = round(time.perf_counter() - started, 2)
        assert plan.can_apply and plan.count("add") == rows, (plan.file_errors, plan.refused,
                                                               [r.errors for r in plan.rows if r.errors][:3])
        started = time.perf_counter()
        plan = imports.read_plan(db.session, LAWYERS, f"lawyers.{fmt}", lawyers)
        imports.apply(db.session, plan, utcnow())
        db.session.commit()
        figures["dry run + import s"] = round(time.perf_counter() - started, 2)
        started = time.perf_counter()
        again = imports.read_plan(db.session, LAWYERS, f"lawyers.{fmt}", lawyers)
        figures["second dry run s"] = round(time.perf_counter() - started, 2)
        assert again.count("same") == rows and not again.can_apply
    return figures


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="sqlite")
    parser.add_argument("--rows", type=int, default=10000)
    parser.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    args = parser.parse_args(argv)
    if args.rows < 1:
        parser.error("--rows must be at least 1")
    targets = []
    if args.db in ("sqlite", "both"):
        targets.append(("sqlite", f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"))
    if args.db in ("postgresql", "both"):
        targets.append(("postgresql", pg.fresh_database("hotline_bench_import")))
    for name, url in targets:
        figures = run(url, args.rows, args.format)
        print(f"{name}: {args.rows} lawyers, {args.format}: " + ", ".join(f"{k} {v}" for k, v in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
