"""Project counsel: current and past primary/backup lawyers, and the matching plans that propose them."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.extensions import db
from hotline.models.types import UTCDateTime, one_of, utcnow

COUNSEL_ROLES = ("primary", "backup")


class MatchPlan(db.Model):
    """One run of the FTZ matching: a proposal that a coordinator reviews and publishes."""

    __tablename__ = "match_plans"
    __table_args__ = (one_of("status", ("draft", "published", "discarded")),)

    id: Mapped[int] = mapped_column(primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default="draft")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    job_id: Mapped[int | None] = mapped_column(ForeignKey("jobs.id"))
    solver_status: Mapped[str | None] = mapped_column(String(16))
    objective: Mapped[float | None]
    bound: Mapped[float | None]
    wall_s: Mapped[float | None]
    settings_json: Mapped[str] = mapped_column(Text, default="{}")
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class MatchPlanItem(db.Model):
    """What a plan proposes for one project: its primary and backup, or why it could not be matched."""

    __tablename__ = "match_plan_items"
    __table_args__ = (
        CheckConstraint(
            "(primary_lawyer_id IS NULL AND backup_lawyer_id IS NULL AND unmatched_reason IS NOT NULL)"
            " OR (primary_lawyer_id IS NOT NULL AND backup_lawyer_id IS NOT NULL"
            " AND primary_lawyer_id <> backup_lawyer_id)",
            name="matched_or_reason",
        ),
    )

    plan_id: Mapped[int] = mapped_column(ForeignKey("match_plans.id", ondelete="CASCADE"), primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("key_projects.id", ondelete="CASCADE"), primary_key=True)
    primary_lawyer_id: Mapped[int | None] = mapped_column(ForeignKey("lawyers.id"))
    backup_lawyer_id: Mapped[int | None] = mapped_column(ForeignKey("lawyers.id"))
    cost: Mapped[float | None]
    unmatched_reason: Mapped[str | None] = mapped_column(String(400))
    # the engine's reason as JSON {"code", "params", "text"}, said in the reader's language by hotline.engine_words
    unmatched_detail: Mapped[str | None] = mapped_column(Text)


class CounselAssignment(db.Model):
    """A lawyer serving a project as primary or backup counsel from started_at until ended_at (history kept)."""

    __tablename__ = "counsel_assignments"
    __table_args__ = (
        one_of("role", COUNSEL_ROLES),
        CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="ends_after_start"),
        # At most one current primary and one current backup per project.
        Index(
            "uq_counsel_current_role",
            "project_id",
            "role",
            unique=True,
            sqlite_where=text("ended_at IS NULL"),
            postgresql_where=text("ended_at IS NULL"),
        ),
        Index("ix_counsel_lawyer_current", "lawyer_id", "ended_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("key_projects.id", ondelete="CASCADE"))
    lawyer_id: Mapped[int] = mapped_column(ForeignKey("lawyers.id"))
    role: Mapped[str] = mapped_column(String(8))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("match_plans.id"))
    reason: Mapped[str] = mapped_column(String(200), default="")

    project = relationship("KeyProject")
    lawyer = relationship("Lawyer")
