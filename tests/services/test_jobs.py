"""Background jobs: state in the database, progress, cancel, failures with their reason, dead workers reaped."""
from __future__ import annotations

import json
import os
import threading
import time
from datetime import timedelta

import pytest

from hotline import jobs
from hotline.extensions import db
from hotline.models import Job
from hotline.models.types import utcnow


@jobs.handler("test_add")
def _add(context: jobs.JobContext) -> dict:
    context.report(step="adding")
    return {"sum": context.params["a"] + context.params["b"]}


@jobs.handler("test_fail")
def _fail(context: jobs.JobContext) -> dict:
    raise RuntimeError("the solver ran out of memory")


@jobs.handler("test_wait_for_cancel")
def _wait(context: jobs.JobContext) -> dict:
    context.report(step="waiting")
    started = time.monotonic()
    while not context.cancel.cancelled:
        if time.monotonic() - started > 20:
            return {"gave_up": True}
        time.sleep(0.01)
    raise jobs.JobCancelled()


def _submit(app, kind, params=None):
    with app.app_context():
        job = jobs.submit(db.session, kind, params or {}, None, utcnow())
        db.session.commit()
        job_id = job.id
        db.session.remove()
    return job_id


def test_job_runs_and_keeps_its_result(app, make):
    """A submitted job runs after the commit and stores status, progress and result."""
    job = make.get(Job, _submit(app, "test_add", {"a": 2, "b": 3}))
    assert job.status == "succeeded" and json.loads(job.result_json) == {"sum": 5}
    assert json.loads(job.progress_json) == {"step": "adding"} and job.finished_at >= job.started_at


def test_failed_job_shows_its_reason(app, make):
    """A failing job is failed with the reason, not running forever."""
    job = make.get(Job, _submit(app, "test_fail"))
    assert job.status == "failed" and "ran out of memory" in job.error


def test_unknown_kind_is_refused(app):
    """Only registered kinds can be submitted."""
    with app.app_context(), pytest.raises(ValueError):
        jobs.submit(db.session, "no_such_kind", {}, None, utcnow())


def test_cancel_stops_a_running_job(app_factory, make, monkeypatch):
    """A cancel request reaches the running job through its heartbeat and ends it as cancelled."""
    monkeypatch.setattr(jobs, "HEARTBEAT_SECONDS", 0.05)
    app = app_factory(JOBS_EAGER=False)
    with app.app_context():
        job = Job(kind="test_wait_for_cancel", status="queued", params_json="{}")
        db.session.add(job)
        db.session.commit()
        job_id = job.id
        db.session.remove()
    runner = threading.Thread(target=jobs.run_job, args=(app, job_id))
    runner.start()
    for _ in range(200):
        if make.get(Job, job_id).status == "running":
            break
        time.sleep(0.01)
    with app.app_context():
        jobs.request_cancel(db.session, db.session.get(Job, job_id))
        db.session.commit()
        db.session.remove()
    runner.join(timeout=20)
    job = make.get(Job, job_id)
    assert job.status == "cancelled" and "cancelled" in job.error


def test_queued_job_is_cancelled_at_once(make, app):
    """Cancelling a job that has not started cancels it without a worker."""
    job = make.job(status="queued")
    with app.app_context():
        jobs.request_cancel(db.session, db.session.get(Job, job.id))
        db.session.commit()
        db.session.remove()
    assert make.get(Job, job.id).status == "cancelled"


def test_dead_worker_is_reaped_as_failed(make):
    """A running job without a heartbeat for a minute is marked failed with the reason."""
    now = utcnow()
    dead = make.job(status="running", started_at=now - timedelta(minutes=10), heartbeat_at=now - timedelta(minutes=5))
    alive = make.job(status="running", started_at=now - timedelta(minutes=1), heartbeat_at=now - timedelta(seconds=3))
    assert jobs.reap_stale(make.session, now) == 1
    make.session.commit()
    assert make.get(Job, dead.id).status == "failed" and "stopped responding" in make.get(Job, dead.id).error
    assert make.get(Job, alive.id).status == "running"


def test_jobs_go_through_redis_when_configured(app_factory, make):
    """With REDIS_URL the job is queued on Redis and an RQ worker runs it."""
    from redis import Redis
    from rq import Queue, SimpleWorker

    url = "redis://127.0.0.1:6379/15"
    redis = Redis.from_url(url)
    try:
        redis.ping()
    except Exception:  # noqa: BLE001
        if os.environ.get("REQUIRE_REDIS") == "1":
            pytest.fail("Redis is not running at 127.0.0.1:6379")
        pytest.skip("Redis is not running at 127.0.0.1:6379")
    redis.flushdb()
    app = app_factory(REDIS_URL=url, JOBS_EAGER=False)
    job_id = _submit(app, "test_add", {"a": 40, "b": 2})
    queue = Queue(jobs.QUEUE_NAME, connection=redis)
    assert queue.count == 1 and make.get(Job, job_id).status == "queued"
    with app.app_context():
        SimpleWorker([queue], connection=redis).work(burst=True)
    job = make.get(Job, job_id)
    assert job.status == "succeeded" and json.loads(job.result_json) == {"sum": 42}
    redis.flushdb()
    redis.close()


def test_job_lost_before_it_started_is_failed(make):
    """With the embedded queue, a job queued for over ten minutes was lost with its process: failed, with why."""
    now = utcnow()
    lost = make.job(status="queued", created_at=now - timedelta(minutes=30))
    fresh = make.job(status="queued", created_at=now - timedelta(seconds=5))
    assert jobs.reap_stale(make.session, now, embedded=False) == 0
    assert jobs.reap_stale(make.session, now) == 1
    make.session.commit()
    assert make.get(Job, lost.id).status == "failed" and "never started" in make.get(Job, lost.id).error
    assert make.get(Job, fresh.id).status == "queued"
