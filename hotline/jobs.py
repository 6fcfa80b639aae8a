"""Background work.

Jobs (solves, matchings) run on an embedded thread pool by default, or on RQ workers sharing a Redis queue when
REDIS_URL is set (`flask --app wsgi worker`). Their state lives in the jobs table: progress and heartbeats are
written as they run, a cancel request is read back, and a job whose worker died is reaped as failed.

Outgoing messages are delivered right after the transaction that queued them commits, on the same pool (in
tests, at once in the same thread), and a sweeper retries what is due and queues consultation reminders and
follow-up surveys.
"""
from __future__ import annotations

import json
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from typing import Callable

from flask import Flask, current_app, has_app_context
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from scheduling.common import CancelToken

log = logging.getLogger(__name__)
_executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="hotline-job")
PENDING = "outbox_pending"


def mark_outbox_pending(session: Session) -> None:
    """Note that this transaction queued a message, to deliver once it commits."""
    session.info[PENDING] = True


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    """Kick off delivery of messages queued by the transaction that just committed."""
    if session.in_nested_transaction():
        return  # a savepoint was released; the messages wait for the real commit
    if session.info.pop(PENDING, False) and has_app_context():
        deliver_outbox(current_app._get_current_object())  # type: ignore[attr-defined]


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    """Nothing was queued after all."""
    session.info.pop(PENDING, None)


def twilio_settings(app: Flask):
    """The gateway settings of this app (tests inject a fake HTTP client in app.extensions)."""
    from hotline.telephony.gateway import TwilioSettings

    return TwilioSettings.from_config(app.config, app.extensions.get("twilio_http_client"))


def _in_own_session(app: Flask, work: Callable, what: str) -> int:
    """Run work(session) in a session of its own and commit; a failure is logged, not lost, and returns 0."""
    from hotline.extensions import db

    with app.app_context():
        try:
            done = work(db.session)
            db.session.commit()
            return done
        except Exception:  # noqa: BLE001 (a background failure must be logged, not lost)
            db.session.rollback()
            log.exception("%s failed", what)
            return 0
        finally:
            db.session.remove()


def _deliver(app: Flask) -> int:
    """Send what is due in the outbox (after a commit that queued messages); returns how many were tried."""
    from hotline.models.types import utcnow
    from hotline.telephony import gateway

    return _in_own_session(app, lambda session: gateway.deliver_due(session, twilio_settings(app), utcnow()),
                           "outbox delivery")


_LEDGER_SWEPT: dict[int, datetime] = {}  # app -> when the ledger's deadlines were last acted on


def _sweep(app: Flask) -> int:
    """The periodic sweep: queue the consultation reminders and follow-up surveys that are due, act on the dispute
    ledger's deadlines (warn, escalate), then send what is due in the outbox; returns how many messages were tried."""
    from hotline.models.types import utcnow
    from hotline.services import dispute_deadlines, followups, reminders
    from hotline.telephony import gateway

    def work(session) -> int:
        reminders.send_due(session, utcnow())
        followups.send_due(session, utcnow())
        now = utcnow()
        # The ledger's deadlines are minutes to days long: reading every open entry's history each sweep would be
        # waste, so they are acted on every DISPUTE_SWEEP_SECONDS (5 minutes unless configured).
        every = timedelta(seconds=app.config.get("DISPUTE_SWEEP_SECONDS", 300))
        last = _LEDGER_SWEPT.get(id(app))
        if last is None or now - last >= every:
            dispute_deadlines.sweep(session, now, lambda phone, body: gateway.queue_sms(
                session, phone, body, "dispute_deadline", now))
            _LEDGER_SWEPT[id(app)] = now
        return gateway.deliver_due(session, twilio_settings(app), utcnow())

    return _in_own_session(app, work, "outbox sweep")


def deliver_outbox(app: Flask) -> None:
    """Deliver the outbox now (eager, for tests and commands) or on the embedded pool."""
    if app.config.get("JOBS_EAGER"):
        _deliver(app)
    else:
        _executor.submit(_deliver, app)


