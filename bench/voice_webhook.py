"""Benchmark: signed incoming-call webhooks from 32 concurrent clients against the app under gunicorn.

    python bench/voice_webhook.py [--db sqlite|postgresql|both] [--requests 2000] [--clients 32] [--workers 4]

Prints median and 99th-percentile latency and requests per second for /telephony/voice/incoming beside the same
figures for a trivial endpoint (/healthz) in the same run, and checks that no contact was lost or duplicated
(every 10th request repeats an earlier CallSid, as Twilio's retries do).
"""
from __future__ import annotations

import argparse
import http.client
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import pg  # noqa: E402
TOKEN = "bench-token"
PG_URL = "postgresql://postgres@127.0.0.1:5432/hotline_bench"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def prepare(database_url: str) -> None:
    """A fresh schema with reference data and a published hotline shift running now."""
    if database_url.startswith("postgresql"):
        pg.fresh_database("hotline_bench")
    from flask_migrate import upgrade

    from hotline import create_app
    from hotline.extensions import db
    from hotline.models import DutyAssignment, DutyPeriod, LawFirm, Lawyer, LawyerArea, LawyerLanguage, Shift, ShiftType
    from hotline.models.types import utcnow
    from hotline.services import reference

    app = create_app({"SQLALCHEMY_DATABASE_URI": database_url.replace("postgresql://", "postgresql+psycopg://")})
    with app.app_context():
        upgrade()
        reference.ensure(db.session)
        now = utcnow()
        period = DutyPeriod(name="bench", starts_on=now.date(), ends_on=now.date(), status="published")
        db.session.add(period)
        db.session.flush()
        hotline_type = db.session.scalar(db.select(ShiftType).where(ShiftType.code == "AM"))
        shift = Shift(period_id=period.id, day=now.date(), shift_type_id=hotline_type.id,
                      starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=6))
        db.session.add(shift)
        firm = LawFirm(name="Bench firm", city_id=1)
        db.session.add(firm)
        db.session.flush()
        for index in range(12):
            lawyer = Lawyer(name=f"Lawyer {index}", licence_no=f"B{index:06d}", phone=f"+86139000000{index:02d}",
                            city_id=1 + index % 14, firm_id=firm.id)
            lawyer.areas = [LawyerArea(area="labour", level=2), LawyerArea(area="contracts_debts", level=2)]
            lawyer.languages = [LawyerLanguage(language="zh")]
            db.session.add(lawyer)
            db.session.flush()
            db.session.add(DutyAssignment(shift_id=shift.id, lawyer_id=lawyer.id))
        db.session.commit()
        db.engine.dispose()


def start_server(database_url: str, port: int, workers: int) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=database_url, TWILIO_AUTH_TOKEN=TOKEN, TWILIO_ACCOUNT_SID="AC" + "0" * 32,
               TWILIO_FROM_NUMBER="+862412348", PUBLIC_BASE_URL=f"http://127.0.0.1:{port}", OUTBOX_SWEEP_SECONDS="0",
               SECRET_KEY="bench")
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or "gunicorn"
    process = subprocess.Popen(
        [gunicorn, "--workers", str(workers), "--worker-class", "gthread", "--threads", "4", "--bind",
         f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=sys.stderr,
    )
    for _ in range(100):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/healthz")
            if conn.getresponse().status == 200:
                conn.close()
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("gunicorn did not start")


def run_load(port: int, total: int, clients: int, make_request) -> tuple[list[float], float, int]:
    """Send `total` requests from `clients` threads on persistent connections; latencies in ms, rps, errors."""
    per_client = total // clients

    def worker(index: int):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        latencies, errors = [], 0
        for n in range(per_client):
            method, path, body, headers = make_request(index * per_client + n)
            started = time.perf_counter()
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            latencies.append((time.perf_counter() - started) * 1000)
            if response.status != 200:
                errors += 1
        conn.close()
        return latencies, errors

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=clients) as pool:
        results = list(pool.map(worker, range(clients)))
    elapsed = time.perf_counter() - started
    latencies = [value for lat, _ in results for value in lat]
    return latencies, len(latencies) / elapsed, sum(errors for _, errors in results)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def bench(kind: str, total: int, clients: int, workers: int) -> None:
    from twilio.request_validator import RequestValidator

    tmp = Path(tempfile.mkdtemp(prefix="hotline-bench-"))
    database_url = f"sqlite:///{tmp / 'bench.sqlite3'}" if kind == "sqlite" else PG_URL
    prepare(database_url)
    port = free_port()
    server = start_server(database_url, port, workers)
    validator = RequestValidator(TOKEN)
    base = f"http://127.0.0.1:{port}"

    def incoming(n: int):
        sid_number = n - 5 if n % 10 == 9 else n  # every 10th request is a retry of an earlier call
        params = {"CallSid": f"CA{sid_number:032d}", "From": f"+86138{n % 100000000:08d}", "To": "+862412348",
                  "CallStatus": "ringing"}
        headers = {"Content-Type": "application/x-www-form-urlencoded",
                   "X-Twilio-Signature": validator.compute_signature(base + "/telephony/voice/incoming", params)}
        return "POST", "/telephony/voice/incoming", urlencode(params), headers

    def trivial(_n: int):
        return "GET", "/healthz", None, {}

    try:
        run_load(port, clients * 5, clients, trivial)  # warm up every worker
        trivial_lat, trivial_rps, trivial_err = run_load(port, total, clients, trivial)
        hook_lat, hook_rps, hook_err = run_load(port, total, clients, incoming)
    finally:
        server.terminate()
        server.wait(timeout=30)
    sent = (total // clients) * clients
    expected = len({(n - 5 if n % 10 == 9 else n) for n in range(sent)})
    from sqlalchemy import create_engine, text

    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        stored = conn.execute(text("SELECT count(*), count(DISTINCT call_sid) FROM contacts")).one()
    engine.dispose()
    print(f"== {kind}: {sent} requests per endpoint, {clients} concurrent clients, gunicorn {workers} workers x 4 threads")
    print(f"{'endpoint':<28}{'median ms':>10}{'p99 ms':>10}{'req/s':>10}{'errors':>8}")
    print(f"{'/healthz (trivial)':<28}{statistics.median(trivial_lat):>10.1f}{percentile(trivial_lat, 0.99):>10.1f}"
          f"{trivial_rps:>10.0f}{trivial_err:>8}")
    print(f"{'/telephony/voice/incoming':<28}{statistics.median(hook_lat):>10.1f}{percentile(hook_lat, 0.99):>10.1f}"
          f"{hook_rps:>10.0f}{hook_err:>8}")
    print(f"webhook throughput = {hook_rps / trivial_rps:.0%} of trivial; contacts stored {stored[0]} "
          f"(distinct CallSids {stored[1]}, expected {expected}): "
          f"{'OK' if stored[0] == stored[1] == expected else 'LOST OR DUPLICATED'}")
    shutil.rmtree(tmp, ignore_errors=True)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args(argv)
    for kind in (("sqlite", "postgresql") if args.db == "both" else (args.db,)):
        bench(kind, args.requests, args.clients, args.workers)
    return 0


if __name__ == "__main__":
    sys.exit(main())
