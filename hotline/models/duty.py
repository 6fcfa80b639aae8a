"""Duty rosters: periods, shift types, shifts with their seats, duty assignments and lawyers' requests."""
from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.extensions import db
from hotline.models.types import UTCDateTime, one_of, utcnow
from hotline.vocab import LANGUAGES, LEGAL_AREAS

SHIFT_KINDS = ("hotline", "oncall", "video", "phone")


class ShiftType(db.Model):
    """A kind of duty: a hotline shift, night on-call, or a video or phone consultation block."""

    __tablename__ = "shift_types"
    __table_args__ = (
        one_of("kind", SHIFT_KINDS),
        CheckConstraint("minutes > 0", name="minutes_positive"),
        CheckConstraint("min_rest_hours >= 0", name="rest_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    name_en: Mapped[str] = mapped_column(String(64))
    name_zh: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))
    starts: Mapped[time] = mapped_column(Time)
    ends: Mapped[time] = mapped_column(Time)
    minutes: Mapped[int]
    min_rest_hours: Mapped[int] = mapped_column(default=0)
    unpopular: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)

    def name(self, locale: str) -> str:
        """The shift type's name in the given locale."""
        return self.name_zh if locale.startswith("zh") else self.name_en


class ShiftSuccession(db.Model):
    """A forbidden sequence: `following` may not be worked the day after `preceding`."""

    __tablename__ = "shift_successions"

    preceding_id: Mapped[int] = mapped_column(ForeignKey("shift_types.id", ondelete="CASCADE"), primary_key=True)
    following_id: Mapped[int] = mapped_column(ForeignKey("shift_types.id", ondelete="CASCADE"), primary_key=True)


class PublicHoliday(db.Model):
    """A public holiday: duties on it count as unpopular for fairness."""

    __tablename__ = "public_holidays"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    name_en: Mapped[str] = mapped_column(String(64))
    name_zh: Mapped[str] = mapped_column(String(32))


class DutyPeriod(db.Model):
    """A roster period (usually a month): drafted, solved, reviewed and published by a coordinator."""

    __tablename__ = "duty_periods"
    __table_args__ = (
        CheckConstraint("ends_on >= starts_on", name="ends_after_start"),
        one_of("status", ("draft", "published", "archived")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(80))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    # A city bureau's own roster (its lawyers only); None: the province's.
    city_id: Mapped[int | None] = mapped_column(ForeignKey("cities.id"), index=True)
    # Fairness and soft-rule weights as JSON, read by the roster service.
    weights_json: Mapped[str] = mapped_column(Text, default="{}")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # Set when an approved absence or day off took duties off the published roster; cleared when a re-plan is
    # applied. The period page keeps the re-plan in view while it is set.
    replan_needed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    shifts: Mapped[list["Shift"]] = relationship(back_populates="period", cascade="all, delete-orphan")


class Shift(db.Model):
    """One shift of one type on one day of a period."""

    __tablename__ = "shifts"
    __table_args__ = (
        UniqueConstraint("period_id", "day", "shift_type_id"),
        Index("ix_shifts_day_type", "day", "shift_type_id"),
        # "Who is on duty now" looks shifts up by time.
        Index("ix_shifts_time", "starts_at", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("duty_periods.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    shift_type_id: Mapped[int] = mapped_column(ForeignKey("shift_types.id"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)

    period: Mapped[DutyPeriod] = relationship(back_populates="shifts")
    shift_type: Mapped[ShiftType] = relationship()
    seats: Mapped[list["SeatRequirement"]] = relationship(back_populates="shift", cascade="all, delete-orphan")
    assignments: Mapped[list["DutyAssignment"]] = relationship(back_populates="shift", cascade="all, delete-orphan")


class SeatRequirement(db.Model):
    """Seats to fill on a shift, optionally for one legal area, language or city."""

    __tablename__ = "seat_requirements"
    __table_args__ = (
        one_of("legal_area", LEGAL_AREAS, name="legal_area_valid"),
        one_of("language", LANGUAGES, name="language_valid"),
        CheckConstraint("seats >= 0", name="seats_nonnegative"),
        CheckConstraint("hard_minimum >= 0 AND hard_minimum <= seats", name="hard_minimum_range"),
        CheckConstraint("under_weight >= 0 AND over_weight >= 0", name="weights_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shifts.id", ondelete="CASCADE"), index=True)
    legal_area: Mapped[str | None] = mapped_column(String(32))
    language: Mapped[str | None] = mapped_column(String(8))
    city_id: Mapped[int | None] = mapped_column(ForeignKey("cities.id"))
    seats: Mapped[int] = mapped_column(default=1)
    hard_minimum: Mapped[int] = mapped_column(default=0)
    under_weight: Mapped[int] = mapped_column(default=100)
    over_weight: Mapped[int] = mapped_column(default=1)

    shift: Mapped[Shift] = relationship(back_populates="seats")


class DutyAssignment(db.Model):
    """A lawyer on duty for a shift (in a draft or a published period)."""

    __tablename__ = "duty_assignments"
    __table_args__ = (
        UniqueConstraint("shift_id", "lawyer_id"),
        Index("ix_duty_assignments_lawyer", "lawyer_id", "shift_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shifts.id", ondelete="CASCADE"))
    lawyer_id: Mapped[int] = mapped_column(ForeignKey("lawyers.id"))
    seat_id: Mapped[int | None] = mapped_column(ForeignKey("seat_requirements.id", ondelete="SET NULL"))
    pinned: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    shift: Mapped[Shift] = relationship(back_populates="assignments")
    lawyer = relationship("Lawyer")


SWAP_COMPLETE = ("kind <> 'swap' OR (colleague_id IS NOT NULL AND (status <> 'pending' OR "
                 "(assignment_id IS NOT NULL AND colleague_assignment_id IS NOT NULL)))")


class DutyRequest(db.Model):
    """A lawyer's request: a day off, a wish for or against a shift, or a swap of a duty with a colleague."""

    __tablename__ = "duty_requests"
    __table_args__ = (
        one_of("kind", ("day_off", "shift_on", "shift_off", "swap")),
        one_of("status", ("pending", "approved", "rejected", "withdrawn")),
        CheckConstraint("weight >= 0", name="weight_nonnegative"),
        # A decided swap outlives the duties it named (an absence or a re-plan may take them off the roster).
        CheckConstraint(SWAP_COMPLETE, name="swap_complete"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lawyer_id: Mapped[int] = mapped_column(ForeignKey("lawyers.id", ondelete="CASCADE"), index=True)
    period_id: Mapped[int | None] = mapped_column(ForeignKey("duty_periods.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16))
    day: Mapped[date | None] = mapped_column(Date)
    shift_type_id: Mapped[int | None] = mapped_column(ForeignKey("shift_types.id"))
    weight: Mapped[int] = mapped_column(default=1)
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("duty_assignments.id", ondelete="SET NULL"))
    colleague_id: Mapped[int | None] = mapped_column(ForeignKey("lawyers.id"))
    colleague_assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("duty_assignments.id", ondelete="SET NULL")
    )
    reason: Mapped[str] = mapped_column(String(400), default="")
    status: Mapped[str] = mapped_column(String(16), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decision_note: Mapped[str] = mapped_column(String(400), default="")
