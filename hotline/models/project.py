"""Key investment projects, their legal needs and languages, and their liaisons."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Numeric, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.extensions import db
from hotline.models.geo import City, FtzArea
from hotline.models.types import UTCDateTime, one_of, utcnow
from hotline.vocab import LANGUAGES, LEGAL_AREAS, PROJECT_SERVICE_KINDS, SECTORS

project_liaisons = Table(
    "project_liaisons",
    db.metadata,
    Column("project_id", ForeignKey("key_projects.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class KeyProject(db.Model):
    """One of the province's key investment projects, counselled by the FTZ lawyer team."""

    __tablename__ = "key_projects"
    __table_args__ = (
        one_of("sector", SECTORS),
        CheckConstraint("priority BETWEEN 1 AND 5", name="priority_range"),
        CheckConstraint("investment_wan >= 0", name="investment_nonnegative"),
        CheckConstraint("expected_monthly_hours >= 0", name="hours_nonnegative"),
        one_of("status", ("active", "completed", "suspended")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    city_id: Mapped[int] = mapped_column(ForeignKey("cities.id"), index=True)
    ftz_area_id: Mapped[int | None] = mapped_column(ForeignKey("ftz_areas.id"), index=True)
    sector: Mapped[str] = mapped_column(String(32))
    # Investment in units of 10,000 yuan (wan), as the department reports it.
    investment_wan: Mapped[float] = mapped_column(Numeric(14, 2))
    priority: Mapped[int] = mapped_column(default=3)
    expected_monthly_hours: Mapped[int] = mapped_column(default=4)
    investor: Mapped[str] = mapped_column(String(200), default="")
    # A firm acting for another party in the project: lawyers with a conflict on that firm may not counsel it.
    involved_firm_id: Mapped[int | None] = mapped_column(ForeignKey("law_firms.id"))
    status: Mapped[str] = mapped_column(String(16), default="active")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    city: Mapped[City] = relationship()
    ftz_area: Mapped[FtzArea | None] = relationship()
    needs: Mapped[list["ProjectNeed"]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="ProjectNeed.area"
    )
    languages: Mapped[list["ProjectLanguage"]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="ProjectLanguage.language"
    )
    liaisons = relationship("User", secondary=project_liaisons, order_by="User.name")

    def main_area(self) -> str | None:
        """The project's main legal need (the backup lawyer must cover at least this one)."""
        for need in self.needs:
            if need.is_main:
                return need.area
        return None


class ProjectNeed(db.Model):
    """A legal area a project needs counsel in; one of them is the main one."""

    __tablename__ = "project_needs"
    __table_args__ = (one_of("area", LEGAL_AREAS),)

    project_id: Mapped[int] = mapped_column(ForeignKey("key_projects.id", ondelete="CASCADE"), primary_key=True)
    area: Mapped[str] = mapped_column(String(32), primary_key=True)
    is_main: Mapped[bool] = mapped_column(default=False)

    project: Mapped[KeyProject] = relationship(back_populates="needs")


class ProjectLanguage(db.Model):
    """A language the project's investors need counsel in."""

    __tablename__ = "project_languages"
    __table_args__ = (one_of("language", LANGUAGES),)

    project_id: Mapped[int] = mapped_column(ForeignKey("key_projects.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(String(8), primary_key=True)

    project: Mapped[KeyProject] = relationship(back_populates="languages")


class ProjectService(db.Model):
    """A service the FTZ team gave a key project on its own initiative (a visit, a legal check-up, a contract
    review, training, a consultation given elsewhere); its service-log record is the official trace."""

    __tablename__ = "project_services"
    __table_args__ = (
        one_of("kind", PROJECT_SERVICE_KINDS),
        CheckConstraint("hours > 0 AND hours <= 24", name="hours_range"),
        Index("ix_project_services_project_day", "project_id", "day"),
        Index("ix_project_services_lawyer_day", "lawyer_id", "day"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("key_projects.id"))
    lawyer_id: Mapped[int] = mapped_column(ForeignKey("lawyers.id"))
    kind: Mapped[str] = mapped_column(String(24))
    day: Mapped[date]
    hours: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    notes: Mapped[str] = mapped_column(Text)
    service_record_id: Mapped[int] = mapped_column(ForeignKey("service_records.id"), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    project: Mapped[KeyProject] = relationship()
    lawyer = relationship("Lawyer")
    files: Mapped[list["ProjectServiceFile"]] = relationship(back_populates="service", order_by="ProjectServiceFile.id")


class ProjectServiceFile(db.Model):
    """A file kept with a project service (a check-up report, a reviewed contract), stored by its SHA-256."""

    __tablename__ = "project_service_files"
    __table_args__ = (CheckConstraint("size_bytes > 0", name="size_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("project_services.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))

    service: Mapped[ProjectService] = relationship(back_populates="files")
