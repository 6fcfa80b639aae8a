"""The dispute ledger (矛盾纠纷台账): org units below the city, mediation committees and their mediators, and each
dispute with its parties, its risks and one append-only history of events.

The entry's `state`, `risk_level`, committee and mediator are the current view of that history, kept on the row so
lists can be filtered; every change to them is written as an event in the same transaction, and the database
refuses to change or delete an event (triggers, as for the service log). Figures are counted from the events.
"""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint, text
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
        # The figures' open stock, registrations and entries touched since a moment, read from the index alone on
        # PostgreSQL (hotline.services.dispute_figures).
        Index("ix_disputes_open_stock", "state", "last_event_at",
              postgresql_include=["risk_level", "city_id", "org_unit_id", "committee_id"]),
        Index("ix_disputes_registered", "created_at",
              postgresql_include=["source", "city_id", "org_unit_id", "committee_id"]),
        Index("ix_disputes_touched", "last_event_at", "created_at"),
        Index("ix_disputes_next_due", "next_due_at"),
        Index("ix_disputes_next_action", "next_action_at"),
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
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)  # the moment of its register event
    # The moment of its newest event (services.disputes._event keeps it): what is untouched since a moment is read
    # from here, not from the history.
    last_event_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # From its deadlines, kept at every event too (services.dispute_deadlines.next_moments): the earliest due moment
    # not yet met, and when the deadline sweep next has something to do for it (None: nothing pending, nothing due).
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    next_action_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

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
        Index("ix_dispute_events_action_at", "action", "at", postgresql_include=["dispute_id", "seq", "committee_id"]),
        Index("ix_dispute_events_follow_up_due", "due_at", postgresql_include=["dispute_id", "seq"],
              postgresql_where=text("due_at IS NOT NULL"), sqlite_where=text("due_at IS NOT NULL")),
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
    # Two facts of `data` as columns, for the figures' indexes (services.disputes.event_columns derives them): the
    # committee a dispatch or a committee's answer names, and when an agreement's follow-up visit falls due.
    committee_id: Mapped[int | None]
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    dispute: Mapped[Dispute] = relationship(back_populates="events")


# Never changed or deleted, by the ORM or the database (triggers also run by migration 0013).
SQLITE_TRIGGERS, _ROW_TRIGGERS, _TRUNCATE_TRIGGER = append_only(DisputeEvent, "dispute event")
POSTGRES_TRIGGERS = (*_ROW_TRIGGERS, _TRUNCATE_TRIGGER)


class DisputeSession(db.Model):
    """A mediation session with the parties: on site, by phone (the masked call the consultations use) or by video
    (a Twilio room each party joins through a one-time link). Holding it appends a `session` event and one service
    record linked to the entry."""

    __tablename__ = "dispute_sessions"
    __table_args__ = (one_of("mode", ("on_site", "phone", "video")),
                      one_of("state", ("scheduled", "held", "cancelled"), name="state_valid"),
                      CheckConstraint("ends_at > starts_at", name="ends_after_start"))

    id: Mapped[int] = mapped_column(primary_key=True)
    dispute_id: Mapped[int] = mapped_column(ForeignKey("disputes.id"), index=True)
    mode: Mapped[str] = mapped_column(String(8))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    state: Mapped[str] = mapped_column(String(12), default="scheduled")
    mediator_id: Mapped[int | None] = mapped_column(ForeignKey("mediators.id"))
    room_name: Mapped[str | None] = mapped_column(String(64), unique=True)
    record: Mapped[str] = mapped_column(Text, default="")
    service_record_id: Mapped[int | None] = mapped_column(ForeignKey("service_records.id"), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    dispute: Mapped[Dispute] = relationship()
    links: Mapped[list["DisputeSessionLink"]] = relationship(back_populates="session",
                                                             order_by="DisputeSessionLink.id")


class DisputeSessionLink(db.Model):
    """A party's one-time link to a video session: only the SHA-256 of its token is kept; it works once, and not
    after the session ends."""

    __tablename__ = "dispute_session_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("dispute_sessions.id"), index=True)
    party_id: Mapped[int] = mapped_column(ForeignKey("dispute_parties.id"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    session: Mapped[DisputeSession] = relationship(back_populates="links")
    party: Mapped[DisputeParty] = relationship()


class ZeroReport(db.Model):
    """A township's monthly "zero report" (零报告): nothing to report this month, filed by its coordinator."""

    __tablename__ = "zero_reports"
    __table_args__ = (UniqueConstraint("org_unit_id", "month", name="uq_zero_reports_unit_month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    org_unit_id: Mapped[int] = mapped_column(ForeignKey("org_units.id"))
    month: Mapped[date] = mapped_column(Date)  # the first day of the month reported on
    filed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    note: Mapped[str] = mapped_column(Text, default="")

    org_unit: Mapped[OrgUnit] = relationship()


class DisputeReport(db.Model):
    """A published report of the ledger's figures for a period and a scope (the province, a city or an org unit's
    subtree): its figures are frozen with the SHA-256 of the ids behind them. Publishing again after a correction
    is a new revision that points at the one it revises; a published row is never changed."""

    __tablename__ = "dispute_reports"
    __table_args__ = (UniqueConstraint("scope", "period_start", "period_end", "revision", name="uq_dispute_reports_rev"),
                      CheckConstraint("period_end >= period_start", name="period_ordered"),
                      CheckConstraint("revision >= 1", name="revision_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    scope: Mapped[str] = mapped_column(String(64))  # "province", "city:3" or "unit:/12/340/"
    city_id: Mapped[int | None] = mapped_column(ForeignKey("cities.id"))
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"))
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    revision: Mapped[int] = mapped_column(default=1)
    revises_id: Mapped[int | None] = mapped_column(ForeignKey("dispute_reports.id"))
    figures: Mapped[dict] = mapped_column(JSON, default=dict)
    ids_hash: Mapped[str] = mapped_column(String(64))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


SQLITE_REPORT_TRIGGERS, _REPORT_ROW_TRIGGERS, _REPORT_TRUNCATE = append_only(DisputeReport, "published report")
POSTGRES_REPORT_TRIGGERS = (*_REPORT_ROW_TRIGGERS, _REPORT_TRUNCATE)
