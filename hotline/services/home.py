"""What each role has to do next: the figures and lists behind the home pages."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.models import (
    Booking,
    Contact,
    CounselAssignment,
    CounselRequest,
    DutyAssignment,
    DutyPeriod,
    DutyRequest,
    KeyProject,
    Lawyer,
    OutboxMessage,
    RiskFlag,
    Shift,
    project_liaisons,
)
from hotline.services import console, consult


@dataclass
class AdminSummary:
    """A coordinator's to-do figures."""

    contacts_today: int
    open_escalations: int
    projects_without_counsel: int
    draft_periods: list[DutyPeriod]
    pending_requests: int
    failed_messages: int
    active_lawyers: int
    projects: int


def admin_summary(session: Session, now: datetime, city_id: int | None = None) -> AdminSummary:
    """Figures a coordinator acts on: escalations, unmatched projects, draft rosters, failed messages (a city
    bureau's coordinator: its city's, and no province-wide outbox)."""
    day_start = now - timedelta(hours=24)
    counselled = select(CounselAssignment.project_id).where(
        CounselAssignment.ended_at.is_(None), CounselAssignment.role == "primary"
    )

    def city(column) -> list:
        return [] if city_id is None else [column == city_id]

    lawyers_of_city = select(Lawyer.id).where(*city(Lawyer.city_id))
    return AdminSummary(
        contacts_today=session.scalar(select(func.count(Contact.id)).where(
            Contact.received_at >= day_start, *city(Contact.city_id))) or 0,
        open_escalations=open_escalations(session, city_id),
        projects_without_counsel=session.scalar(
            select(func.count(KeyProject.id)).where(
                KeyProject.status == "active", KeyProject.id.not_in(counselled), *city(KeyProject.city_id)
            )
        )
        or 0,
        draft_periods=list(
            session.scalars(select(DutyPeriod).where(DutyPeriod.status == "draft", *city(DutyPeriod.city_id))
                            .order_by(DutyPeriod.starts_on))
        ),
        pending_requests=session.scalar(select(func.count(DutyRequest.id)).where(
            DutyRequest.status == "pending", *([DutyRequest.lawyer_id.in_(lawyers_of_city)] if city_id else [])))
        or 0,
        failed_messages=0 if city_id is not None else
        session.scalar(select(func.count(OutboxMessage.id)).where(OutboxMessage.status == "failed")) or 0,
        active_lawyers=session.scalar(select(func.count(Lawyer.id)).where(Lawyer.active.is_(True),
                                                                          *city(Lawyer.city_id))) or 0,
        projects=session.scalar(select(func.count(KeyProject.id)).where(*city(KeyProject.city_id))) or 0,
    )


def open_escalations(session: Session, city_id: int | None = None) -> int:
    """Risk flags not yet closed by a supervisor (of one city's contacts when a city is given)."""
    query = select(func.count(RiskFlag.id)).where(RiskFlag.closed_at.is_(None))
    if city_id is not None:
        query = query.join(Contact, Contact.id == RiskFlag.contact_id).where(Contact.city_id == city_id)
    return session.scalar(query) or 0


@dataclass
class OperatorSummary:
    """An operator's queue at a glance: the console's own queue (one service, so both count the same)."""

    new: int
    queue: console.Queue
    supervisor: bool

    @property
    def callbacks_due(self) -> list[Contact]:
        return self.queue.callbacks

    @property
    def escalations(self) -> list[RiskFlag]:
        return self.queue.escalations if self.supervisor else []


def operator_summary(session: Session, now: datetime, *, supervisor: bool) -> OperatorSummary:
    """The console's queue (callers waiting, callbacks due within two hours or overdue, open escalations) and how
    many contacts are new."""
    new = session.scalar(select(func.count(Contact.id)).where(Contact.status == "new")) or 0
    return OperatorSummary(new=new, queue=console.queue(session, now, limit=20), supervisor=supervisor)


@dataclass
class LawyerSummary:
    """A lawyer's next duties, projects and consultations."""

    lawyer: Lawyer | None
    duties: list[DutyAssignment] = field(default_factory=list)
    projects: list[CounselAssignment] = field(default_factory=list)
    bookings: list[Booking] = field(default_factory=list)


def lawyer_summary(session: Session, user_id: int, now: datetime) -> LawyerSummary:
    """The next published duties, current projects and upcoming consultations of the lawyer behind a user."""
    lawyer = session.scalar(select(Lawyer).where(Lawyer.user_id == user_id))
    if lawyer is None:
        return LawyerSummary(lawyer=None)
    duties = session.scalars(
        select(DutyAssignment)
        .join(Shift, DutyAssignment.shift_id == Shift.id)
        .join(DutyPeriod, Shift.period_id == DutyPeriod.id)
        .where(DutyAssignment.lawyer_id == lawyer.id, DutyPeriod.status == "published", Shift.ends_at >= now)
        .order_by(Shift.starts_at)
        .limit(10)
    )
    projects = session.scalars(
        select(CounselAssignment)
        .where(CounselAssignment.lawyer_id == lawyer.id, CounselAssignment.ended_at.is_(None))
        .order_by(CounselAssignment.role, CounselAssignment.project_id)
        .limit(50)
    )
    bookings = session.scalars(
        select(Booking)
        .where(Booking.lawyer_id == lawyer.id, Booking.status == "booked", Booking.ends_at >= now)
        .order_by(Booking.starts_at)
        .limit(10)
    )
    return LawyerSummary(lawyer=lawyer, duties=list(duties), projects=list(projects), bookings=list(bookings))


@dataclass
class LiaisonProject:
    """One of a liaison's projects with its current counsel."""

    project: KeyProject
    primary: Lawyer | None
    backup: Lawyer | None


@dataclass
class LiaisonSummary:
    """A liaison's projects, open requests and upcoming consultations."""

    projects: list[LiaisonProject]
    open_requests: list[CounselRequest]
    bookings: list[Booking]


def liaison_summary(session: Session, user_id: int, now: datetime) -> LiaisonSummary:
    """The liaison's own projects with their counsel, open requests and upcoming consultations."""
    projects = list(
        session.scalars(
            select(KeyProject)
            .join(project_liaisons, project_liaisons.c.project_id == KeyProject.id)
            .where(project_liaisons.c.user_id == user_id)
            .order_by(KeyProject.priority.desc(), KeyProject.name)
        )
    )
    counsel = {(project_id, role): lawyer
               for project_id, pairs in consult.counsel_of(session, [p.id for p in projects]).items()
               for role, lawyer in pairs}
    requests = session.scalars(
        select(CounselRequest)
        .where(CounselRequest.liaison_id == user_id, CounselRequest.status.in_(("pending", "allocated")))
        .order_by(CounselRequest.created_at.desc())
    )
    bookings = session.scalars(
        select(Booking)
        .join(CounselRequest, CounselRequest.id == Booking.request_id)
        .where(
            CounselRequest.liaison_id == user_id,
            Booking.status == "booked",
            Booking.ends_at >= now,
        )
        .order_by(Booking.starts_at)
    )
    return LiaisonSummary(
        projects=[
            LiaisonProject(project=p, primary=counsel.get((p.id, "primary")), backup=counsel.get((p.id, "backup")))
            for p in projects
        ],
        open_requests=list(requests),
        bookings=list(bookings),
    )
