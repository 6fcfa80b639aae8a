"""Background work. Outgoing messages are delivered right after the transaction that queued them commits,
on an embedded thread pool (in tests, at once in the same thread), and a sweeper retries what is due.
"""
from __future__ import annotations

import logging
import threading
from concurrent.futures import ThreadPoolExecutor

from flask import Flask, current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
_executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="hotline-job")
PENDING = "outbox_pending"


def mark_outbox_pending(session: Session) -> None:
    """Note that this transaction queued a message, to deliver once it commits."""
    session.info[PENDING] = True


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    """Kick off delivery of messages queued by the transaction that just committed."""
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


def _deliver(app: Flask) -> int:
    """Send what is due in the outbox, in a session of its own."""
    from hotline.extensions import db
    from hotline.models.types import utcnow
    from hotline.telephony import gateway

    with app.app_context():
        try:
            sent = gateway.deliver_due(db.session, twilio_settings(app), utcnow())
            db.session.commit()
            return sent
        except Exception:  # noqa: BLE001 (a background failure must be logged, not lost)
            db.session.rollback()
            log.exception("outbox delivery failed")
            return 0
        finally:
            db.session.remove()


def deliver_outbox(app: Flask) -> None:
    """Deliver the outbox now (eager, for tests and commands) or on the embedded pool."""
    if app.config.get("JOBS_EAGER"):
        _deliver(app)
    else:
        _executor.submit(_deliver, app)


def start_sweeper(app: Flask, every_seconds: float) -> threading.Thread:
    """A daemon thread that retries due messages every few seconds (one per process)."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(every_seconds):
            _deliver(app)

    thread = threading.Thread(target=loop, name="hotline-outbox-sweeper", daemon=True)
    thread.stop = stop  # type: ignore[attr-defined]
    thread.start()
    return thread


def init_app(app: Flask) -> None:
    """Start the sweeper with the first request (after any fork), unless disabled (tests)."""
    seconds = app.config.get("OUTBOX_SWEEP_SECONDS", 30)
    if not seconds or app.config.get("TESTING"):
        return
    started = threading.Lock()
    state = {"thread": None}

    @app.before_request
    def _ensure_sweeper() -> None:
        if state["thread"] is None:
            with started:
                if state["thread"] is None:
                    state["thread"] = start_sweeper(app, seconds)