def start_sweeper(app: Flask, every_seconds: float) -> threading.Thread:
    """A daemon thread that queues due reminders and surveys and retries due messages every few seconds (one per
    process)."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(every_seconds):
            _sweep(app)

    thread = threading.Thread(target=loop, name="hotline-outbox-sweeper", daemon=True)
    thread.stop = stop  # type: ignore[attr-defined]
    thread.start()
    return thread


def warm_solvers() -> threading.Thread:
    """Compile the solvers' numba routines in a daemon thread, so that the first solve after an install does not
    spend 10-45 s compiling before its first progress report (a later start loads them in about a second)."""
    def work() -> None:
        from scheduling.warm import warm_up
        try:
            log.info("solver routines ready in %.1f s", warm_up())
        except Exception:  # a failed warm-up only means the first solve compiles for itself
            log.exception("warming the solver routines failed")

    thread = threading.Thread(target=work, name="hotline-warm-solvers", daemon=True)
    thread.start()
    return thread


def init_app(app: Flask) -> None:
    """With the first request (after any fork), unless testing: warm the solvers and start the sweeper (unless
    disabled)."""
    if app.config.get("TESTING"):
        return
    seconds = app.config.get("OUTBOX_SWEEP_SECONDS", 30)
    started = threading.Lock()
    state = {"thread": None, "warm": None}

    @app.before_request
    def _ensure_background() -> None:
        if state["warm"] is None or (seconds and state["thread"] is None):
            with started:
                if state["warm"] is None:
                    state["warm"] = warm_solvers()
                if seconds and state["thread"] is None:
                    state["thread"] = start_sweeper(app, seconds)


# ---- Jobs -----------------------------------------------------------------------------------------------------

HEARTBEAT_SECONDS = 5
STALE_AFTER_SECONDS = 60
HANDLERS: dict[str, Callable[["JobContext"], dict]] = {}
QUEUE_NAME = "hotline"


def handler(kind: str):
    """Register the function that runs jobs of this kind; it takes a JobContext and returns a JSON-able result."""

    def register(function):
        HANDLERS[kind] = function
        return function

    return register


class JobCancelled(Exception):
    """Raised by a handler that stopped because a cancel was requested."""


class JobContext:
    """What a running job sees: its parameters, a progress reporter and the cancel flag."""

    def __init__(self, app: Flask, job_id: int, params: dict):
        self.app = app
        self.job_id = job_id
        self.params = params
        self.cancel = CancelToken()
        self._lock = threading.Lock()
        self._progress: dict = {}

    def report(self, **progress) -> None:
        """Record progress (written with the next heartbeat, at most every few seconds)."""
        with self._lock:
            self._progress = progress

    def _beat(self) -> None:
        """Write progress and heartbeat; read back a cancel request."""
        from hotline.extensions import db
        from hotline.models import Job
        from hotline.models.types import utcnow

        with self._lock:
            progress = dict(self._progress)
        with self.app.app_context():
            try:
                job = db.session.get(Job, self.job_id)
                job.heartbeat_at = utcnow()
                if progress:
                    job.progress_json = json.dumps(progress)
                cancel = job.cancel_requested
                db.session.commit()
            finally:
                db.session.remove()
        if cancel:
            self.cancel.cancel()


def submit(session: Session, kind: str, params: dict, created_by_id: int | None, now):
    """Create a queued Job (flushed); it is dispatched when the caller's transaction commits."""
    from hotline.models import Job

    if kind not in HANDLERS:
        raise ValueError(f"no handler for job kind {kind!r}")
    job = Job(kind=kind, status="queued", params_json=json.dumps(params), created_by_id=created_by_id, created_at=now)
    session.add(job)
    session.flush()
    session.info.setdefault(JOBS_PENDING, []).append(job.id)
    return job


JOBS_PENDING = "jobs_pending"


@event.listens_for(Session, "after_commit")
def _dispatch_jobs(session: Session) -> None:
    """Start the jobs created by the transaction that just committed."""
    if session.in_nested_transaction():
        return
    pending = session.info.pop(JOBS_PENDING, [])
    if pending and has_app_context():
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        for job_id in pending:
            dispatch(app, job_id)


@event.listens_for(Session, "after_rollback")
def _forget_jobs(session: Session) -> None:
    session.info.pop(JOBS_PENDING, None)


def dispatch(app: Flask, job_id: int) -> None:
    """Hand a queued job to Redis (RQ) when configured, else to the embedded pool (or run it now, in tests)."""
    if app.config.get("REDIS_URL"):
        from rq import Queue

        Queue(QUEUE_NAME, connection=_redis(app.config["REDIS_URL"])).enqueue(
            "hotline.jobs.run_job_in_worker", job_id, job_timeout=3600, result_ttl=0)
    elif app.config.get("JOBS_EAGER"):
        run_job(app, job_id)
    else:
        _job_executor.submit(run_job, app, job_id)


