"""The dispute ledger (矛盾纠纷台账): org units below the city, mediation committees and their mediators, and each
dispute with its parties, its risks and one append-only history of events.

The entry's `state`, `risk_level`, committee and mediator are the current view of that history, kept on the row so
lists can be filtered; every change to them is written as an event in the same transaction, and the database
refuses to change or delete an event (triggers, as for the service log). Figures are counted from the events.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.extensions import db
from hotline.models.types import UTCDateTime, append_only, one_of, utcnow
from hotline.vocab import (
    COMMITTEE_KINDS, DISPUTE_ACTIONS, DISPUTE_SOURCES, DISPUTE_STATES, DISPUTE_TYPES, ORG_UNIT_KINDS, RISK_FLAGS,
    RISK_LEVELS,
)


class OrgUnit(db.Model):
    """A county, township (its judicial office), village or community; `path` is the chain of ids from the top,
    '/12/340/5021/', so a subtree is one prefix query."""

    __tablename__ = "org_units"
    __table_args__ = (one_of("kind", ORG_UNIT_KINDS), Index("ix_org_units_path", "path"))

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    kind: Mapped[str] = mapped_column(String(16))
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(120))
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)
    path: Mapped[str] = mapped_column(String(200), default="")
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]

    parent: Mapped["OrgUnit | None"] = relationship(remote_side=[id])

    def name(self, locale: str) -> str:
        return self.name_zh if locale.startswith("zh") else self.name_en


class MediationCommittee(db.Model):
    """A people's mediation committee: where it serves (an org unit and everything below it), the dispute types
    it takes (empty: all), its languages, whether it may take red and orange disputes, and how many it can hold."""

    __tablename__ = "mediation_committees"
    __table_args__ = (one_of("kind", COMMITTEE_KINDS), CheckConstraint("capacity >= 0", name="capacity_nonnegative"),
                      CheckConstraint("level >= 0", name="level_nonnegative"))

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name_zh: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(24))
    level: Mapped[int] = mapped_column(default=0)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id"), index=True)
    dispute_types: Mapped[str] = mapped_column(String(400), default="")
    languages: Mapped[str] = mapped_column(String(100), default="zh")
    senior: Mapped[bool] = mapped_column(default=False)
    capacity: Mapped[int] = mapped_column(default=10)
    director_phone: Mapped[str | None] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)

    org_unit: Mapped[OrgUnit] = relationship()

    def name(self, locale: str) -> str:
        return self.name_zh if locale.startswith("zh") else self.name_en

    def type_codes(self) -> set[str]:
        return {code for code in self.dispute_types.split(",") if code}


class Mediator(db.Model):
    """A member of a committee; some are duty lawyers, some sign in (role mediator)."""

    __tablename__ = "mediators"

    id: Mapped[int] = mapped_column(primary_key=True)
    committee_id: Mapped[int] = mapped_column(ForeignKey("mediation_committees.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(20))
    lawyer_id: Mapped[int | None] = mapped_column(ForeignKey("lawyers.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    active: Mapped[bool] = mapped_column(default=True)

    committee: Mapped[MediationCommittee] = relationship()


class Dispute(db.Model):
    """One ledger entry, numbered per city and year (纠2101-2026-00042)."""

    __tablename__ = "disputes"
    __table_args__ = (
        one_of("source", DISPUTE_SOURCES),
        one_of("dispute_type", DISPUTE_TYPES, name="dispute_type_valid"),
        one_of("state", DISPUTE_STATES),
        one_of("risk_level", RISK_LEVELS, name="risk_level_valid"),
        CheckConstraint("amount IS NULL OR amount >= 0", name="amount_nonnegative"),
        CheckConstraint("people_involved >= 0", name="people_nonnegative"),
        UniqueConstraint("api_client_id", "external_id", name="uq_disputes_external"),
        Index("ix_disputes_state_level", "state", "risk_level"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    source: Mapped[str] = mapped_column(String(16))
    found_at: Mapped[datetime] = mapped_column(UTCDateTime)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"), index=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id"), index=True)
    place: Mapped[str] = mapped_column(String(200), default="")
    dispute_type: Mapped[str] = mapped_column(String(24))
    summary: Mapped[str] = mapped_column(Text)
    people_involved: Mapped[int] = mapped_column(default=2)
    amount: Mapped[int | None]
    language: Mapped[str] = mapped_column(String(8), default="zh")
    risk_level: Mapped[str] = mapped_column(String(8), default="blue")
    state: Mapped[str] = mapped_column(String(20), default="registered")
    responsible_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    committee_id: Mapped[int | None] = mapped_column(ForeignKey("mediation_committees.id"), index=True)
    mediator_id: Mapped[int | None] = mapped_column(ForeignKey("mediators.id"))
    contact_id: Mapped[int | None] = mapped_column(ForeignKey("contacts.id"), unique=True)
    api_client_id: Mapped[int | None] = mapped_column(ForeignKey("api_clients.id"))
    external_id: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    org_unit: Mapped[OrgUnit] = relationship()
    committee: Mapped[MediationCommittee | None] = relationship()
    parties: Mapped[list["DisputeParty"]] = relationship(back_populates="dispute", order_by="DisputeParty.id")
    risks: Mapped[list["DisputeRisk"]] = relationship(back_populates="dispute", order_by="DisputeRisk.id")
    events: Mapped[list["DisputeEvent"]] = relationship(back_populates="dispute", order_by="DisputeEvent.seq")


class DisputeParty(db.Model):
    """A party to a dispute; the phone is shown masked, like a caller's."""

    __tablename__ = "dispute_parties"

    id: Mapped[int] = mapped_column(primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("disputes.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    phone: Mapped[str | None] = mapped_column(String(20))
    role: Mapped[str] = mapped_column(String(64), default="")

    dispute: Mapped[Dispute] = relationship(back_populates="parties")


class DisputeRisk(db.Model):
    """A risk a dispute carries (suicide, 民转刑, group petition, group fight, domestic violence) with the people at
    risk; open until closed, and then prevented or not. Opening and closing each write an event."""

    __tablename__ = "dispute_risks"
    __table_args__ = (one_of("kind", RISK_FLAGS), CheckConstraint("people >= 1", name="people_positive"),
                      UniqueConstraint("dispute_id", "kind", name="uq_dispute_risks_kind"))

    id: Mapped[int] = mapped_column(primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("disputes.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    people: Mapped[int] = mapped_column(default=1)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    prevented: Mapped[bool | None]

    dispute: Mapped[Dispute] = relationship(back_populates="risks")


class DisputeEvent(db.Model):
    """One step of a dispute's history; never updated or deleted (a correction is a new event with a reason)."""

    __tablename__ = "dispute_events"
    __table_args__ = (
        one_of("action", DISPUTE_ACTIONS),
        UniqueConstraint("dispute_id", "seq", name="uq_dispute_events_seq"),
        Index("ix_dispute_events_action_at", "action", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("disputes.id"))
    seq: Mapped[int]
    action: Mapped[str] = mapped_column(String(24))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reason: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict] = mapped_column(JSON, default=dict)

    dispute: Mapped[Dispute] = relationship(back_populates="events")


# Never changed or deleted, by the ORM or the database (triggers also run by migration 0013).
SQLITE_TRIGGERS, _ROW_TRIGGERS, _TRUNCATE_TRIGGER = append_only(DisputeEvent, "dispute event")
POSTGRES_TRIGGERS = (*_ROW_TRIGGERS, _TRUNCATE_TRIGGER)
