"""Contacts (work orders) from the 12348 hotline and other channels, with risk flags, referrals and disputes."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.extensions import db
from hotline.models.types import PROVINCE_TZ, UTCDateTime, one_of, utcnow
from hotline.vocab import (
    CHANNELS,
    CONTACT_STATUSES,
    DISPUTE_OUTCOMES,
    LANGUAGES,
    LEGAL_AREAS,
    REFERRAL_TARGETS,
    RISK_FLAGS,
    URGENCIES,
)


class Contact(db.Model):
    """One call or visit: who called, about what, how urgent, and what was done."""

    __tablename__ = "contacts"
    __table_args__ = (
        one_of("channel", CHANNELS),
        one_of("status", CONTACT_STATUSES),
        one_of("urgency", URGENCIES),
        one_of("legal_area", LEGAL_AREAS, name="legal_area_valid"),
        one_of("language", LANGUAGES, name="language_valid"),
        one_of("dispute_outcome", DISPUTE_OUTCOMES, name="dispute_outcome_valid"),
        CheckConstraint("dispute_outcome IS NULL OR is_dispute", name="outcome_needs_dispute"),
        CheckConstraint("wait_seconds IS NULL OR wait_seconds >= 0", name="wait_nonnegative"),
        CheckConstraint("duration_seconds IS NULL OR duration_seconds >= 0", name="duration_nonnegative"),
        Index("ix_contacts_received", "received_at"),
        # The dashboard's waits of answered calls, read from the index alone.
        Index("ix_contacts_received_wait", "received_at", "answered_at", "wait_seconds"),
        Index("ix_contacts_status_received", "status", "received_at"),
        Index("ix_contacts_caller", "caller_phone", "received_at"),
        # A client's own id for a contact it sent: sending it again finds the same contact.
        Index("uq_contacts_client_external", "api_client_id", "external_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), default="phone")
    # Twilio's CallSid: one contact per call, even when Twilio retries the webhook.
    call_sid: Mapped[str | None] = mapped_column(String(64), unique=True)
    caller_phone: Mapped[str | None] = mapped_column(String(20))
    caller_name: Mapped[str] = mapped_column(String(120), default="")
    language: Mapped[str] = mapped_column(String(8), default="zh")
    city_id: Mapped[int | None] = mapped_column(ForeignKey("cities.id"), index=True)
    legal_area: Mapped[str | None] = mapped_column(String(32), index=True)
    urgency: Mapped[str] = mapped_column(String(16), default="normal")
    summary: Mapped[str] = mapped_column(Text, default="")
    advice: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(16), default="new")
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    lawyer_id: Mapped[int | None] = mapped_column(ForeignKey("lawyers.id"), index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    wait_seconds: Mapped[int | None]
    duration_seconds: Mapped[int | None]
    callback_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    callback_done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    follow_up_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recording_url: Mapped[str | None] = mapped_column(String(400))
    recording_seconds: Mapped[int | None]
    is_dispute: Mapped[bool] = mapped_column(default=False)
    dispute_outcome: Mapped[str | None] = mapped_column(String(16))
    # The ledger entry this contact was turned into or linked to (hotline/services/disputes.from_contact).
    dispute_id: Mapped[int | None] = mapped_column(ForeignKey("disputes.id", use_alter=True), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    api_client_id: Mapped[int | None] = mapped_column(ForeignKey("api_clients.id"))
    external_id: Mapped[str | None] = mapped_column(String(64))

    risk_flags: Mapped[list["RiskFlag"]] = relationship(back_populates="contact", cascade="all, delete-orphan")
    referrals: Mapped[list["Referral"]] = relationship(back_populates="contact", cascade="all, delete-orphan")
    events: Mapped[list["ContactEvent"]] = relationship(
        back_populates="contact", cascade="all, delete-orphan", order_by="ContactEvent.at"
    )
    city = relationship("City")
    lawyer = relationship("Lawyer")
    assignee = relationship("User", foreign_keys=[assignee_id])

    @property
    def reference(self) -> str:
        """The work-order number read out to callers: the Beijing date it came in, then its id."""
        return work_order_number(self.id, self.received_at)


def work_order_number(contact_id: int, received_at: datetime) -> str:
    """A contact's work-order number from its id and arrival (for lists that do not load the contact)."""
    return f"12348-{received_at.astimezone(PROVINCE_TZ):%Y%m%d}-{contact_id:06d}"


class RiskFlag(db.Model):
    """A risk raised on a contact; it stays on the escalation list until a supervisor closes it."""

    __tablename__ = "risk_flags"
    __table_args__ = (
        one_of("flag", RISK_FLAGS),
        UniqueConstraint("contact_id", "flag"),
        CheckConstraint("closed_at IS NULL OR close_note <> ''", name="closed_with_note"),
        Index("ix_risk_flags_open", "closed_at", "follow_up_due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"))
    flag: Mapped[str] = mapped_column(String(32))
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    raised_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    follow_up_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # True when the incident was prevented: the department reports these by type.
    prevented: Mapped[bool | None]
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    close_note: Mapped[str] = mapped_column(Text, default="")

    contact: Mapped[Contact] = relationship(back_populates="risk_flags")


class Referral(db.Model):
    """A contact referred to legal aid, mediation, a notary, a court, the police or the petition office."""

    __tablename__ = "referrals"
    __table_args__ = (one_of("target", REFERRAL_TARGETS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    target: Mapped[str] = mapped_column(String(16))
    organisation: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox.id"))

    contact: Mapped[Contact] = relationship(back_populates="referrals")


class ContactEvent(db.Model):
    """Something that happened to a contact (triaged, put through, escalated...): its history, never lost."""

    __tablename__ = "contact_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    contact_id: Mapped[int] = mapped_column(ForeignKey("contacts.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(32))
    detail: Mapped[str] = mapped_column(Text, default="")

    contact: Mapped[Contact] = relationship(back_populates="events")
    user: Mapped["User | None"] = relationship("User", lazy="selectin")
