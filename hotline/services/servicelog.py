"""Appending to and verifying the service log. Every service provided is written through append()."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Iterable

from sqlalchemy import String, case, func, select, type_coerce
from sqlalchemy.orm import Session

from hotline.database import lock_for_append
from hotline.models.servicelog import (
    CHAIN_VERSION,
    CHAIN_VERSIONS,
    GENESIS_HASH,
    HASHED_FIELDS_V2,
    ServiceRecord,
    canonical_content,
    chain_hash,
)
from hotline.services import followups

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
    dispute_id: int | None = None  # the ledger entry served (a mediation session or follow-up visit)


# Why a record breaks the chain: a code, and the English sentence with its parameters (the web page says it in the
# reader's language from the code: hotline.servicelog.views).
PROBLEMS = {
    "removed": "sequence jumps from {before} to {seq}: a record was removed",
    "removed_from": "sequence jumps from {before}: a record was removed",
    "unlinked": "does not link to the record before it",
    "unknown_version": "unknown chain version {version}: the record was changed",
    "v1_linked": "a version 1 record is linked to a ledger entry: the record was changed",
    "changed": "content does not match its hash: the record was changed",
}


@dataclass(frozen=True)
class VerifyResult:
    """Outcome of a full check of the chain: where it broke, and why (a PROBLEMS code and its parameters)."""

    checked: int
    broken_seq: int | None = None
    broken_id: int | None = None
    code: str = ""
    params: dict = field(default_factory=dict)

    @property
    def problem(self) -> str:
        """Why, in English (the command line's words)."""
        return PROBLEMS[self.code].format(**self.params) if self.code else ""

    @property
    def intact(self) -> bool:
        """True when every record checked out."""
        return self.broken_seq is None


def append(session: Session, entry: ServiceEntry, now: datetime) -> ServiceRecord:
    """Append one service record to the log and return it (flushed, not committed)."""
    return append_many(session, [entry], now)[0]


def append_many(session: Session, entries: Iterable[ServiceEntry], now: datetime,
                follow_ups: bool = True) -> list[ServiceRecord]:
    """Append records in order under one lock, each chained to the one before; each record with a recipient's
    phone gets its follow-up survey in the same transaction (follow_ups=False: the caller writes its own).
    New records are written in the current chain version (2); the records before them keep theirs."""
    lock_for_append(session, SERVICE_LOG_LOCK)
    last = session.execute(
        select(ServiceRecord.seq, ServiceRecord.hash).order_by(ServiceRecord.seq.desc()).limit(1)
    ).first()
    seq, prev_hash = (last.seq, last.hash) if last else (0, GENESIS_HASH)
    records = []
    for entry in entries:
        seq += 1
        record = ServiceRecord(seq=seq, prev_hash=prev_hash, created_at=now, chain_version=CHAIN_VERSION,
                               **asdict(entry))
        record.hash = record.compute_hash()
        prev_hash = record.hash
        records.append(record)
    session.add_all(records)
    session.flush()
    if follow_ups:
        followups.open_for(session, records)
    return records


@dataclass(frozen=True)
class _Span:
    """What checking one run of sequence numbers found: its first link back and its last hash."""

    checked: int
    first_prev: str | None
    last_hash: str | None
    broken: VerifyResult | None


def _verify_span(session: Session, first_seq: int, last_seq: int | None, expected_prev: str | None,
                 batch_size: int) -> _Span:
    """Check records first_seq..last_seq (to the end when None); expected_prev None: take the first record's link
    as given (the caller checks it against the span before)."""
    columns = [ServiceRecord.id, ServiceRecord.prev_hash, ServiceRecord.hash] + [
        _canonical_column(session, name) for name in HASHED_FIELDS_V2 if name != "seq"
    ]  # every version's fields: each record is hashed with those of its own version
    expected_seq, checked, after, first_prev, last_hash = first_seq, 0, first_seq - 1, None, None
    while True:
        query = select(ServiceRecord.seq, *columns).where(ServiceRecord.seq > after)
        if last_seq is not None:
            query = query.where(ServiceRecord.seq <= last_seq)
        rows = session.execute(query.order_by(ServiceRecord.seq).limit(batch_size)).all()
        if not rows:
            return _Span(checked, first_prev, last_hash, None)
        keys = list(rows[0]._fields)
        for row in rows:
            values = dict(zip(keys, row))
            if first_prev is None:
                first_prev = row.prev_hash
                expected_prev = row.prev_hash if expected_prev is None else expected_prev
            problem = _check(values, expected_seq, expected_prev)
            if problem:
                code, params = problem
                return _Span(checked, first_prev, last_hash, VerifyResult(
                    checked=checked, broken_seq=row.seq, broken_id=row.id, code=code, params=params))
            checked += 1
            expected_seq = row.seq + 1
            expected_prev = last_hash = row.hash
            after = row.seq


def _verify_span_apart(url: str, first_seq: int, last_seq: int, batch_size: int) -> _Span:
    """_verify_span in a worker process, on a connection of its own."""
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    from hotline.database import READ_ONLY

    engine = create_engine(url, poolclass=NullPool, execution_options={READ_ONLY: True})
    try:
        with Session(engine) as session:
            return _verify_span(session, first_seq, last_seq, None, batch_size)
    finally:
        engine.dispose()


# Below this many records a single process is quicker than starting workers.
PARALLEL_FROM = 100_000


def verify(session: Session, batch_size: int = 5000, workers: int = 1) -> VerifyResult:
    """Recompute the whole chain in order and report the first record that does not check out.

    With workers > 1 a long log is split into runs of sequence numbers, each checked by its own process (hashing
    is the cost); the runs are then joined: each must start where the one before ended. The session's
    transaction is ended first (the check writes nothing).
    """
    last = session.scalar(select(func.max(ServiceRecord.seq))) or 0
    if workers <= 1 or last < PARALLEL_FROM:
        span = _verify_span(session, 1, None, GENESIS_HASH, batch_size)
        return span.broken or VerifyResult(checked=span.checked)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    url = session.get_bind().url.render_as_string(hide_password=False)
    session.rollback()  # a read-only check: let go of SQLite's lock, or the workers could not read
    size = -(-last // workers)
    bounds = [(start, min(start + size - 1, last)) for start in range(1, last + 1, size)]
    with ProcessPoolExecutor(len(bounds), mp_context=multiprocessing.get_context("spawn")) as pool:
        spans = list(pool.map(_verify_span_apart, [url] * len(bounds), *zip(*bounds), [batch_size] * len(bounds)))
    checked, expected_prev = 0, GENESIS_HASH
    for (start, _end), span in zip(bounds, spans):
        if span.checked == 0 and span.broken is None:
            # An empty run means records were removed from its start on; the sequence check below names it.
            return VerifyResult(checked=checked, broken_seq=start, code="removed_from", params={"before": start - 1})
        if span.first_prev is not None and span.first_prev != expected_prev:
            return VerifyResult(checked=checked, broken_seq=start, code="unlinked")
        if span.broken is not None:
            broken = span.broken
            return VerifyResult(checked=checked + broken.checked, broken_seq=broken.broken_seq,
                                broken_id=broken.broken_id, code=broken.code, params=broken.params)
        checked += span.checked
        expected_prev = span.last_hash
    return VerifyResult(checked=checked)


TIMESTAMPS = ("started_at", "ended_at", "created_at")


def _canonical_column(session: Session, name: str):
    """A hashed column as verify reads it: timestamps already as the canonical UTC text, made by the database.

    Formatting a million timestamps in Python was most of the time of a full check. The text equals
    models.servicelog._utc_iso: YYYY-MM-DDTHH:MM:SS.ffffffZ.
    """
    column = getattr(ServiceRecord, name)
    if name not in TIMESTAMPS:
        return column
    if session.get_bind().dialect.name == "postgresql":
        text_value = func.to_char(func.timezone("UTC", column), 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
    else:
        # SQLite keeps "YYYY-MM-DD HH:MM:SS.ffffff" in UTC (the fraction may be missing if written by hand).
        raw = type_coerce(column, String)
        full = case((func.length(raw) == 19, raw + ".000000"), else_=raw)
        text_value = func.replace(full, " ", "T") + "Z"
    return type_coerce(text_value, String).label(name)


def _check(values, expected_seq: int, expected_prev: str) -> tuple[str, dict] | None:
    """Why one record breaks the chain (a PROBLEMS code and its parameters), or None."""
    if values["seq"] != expected_seq:
        return "removed", {"before": expected_seq - 1, "seq": values["seq"]}
    if values["prev_hash"] != expected_prev:
        return "unlinked", {}
    version = values["chain_version"]
    if version not in CHAIN_VERSIONS:
        return "unknown_version", {"version": version}
    if version == 1 and values["dispute_id"] is not None:
        # Version 1 does not hash the entry, and no version 1 record was ever linked to one.
        return "v1_linked", {}
    if chain_hash(values["prev_hash"], canonical_content(values, version)) != values["hash"]:
        return "changed", {}
    return None
