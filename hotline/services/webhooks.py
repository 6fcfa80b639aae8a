"""Telephony callbacks handled once: the first delivery of an event does the work, a replay (Twilio's retry, or
someone re-sending a signed request) gets the first answer back and changes nothing."""
from __future__ import annotations

import functools
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from hotline.models import WebhookReceipt

EVENT_MAX = 120


def claim(session: Session, sid: str, event: str, now: datetime) -> int | None:
    """Claim (sid, event) for this transaction: its receipt id when this is the first delivery, None for a replay.

    INSERT ... ON CONFLICT DO NOTHING: on PostgreSQL a concurrent duplicate waits for the first to commit and then
    finds it; on SQLite every writing transaction already runs alone.
    """
    values = {"sid": sid, "event": event[:EVENT_MAX], "received_at": now}
    return session.scalar(_claim_once(session.get_bind().dialect.name), values)


@functools.cache
def _claim_once(dialect: str):
    """The INSERT of a receipt, built once per dialect."""
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    table = WebhookReceipt.__table__
    return (insert(table).values({name: bindparam(name, type_=table.c[name].type)
                                  for name in ("sid", "event", "received_at")})
            .on_conflict_do_nothing(index_elements=["sid", "event"]).returning(table.c.id))


def first_answer(session: Session, sid: str, event: str) -> str | None:
    """What the first delivery of (sid, event) answered, or None when it is not stored (yet)."""
    return session.scalar(select(WebhookReceipt.response).where(WebhookReceipt.sid == sid,
                                                                WebhookReceipt.event == event[:EVENT_MAX]))


def keep_answer(session: Session, receipt_id: int, body: str) -> None:
    """Store the first delivery's answer for its replays."""
    receipt = session.get(WebhookReceipt, receipt_id)
    if receipt is not None:
        receipt.response = body
        session.flush()
