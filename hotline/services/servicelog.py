"""Appending to and verifying the service log. Every service provided is written through append()."""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.database import lock_for_append
from hotline.models.servicelog import (
    GENESIS_HASH,
    HASHED_FIELDS,
    ServiceRecord,
    canonical_content,
    chain_hash,
)

# Advisory-lock key for the one service-log chain (PostgreSQL); any constant the app uses nowhere else.
SERVICE_LOG_LOCK = 12348_0001


@dataclass(frozen=True)
class ServiceEntry:
    """What a caller tells the log about one service provided."""

    kind: str
    started_at: datetime
    ended_at: datetime | None = None
    provider_user_id: int | None = None
    provider_lawyer_id: int | None = None
    recipient_name: str = ""
    recipient_phone: str | None = None
    contact_id: int | None = None
    booking_id: int | None = None
    project_id: int | None = None
    city_id: int | None = None
    legal_area: str | None = None
    channel: str | None = None
    outcome: str = ""
    satisfaction: int | None = None


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of a full check of the chain."""

    checked: int
    broken_seq: int | None = None
    broken_id: int | None = None
    problem: str = ""

    @property
    def intact(self) -> bool:
        """True when every record checked out."""
        return self.broken_seq is None


def append(session: Session, entry: ServiceEntry, now: datetime) -> ServiceRecord:
    """Append one service record to the log and return it (flushed, not committed)."""
    return append_many(session, [entry], now)[0]


def append_many(session: Session, entries: Iterable[ServiceEntry], now: datetime) -> list[ServiceRecord]:
    """Append records in order under one lock, each chained to the one before."""
    lock_for_append(session, SERVICE_LOG_LOCK)
    last = session.execute(
        select(ServiceRecord.seq, ServiceRecord.hash).order_by(ServiceRecord.seq.desc()).limit(1)
    ).first()
    seq, prev_hash = (last.seq, last.hash) if last else (0, GENESIS_HASH)
    records = []
    for entry in entries:
        seq += 1
        record = ServiceRecord(seq=seq, prev_hash=prev_hash, created_at=now, **asdict(entry))
        record.hash = record.compute_hash()
        prev_hash = record.hash
        records.append(record)
    session.add_all(records)
    session.flush()
    return records


def verify(session: Session, batch_size: int = 5000) -> VerifyResult:
    """Recompute the whole chain in order and report the first record that does not check out."""
    columns = [ServiceRecord.id, ServiceRecord.prev_hash, ServiceRecord.hash] + [
        getattr(ServiceRecord, name) for name in HASHED_FIELDS if name != "seq"
    ]
    expected_prev = GENESIS_HASH
    expected_seq = 1
    checked = 0
    last_seq = 0
    while True:
        rows = session.execute(
            select(ServiceRecord.seq, *columns)
            .where(ServiceRecord.seq > last_seq)
            .order_by(ServiceRecord.seq)
            .limit(batch_size)
        ).all()
        if not rows:
            return VerifyResult(checked=checked)
        for row in rows:
            values = row._mapping
            problem = _check(values, expected_seq, expected_prev)
            if problem:
                return VerifyResult(checked=checked, broken_seq=row.seq, broken_id=row.id, problem=problem)
            checked += 1
            expected_seq = row.seq + 1
            expected_prev = row.hash
            last_seq = row.seq


def _check(values, expected_seq: int, expected_prev: str) -> str:
    """Why one record breaks the chain, or an empty string."""
    if values["seq"] != expected_seq:
        return f"sequence jumps from {expected_seq - 1} to {values['seq']}: a record was removed"
    if values["prev_hash"] != expected_prev:
        return "does not link to the record before it"
    if chain_hash(values["prev_hash"], canonical_content(values)) != values["hash"]:
        return "content does not match its hash: the record was changed"
    return ""