_redis_clients: dict = {}


def _redis(url: str):
    """One Redis client (with its connection pool) per URL for the whole process."""
    from redis import Redis

    if url not in _redis_clients:
        _redis_clients[url] = Redis.from_url(url)
    return _redis_clients[url]


_job_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="hotline-solve")


def run_job_in_worker(job_id: int) -> None:
    """Entry point for RQ workers: run the job with an app built from the worker's environment."""
    from hotline import create_app

    app = current_app._get_current_object() if has_app_context() else create_app()  # type: ignore[attr-defined]
    run_job(app, job_id)


def run_job(app: Flask, job_id: int) -> None:
    """Run one job to its end, recording running, heartbeats, then succeeded, failed or cancelled."""
    from hotline.extensions import db
    from hotline.models import Job
    from hotline.models.types import utcnow

    with app.app_context():
        job = db.session.get(Job, job_id)
        if job is None or job.status != "queued":
            db.session.remove()
            return
        job.status = "running"
        job.started_at = job.heartbeat_at = utcnow()
        kind, params = job.kind, json.loads(job.params_json or "{}")
        db.session.commit()
        db.session.remove()
    context = JobContext(app, job_id, params)
    stop = threading.Event()

    def heartbeat() -> None:
        while not stop.wait(HEARTBEAT_SECONDS):
            try:
                context._beat()
            except Exception:  # noqa: BLE001 (a missed heartbeat is retried; the job goes on)
                log.exception("heartbeat of job %s failed", job_id)

    beats = threading.Thread(target=heartbeat, name=f"hotline-job-{job_id}-heartbeat", daemon=True)
    beats.start()
    status, result, error = "succeeded", None, ""
    try:
        with app.app_context():
            try:
                result = HANDLERS[kind](context)
            finally:
                db.session.remove()
    except JobCancelled:
        status, error = "cancelled", "cancelled by a coordinator"
    except Exception as failure:  # noqa: BLE001 (the reason is stored and shown)
        log.exception("job %s failed", job_id)
        status, error = "failed", f"{type(failure).__name__}: {failure}"[:4000]
    finally:
        stop.set()
        beats.join(timeout=HEARTBEAT_SECONDS + 5)
    with app.app_context():
        try:
            job = db.session.get(Job, job_id)
            job.status = status
            job.error = error
            job.finished_at = utcnow()
            if result is not None:
                job.result_json = json.dumps(result, ensure_ascii=False)
            with context._lock:
                if context._progress:
                    job.progress_json = json.dumps(context._progress)
            db.session.commit()
        finally:
            db.session.remove()


QUEUED_TOO_LONG = timedelta(minutes=10)


def reap_stale(session: Session, now, embedded: bool = True) -> int:
    """Mark jobs that can no longer finish as failed, with the reason; returns how many.

    A running job whose worker stopped beating has died. With the embedded queue a job still queued after ten
    minutes was lost with the process that held it (a Redis queue keeps its jobs, so they are left alone).
    """
    from hotline.models import Job

    limit = now - timedelta(seconds=STALE_AFTER_SECONDS)
    stale = list(session.scalars(select(Job).where(Job.status == "running", Job.heartbeat_at < limit)))
    for job in stale:
        job.status = "failed"
        job.error = f"the worker stopped responding (last heartbeat {job.heartbeat_at:%Y-%m-%d %H:%M:%S} UTC)"
        job.finished_at = now
    if embedded:
        lost = list(session.scalars(select(Job).where(Job.status == "queued", Job.created_at < now - QUEUED_TOO_LONG)))
        for job in lost:
            job.status = "failed"
            job.error = "never started: the server that queued it stopped first; run it again"
            job.finished_at = now
        stale += lost
    session.flush()
    return len(stale)


def request_cancel(session: Session, job) -> None:
    """Ask a queued or running job to stop; a queued one is cancelled at once."""
    if job.status == "queued":
        job.status = "cancelled"
        job.error = "cancelled before it started"
    elif job.status == "running":
        job.cancel_requested = True
    session.flush()


def result_of(job) -> dict | None:
    """A finished job's result as a dict (None when there is none)."""
    if job is None or not job.result_json:
        return None
    return json.loads(job.result_json)


def progress_of(job) -> dict:
    """A job's last reported progress."""
    return json.loads(job.progress_json or "{}") if job is not None else {}
