"""Consultations: lawyers' video and phone slots, liaisons' counsel requests, and bookings."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.extensions import db
from hotline.models.types import UTCDateTime, one_of, utcnow
from hotline.vocab import CONSULT_MODES, LEGAL_AREAS, URGENCIES


class ConsultationSlot(db.Model):
    """A time a lawyer on a consultation block can take one video or phone consultation."""

    __tablename__ = "consultation_slots"
    __table_args__ = (
        one_of("mode", CONSULT_MODES),
        one_of("status", ("open", "booked", "withdrawn")),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        UniqueConstraint("lawyer_id", "starts_at"),
        Index("ix_slots_open", "status", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lawyer_id: Mapped[int] = mapped_column(ForeignKey("lawyers.id"))
    shift_id: Mapped[int | None] = mapped_column(ForeignKey("shifts.id", ondelete="SET NULL"))
    mode: Mapped[str] = mapped_column(String(8))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="open")

    lawyer = relationship("Lawyer")


class CounselRequest(db.Model):
    """A liaison's request for counsel on a project."""

    __tablename__ = "counsel_requests"
    __table_args__ = (
        one_of("legal_area", LEGAL_AREAS),
        one_of("urgency", URGENCIES),
        one_of("mode", CONSULT_MODES),
        one_of("status", ("pending", "allocated", "booked", "completed", "cancelled")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("key_projects.id"), index=True)
    liaison_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    legal_area: Mapped[str] = mapped_column(String(32))
    urgency: Mapped[str] = mapped_column(String(16), default="normal")
    mode: Mapped[str] = mapped_column(String(8), default="video")
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    project = relationship("KeyProject")
    windows: Mapped[list["RequestWindow"]] = relationship(back_populates="request", cascade="all, delete-orphan")
    attachments: Mapped[list["Attachment"]] = relationship(back_populates="request", cascade="all, delete-orphan")


class RequestWindow(db.Model):
    """A time window in which the liaison can take the consultation."""

    __tablename__ = "request_windows"
    __table_args__ = (CheckConstraint("ends_at > starts_at", name="ends_after_start"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("counsel_requests.id", ondelete="CASCADE"), index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)

    request: Mapped[CounselRequest] = relationship(back_populates="windows")


class Attachment(db.Model):
    """A file attached to a counsel request, stored under the instance folder by its SHA-256."""

    __tablename__ = "attachments"
    __table_args__ = (CheckConstraint("size_bytes > 0", name="size_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("counsel_requests.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    request: Mapped[CounselRequest] = relationship(back_populates="attachments")


class Booking(db.Model):
    """A consultation booked in a slot for a counsel request."""

    __tablename__ = "bookings"
    __table_args__ = (
        one_of("status", ("booked", "cancelled", "completed", "no_show")),
        one_of("mode", CONSULT_MODES),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        # A slot holds one live booking; the database refuses a second one.
        Index(
            "uq_bookings_live_slot",
            "slot_id",
            unique=True,
            sqlite_where=text("status = 'booked'"),
            postgresql_where=text("status = 'booked'"),
        ),
        # A request holds one live booking at a time (rescheduling cancels the old one first).
        Index(
            "uq_bookings_live_request",
            "request_id",
            unique=True,
            sqlite_where=text("status = 'booked'"),
            postgresql_where=text("status = 'booked'"),
        ),
        Index("ix_bookings_lawyer_time", "lawyer_id", "starts_at"),
        # On PostgreSQL, migration 0005 adds an exclusion constraint: a lawyer's live bookings never overlap
        # (ex_bookings_lawyer_overlap). SQLite checks the same inside its immediate transaction.
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("counsel_requests.id"), index=True)
    slot_id: Mapped[int] = mapped_column(ForeignKey("consultation_slots.id"))
    lawyer_id: Mapped[int] = mapped_column(ForeignKey("lawyers.id"))
    mode: Mapped[str] = mapped_column(String(8))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="booked")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancel_reason: Mapped[str] = mapped_column(String(400), default="")
    video_room: Mapped[str | None] = mapped_column(String(64))
    call_sid: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(Text, default="")
    reminder_24h_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminder_1h_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome_recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    request: Mapped[CounselRequest] = relationship()
    slot: Mapped[ConsultationSlot] = relationship()
    lawyer = relationship("Lawyer")
