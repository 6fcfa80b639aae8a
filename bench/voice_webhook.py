"""Benchmark: signed incoming-call webhooks from 32 concurrent clients against the app under gunicorn.

    python bench/voice_webhook.py [--db sqlite|postgresql|both] [--seconds 10] [--clients 32] [--workers N]

Runs gunicorn as the README's production command does (sync workers; by default one per core) and drives it with
wrk (`apt-get install -y wrk`), a load generator in C, so that the clients take as little as possible of the CPU
the server runs on. Each client is one wrk thread with one connection, sending its own share of pre-signed
requests in order. Prints median and 99th-percentile latency and requests per second for /telephony/voice/incoming
beside the same figures for a trivial endpoint (/healthz) in the same run. Every 10th request repeats an earlier
CallSid, as Twilio's retries do; afterwards every answered call must have exactly one contact, and no contact may
exist for a call that was never sent.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import http.client
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
        [gunicorn, "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--log-level", "warning", "wsgi:app"],
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


# One wrk thread per client, one connection each, so a client's responses come back in the order it sent its
# requests: the first `answered` of its requests are the ones that were answered. Client t sends the requests of
# lines t, t + clients, t + 2 * clients, ... of the request file (wrapping round if it runs out: more retries).
WRK_SCRIPT = """
local threads = {}
function setup(thread)
  thread:set("id", #threads)
  table.insert(threads, thread)
end
function init(args)
  local clients, path, n = tonumber(args[1]), args[2], 0
  reqs = {}
  for line in io.lines(args[3]) do
    if n % clients == id then
      local method, target, signature, body = line:match("([^\\t]*)\\t([^\\t]*)\\t([^\\t]*)\\t(.*)")
      local headers = {}
      if signature ~= "" then
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["X-Twilio-Signature"] = signature
      end
      table.insert(reqs, wrk.format(method, target, headers, body ~= "" and body or nil))
    end
    n = n + 1
  end
  sent, answered, failed = 0, 0, 0
  -- wrk calls request() once on its first thread to check the script; that request is never sent
  skipped = id == 0 and 1 or 0
end
function request()
  sent = sent + 1
  return reqs[(sent - 1) % #reqs + 1]
end
function response(status, headers, body)
  answered = answered + 1
  if status ~= 200 then failed = failed + 1 end
end
function done(summary, latency, requests)
  local counts = {}
  for _, thread in ipairs(threads) do
    table.insert(counts, string.format("[%d,%d,%d,%d]", thread:get("skipped"), thread:get("sent") - thread:get("skipped"),
                                     thread:get("answered"), thread:get("failed")))
  end
  local e = summary.errors
  io.write(string.format(
    '\\nRESULT {"requests": %d, "seconds": %f, "median_ms": %f, "p99_ms": %f, "socket_errors": %d, "clients": [%s]}\\n',
    summary.requests, summary.duration / 1e6, latency:percentile(50) / 1e3, latency:percentile(99) / 1e3,
    e.connect + e.read + e.write + e.timeout, table.concat(counts, ",")))
end
"""


def run_wrk(port: int, lines: list[str], clients: int, seconds: int, workdir: Path) -> dict:
    """Drive the server with wrk from `clients` connections for `seconds`; wrk's summary and per-client counts."""
    wrk = shutil.which("wrk")
    if wrk is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    script, requests = workdir / "load.lua", workdir / f"requests-{len(lines)}-{hash(lines[0])}.tsv"
    script.write_text(WRK_SCRIPT)
    requests.write_text("\n".join(lines) + "\n")
    output = subprocess.run(
        [wrk, f"-t{clients}", f"-c{clients}", f"-d{seconds}s", "--timeout", "30s", "-s", str(script),
         f"http://127.0.0.1:{port}", "--", str(clients), "/", str(requests)],
        capture_output=True, text=True, check=True,
    ).stdout
    line = next(line for line in output.splitlines() if line.startswith("RESULT "))
    result = json.loads(line.removeprefix("RESULT "))
    result["rps"] = result["requests"] / result["seconds"]
    result["failed"] = sum(failed for *_, failed in result["clients"])
    return result


def served_lines(counts: list[list[int]], total: int, clients: int, which: int) -> list[int]:
    """Line numbers of the request file that each client sent (which=1) or got answers to (which=2)."""
    lines = []
    for client, row in enumerate(counts):
        own, skipped = list(range(client, total, clients)), row[0]
        lines.extend(own[k % len(own)] for k in range(skipped, skipped + row[which]))
    return lines


def bench(kind: str, seconds: int, clients: int, workers: int) -> bool:
    from sqlalchemy import create_engine, text
    from twilio.request_validator import RequestValidator

    tmp = Path(tempfile.mkdtemp(prefix="hotline-bench-"))
    database_url = f"sqlite:///{tmp / 'bench.sqlite3'}" if kind == "sqlite" else PG_URL
    prepare(database_url)
    port = free_port()
    validator = RequestValidator(TOKEN)
    base = f"http://127.0.0.1:{port}"
    total = int(seconds * 5000)  # more than these 2 cores answer, so no client runs out

    def call_sid(n: int) -> str:
        return f"CA{(n - 5 if n % 10 == 9 else n):032d}"  # every 10th request retries an earlier call

    hooks = []
    for n in range(total):
        params = {"CallSid": call_sid(n), "From": f"+86138{n % 100000000:08d}", "To": "+862412348",
                  "CallStatus": "ringing"}
        signature = validator.compute_signature(base + "/telephony/voice/incoming", params)
        hooks.append(f"POST\t/telephony/voice/incoming\t{signature}\t{urlencode(params)}")
    trivial = ["GET\t/healthz\t\t"] * clients
    server = start_server(database_url, port, workers)
    try:
        run_wrk(port, trivial, clients, 2, tmp)  # warm up every worker
        healthz = run_wrk(port, trivial, clients, seconds, tmp)
        hook = run_wrk(port, hooks, clients, seconds, tmp)
    finally:
        server.terminate()
        server.wait(timeout=30)  # gunicorn finishes the requests it has read before it exits
    sent = {call_sid(n) for n in served_lines(hook["clients"], total, clients, 1)}
    answered = {call_sid(n) for n in served_lines(hook["clients"], total, clients, 2)}
    engine = create_engine(database_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as conn:
        stored = [row[0] for row in conn.execute(text("SELECT call_sid FROM contacts"))]
    engine.dispose()
    lost, unexpected, duplicated = answered - set(stored), set(stored) - sent, len(stored) - len(set(stored))
    ok = not (lost or unexpected or duplicated or hook["failed"] or healthz["failed"])
    print(f"== {kind}: {clients} concurrent clients (wrk) for {seconds:g} s per endpoint, gunicorn {workers} sync workers")
    print(f"{'endpoint':<28}{'requests':>10}{'median ms':>10}{'p99 ms':>10}{'req/s':>10}{'non-200':>9}{'socket':>8}")
    for name, result in (("/healthz (trivial)", healthz), ("/telephony/voice/incoming", hook)):
        print(f"{name:<28}{result['requests']:>10}{result['median_ms']:>10.1f}{result['p99_ms']:>10.1f}"
              f"{result['rps']:>10.0f}{result['failed']:>9}{result['socket_errors']:>8}")
    print(f"webhook throughput = {hook['rps'] / healthz['rps']:.0%} of trivial; {len(answered)} calls answered, "
          f"{len(stored)} contacts stored: {len(lost)} lost, {duplicated} duplicated, {len(unexpected)} never sent: "
          f"{'OK' if ok else 'FAILED'}")
    shutil.rmtree(tmp, ignore_errors=True)
    return ok


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.clients < 1 or args.workers < 1:
        parser.error("--seconds, --clients and --workers must be positive")
    results = [bench(kind, args.seconds, args.clients, args.workers)
               for kind in (("sqlite", "postgresql") if args.db == "both" else (args.db,))]
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
