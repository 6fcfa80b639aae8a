"""The FTZ team's own work on key projects: a visit, a legal check-up (法治体检), a contract review, training, a
consultation given elsewhere. Each is kept with its day, hours, notes and files, and appends one record to the
service log linked to the project, so the province can say how many of its key projects were served."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import KeyProject, Lawyer, ProjectService, ProjectServiceFile
from hotline.models.types import PROVINCE_TZ
from hotline.services import servicelog
from hotline.vocab import PROJECT_SERVICE_KINDS

MAX_NOTES = 4000
WORKDAY_START = time(9, 0)  # a service recorded by its day is logged from 09:00 Beijing time


class ProjectServiceError(ValueError):
    """A service that cannot be recorded; str() is a code the view translates."""


@dataclass(frozen=True)
class ServiceInput:
    """What the form gives."""

    kind: str
    day: date
    hours: str
    notes: str


def parse_hours(text: str) -> Decimal:
    """Hours as typed (2, 1.5), a quarter of an hour to a whole day."""
    try:
        hours = Decimal((text or "").strip().replace(",", "."))
    except InvalidOperation:
        raise ProjectServiceError("bad_hours") from None
    if not hours.is_finite() or not Decimal("0.25") <= hours <= 24:
        raise ProjectServiceError("bad_hours")
    return hours.quantize(Decimal("0.01"))


def may_record(lawyer: Lawyer | None) -> bool:
    """Only an active member of the FTZ team records services to projects."""
    return lawyer is not None and lawyer.active and lawyer.ftz_team


def record(session: Session, project: KeyProject, lawyer: Lawyer, data: ServiceInput, created_by_id: int | None,
           now: datetime, today: date, files: list[tuple[str, str, int, str]] = ()) -> ProjectService:
    """Keep the service and append its service-log record (one transaction; the caller commits)."""
    if data.kind not in PROJECT_SERVICE_KINDS:
        raise ProjectServiceError("bad_kind")
    if not may_record(lawyer):
        raise ProjectServiceError("not_team")
    if data.day > today or data.day < today - timedelta(days=366):
        raise ProjectServiceError("bad_day")
    hours = parse_hours(data.hours)
    notes = (data.notes or "").strip()
    if not notes:
        raise ProjectServiceError("no_notes")
    if len(notes) > MAX_NOTES:
        raise ProjectServiceError("long_notes")
    started = datetime.combine(data.day, WORKDAY_START, tzinfo=PROVINCE_TZ)
    entry = servicelog.append(session, servicelog.ServiceEntry(
        kind=data.kind, started_at=started, ended_at=started + timedelta(minutes=int(hours * 60)),
        provider_lawyer_id=lawyer.id, provider_user_id=created_by_id, recipient_name=project.name[:120],
        project_id=project.id, city_id=project.city_id,
        outcome=notes), now)
    service = ProjectService(project_id=project.id, lawyer_id=lawyer.id, kind=data.kind, day=data.day, hours=hours,
                             notes=notes, service_record_id=entry.id, created_by_id=created_by_id, created_at=now)
    for name, content_type, size, sha in files:
        service.files.append(ProjectServiceFile(filename=name, content_type=content_type, size_bytes=size, sha256=sha))
    session.add(service)
    session.flush()
    return service


def of_project(session: Session, project_id: int, limit: int = 200) -> list[ProjectService]:
    """A project's services, newest first."""
    from sqlalchemy.orm import selectinload

    return list(session.scalars(select(ProjectService).where(ProjectService.project_id == project_id)
                                .options(selectinload(ProjectService.lawyer), selectinload(ProjectService.files))
                                .order_by(ProjectService.day.desc(), ProjectService.id.desc()).limit(limit)))
