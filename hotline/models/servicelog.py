"""The service log: one append-only, hash-chained record per service provided."""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hotline.extensions import db
from hotline.models.types import UTCDateTime, append_only, one_of, utcnow
from hotline.vocab import CHANNELS, LEGAL_AREAS, SERVICE_KINDS

GENESIS_HASH = "0" * 64

# The fields covered by the hash, in a fixed order; adding one is a new chain version, never a silent change.
HASHED_FIELDS = (
    "seq",
    "kind",
    "provider_user_id",
    "provider_lawyer_id",
    "recipient_name",
    "recipient_phone",
    "contact_id",
    "booking_id",
    "project_id",
    "city_id",
    "legal_area",
    "channel",
    "started_at",
    "ended_at",
    "outcome",
    "satisfaction",
    "created_at",
)
# Version 2 (from migration 0014): the version itself and the ledger entry a record serves are hashed too, so a
# record cannot be moved to another entry, nor relabelled as version 1. Version 1 records keep their hash.
HASHED_FIELDS_V2 = HASHED_FIELDS + ("chain_version", "dispute_id")
CHAIN_VERSIONS = {1: HASHED_FIELDS, 2: HASHED_FIELDS_V2}
CHAIN_VERSION = 2  # what append() writes


class ServiceRecord(db.Model):
    """One service provided; never updated or deleted, chained to the record before it by SHA-256."""

    __tablename__ = "service_records"
    __table_args__ = (
        one_of("kind", SERVICE_KINDS),
        one_of("legal_area", LEGAL_AREAS, name="legal_area_valid"),
        one_of("channel", CHANNELS, name="channel_valid"),
        CheckConstraint("seq >= 1", name="seq_positive"),
        CheckConstraint("satisfaction IS NULL OR satisfaction BETWEEN 1 AND 5", name="satisfaction_range"),
        CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="ends_after_start"),
        Index("ix_service_records_started", "started_at"),
        Index("ix_service_records_lawyer", "provider_lawyer_id", "started_at"),
        # The key projects' figures: a project's services in a period and its last service, from the index alone.
        Index("ix_service_records_project_started", "project_id", "started_at",
              postgresql_include=["provider_lawyer_id", "ended_at"]),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int] = mapped_column(unique=True)
    kind: Mapped[str] = mapped_column(String(24))
    provider_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    provider_lawyer_id: Mapped[int | None] = mapped_column(ForeignKey("lawyers.id"))
    recipient_name: Mapped[str] = mapped_column(String(120), default="")
    recipient_phone: Mapped[str | None] = mapped_column(String(20))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), index=True)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("key_projects.id"), index=True)
    # Version 2 of the chain hashes these two as well: a record of a mediation session or follow-up of a ledger entry.
    chain_version: Mapped[int] = mapped_column(default=1, server_default="1")
    dispute_id: Mapped[int | None] = mapped_column(ForeignKey("disputes.id"), index=True)
    city_id: Mapped[int | None] = mapped_column(ForeignKey("cities.id"))
    legal_area: Mapped[str | None] = mapped_column(String(32))
    channel: Mapped[str | None] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str] = mapped_column(Text, default="")
    satisfaction: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Unique: two records claiming the same predecessor would be a fork, and the database refuses it.
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    def canonical(self) -> str:
        """The record's content as canonical JSON in its chain version (see canonical_content)."""
        version = self.chain_version or 1
        return canonical_content({name: getattr(self, name) for name in CHAIN_VERSIONS[version]}, version)

    def compute_hash(self) -> str:
        """SHA-256 of the previous record's hash followed by this record's canonical content."""
        return chain_hash(self.prev_hash, self.canonical())


# Per version: the hashed fields in key order, each with its JSON key written out.
_LAYOUT = {version: tuple((f'"{name}":', name) for name in sorted(fields))
           for version, fields in CHAIN_VERSIONS.items()}
_STRING = json.encoder.encode_basestring  # JSON string literal without ASCII escaping, as json.dumps(ensure_ascii=False)


def _json_value(value) -> str:
    """One value as json.dumps(..., ensure_ascii=False) writes it; timestamps as canonical UTC text."""
    kind = value.__class__
    if value is None:
        return "null"
    if kind is str:
        return _STRING(value)
    if kind is int:
        return str(value)
    if isinstance(value, datetime):
        return _STRING(_utc_iso(value))
    return json.dumps(value, ensure_ascii=False)


def canonical_content(values, version: int = 1) -> str:
    """The hashed fields of a chain version as canonical JSON: sorted keys, UTC ISO timestamps with microseconds,
    no spaces. Raises KeyError for a version that does not exist.

    Written out by hand because a full check of the log hashes every record: this is exactly
    json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False), at a fraction of the cost
    (tests/services/test_servicelog.py compares the two).
    """
    return "{" + ",".join(key + _json_value(values[name]) for key, name in _LAYOUT[version]) + "}"


def chain_hash(prev_hash: str, canonical: str) -> str:
    """SHA-256 of the previous hash followed by the canonical content."""
    return hashlib.sha256((prev_hash + canonical).encode("utf-8")).hexdigest()


def _utc_iso(value: datetime) -> str:
    """A timestamp as UTC ISO 8601 with microseconds, the same on every database."""
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


# The log is append-only: the ORM refuses to change or delete a stored record, and so does the database, so no code
# path (bulk statements included) can edit the log. The statements are also run by migrations 0001 and 0007.
SQLITE_TRIGGERS, POSTGRES_TRIGGERS, POSTGRES_TRUNCATE_TRIGGER = append_only(ServiceRecord, "service record")


class FollowUp(db.Model):
    """A follow-up after a completed service: an SMS survey and, when unanswered, a call back."""

    __tablename__ = "follow_ups"
    __table_args__ = (
        one_of("status", ("pending", "sent", "answered", "called_back", "expired")),
        CheckConstraint("score IS NULL OR score BETWEEN 1 AND 5", name="score_range"),
        Index("ix_follow_ups_status_due", "status", "due_at"),
        # Satisfaction per service: the rating is read with the probe, without visiting the table.
        Index("ix_follow_ups_record_score", "service_record_id", "status", "score"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_record_id: Mapped[int] = mapped_column(ForeignKey("service_records.id"), unique=True)
    recipient_phone: Mapped[str | None] = mapped_column(String(20), index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    score: Mapped[int | None]
    note: Mapped[str] = mapped_column(Text, default="")
