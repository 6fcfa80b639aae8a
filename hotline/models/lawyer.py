"""Law firms, lawyers, their expertise, languages, limits, unavailability and conflicts of interest."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.extensions import db
from hotline.models.geo import City
from hotline.models.types import UTCDateTime, one_of, utcnow
from hotline.vocab import LANGUAGES, LEGAL_AREAS


class LawFirm(db.Model):
    """A law firm; a project's primary and backup counsel must come from different firms."""

    __tablename__ = "law_firms"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id"))
    active: Mapped[bool] = mapped_column(default=True, server_default=true())

    city: Mapped[City] = relationship()


class Lawyer(db.Model):
    """A practising lawyer who takes hotline duties and, on the FTZ team, counsels key projects."""

    __tablename__ = "lawyers"
    __table_args__ = (
        CheckConstraint("max_duties_per_month >= 0", name="max_duties_nonnegative"),
        CheckConstraint("min_minutes_per_month >= 0", name="min_minutes_nonnegative"),
        CheckConstraint("max_minutes_per_month >= min_minutes_per_month", name="minutes_range"),
        CheckConstraint("max_consecutive_days >= 1", name="max_consecutive_positive"),
        CheckConstraint("min_days_off_between >= 0", name="min_days_off_nonnegative"),
        CheckConstraint("max_weekends >= 0", name="max_weekends_nonnegative"),
        CheckConstraint("monthly_hours_available >= 0", name="hours_nonnegative"),
        CheckConstraint("max_projects >= 0", name="max_projects_nonnegative"),
        CheckConstraint("max_consultations_per_day >= 0", name="max_consultations_nonnegative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    licence_no: Mapped[str] = mapped_column(String(32), unique=True)
    phone: Mapped[str] = mapped_column(String(20))
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id"), index=True)
    firm_id: Mapped[int] = mapped_column(ForeignKey("law_firms.id"), index=True)
    ftz_team: Mapped[bool] = mapped_column(default=False, index=True)
    active: Mapped[bool] = mapped_column(default=True)
    # Takes hotline duties: the roster engine plans only these (a lawyer may only counsel, or only consult).
    on_duty_roster: Mapped[bool] = mapped_column(default=True, server_default=true())
    # Duty limits used by the roster engine.
    max_duties_per_month: Mapped[int] = mapped_column(default=8)
    min_minutes_per_month: Mapped[int] = mapped_column(default=0)
    max_minutes_per_month: Mapped[int] = mapped_column(default=2400)
    max_consecutive_days: Mapped[int] = mapped_column(default=3)
    min_days_off_between: Mapped[int] = mapped_column(default=1)
    max_weekends: Mapped[int] = mapped_column(default=2)
    # Counsel limits used by the matching engine.
    monthly_hours_available: Mapped[int] = mapped_column(default=0)
    max_projects: Mapped[int] = mapped_column(default=0)
    # Consultation limit used by booking and the batch allocation.
    max_consultations_per_day: Mapped[int] = mapped_column(default=6)
    ical_token: Mapped[str | None] = mapped_column(String(64), unique=True)

    city: Mapped[City] = relationship()
    firm: Mapped[LawFirm] = relationship()
    user = relationship("User")
    areas: Mapped[list["LawyerArea"]] = relationship(
        back_populates="lawyer", cascade="all, delete-orphan", order_by="LawyerArea.area"
    )
    languages: Mapped[list["LawyerLanguage"]] = relationship(
        back_populates="lawyer", cascade="all, delete-orphan", order_by="LawyerLanguage.language"
    )

    def area_codes(self) -> list[str]:
        """The legal areas this lawyer practises."""
        return [item.area for item in self.areas]

    def language_codes(self) -> list[str]:
        """The languages this lawyer works in."""
        return [item.language for item in self.languages]


class LawyerArea(db.Model):
    """A legal area a lawyer practises, with a level from 1 (competent) to 3 (expert)."""

    __tablename__ = "lawyer_areas"
    __table_args__ = (one_of("area", LEGAL_AREAS), CheckConstraint("level BETWEEN 1 AND 3", name="level_range"))

    lawyer_id: Mapped[int] = mapped_column(ForeignKey("lawyers.id", ondelete="CASCADE"), primary_key=True)
    area: Mapped[str] = mapped_column(String(32), primary_key=True)
    level: Mapped[int] = mapped_column(default=1)

    lawyer: Mapped[Lawyer] = relationship(back_populates="areas")


class LawyerLanguage(db.Model):
    """A language a lawyer can advise in."""

    __tablename__ = "lawyer_languages"
    __table_args__ = (one_of("language", LANGUAGES),)

    lawyer_id: Mapped[int] = mapped_column(ForeignKey("lawyers.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)

    lawyer: Mapped[Lawyer] = relationship(back_populates="languages")


class Unavailability(db.Model):
    """A time a lawyer cannot serve (leave, court, illness), requested by the lawyer or entered by a coordinator."""

    __tablename__ = "unavailabilities"
    __table_args__ = (
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        one_of("status", ("requested", "approved", "rejected")),
        Index("ix_unavailabilities_lawyer_time", "lawyer_id", "starts_at", "ends_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lawyer_id: Mapped[int] = mapped_column(ForeignKey("lawyers.id", ondelete="CASCADE"))
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(200), default="")
    status: Mapped[str] = mapped_column(String(16), default="approved")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    lawyer: Mapped[Lawyer] = relationship()


class Conflict(db.Model):
    """A conflict of interest: the lawyer must not counsel this project, or any project tied to this firm."""

    __tablename__ = "conflicts"
    __table_args__ = (
        CheckConstraint(
            "(project_id IS NOT NULL AND firm_id IS NULL) OR (project_id IS NULL AND firm_id IS NOT NULL)",
            name="project_or_firm",
        ),
        UniqueConstraint("lawyer_id", "project_id", "firm_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    lawyer_id: Mapped[int] = mapped_column(ForeignKey("lawyers.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("key_projects.id", ondelete="CASCADE"))
    firm_id: Mapped[int | None] = mapped_column(ForeignKey("law_firms.id"))
    reason: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
