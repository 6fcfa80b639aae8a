"""How the province's key projects were served in a period: how many of them (by city, FTZ area and sector), the
hours given against the hours expected, the priority projects no one has served for a while, and the services
per lawyer. Every service-log record linked to a project counts once: a consultation a liaison booked and a visit
the team recorded are one record each."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.models import KeyProject, Lawyer, ServiceRecord
from hotline.models.types import PROVINCE_TZ
from hotline.services.statistics import Filters, _service_filter

DAYS_A_MONTH = 30.44
PRIORITY = 2  # priority 1 and 2 projects are watched for service
STALE_DAYS = 60


@dataclass
class Group:
    key: object
    served: int = 0
    total: int = 0


@dataclass
class ProjectFigures:
    """The key projects' figures for a period."""

    total: int = 0
    served: int = 0
    services: int = 0  # service-log records linked to a project (each counted once)
    by_city: list[Group] = field(default_factory=list)
    by_ftz_area: list[Group] = field(default_factory=list)
    by_sector: list[Group] = field(default_factory=list)
    hours: float = 0.0
    expected_hours: float = 0.0
    stale: list[tuple[KeyProject, datetime | None]] = field(default_factory=list)
    stale_count: int = 0
    stale_days: int = STALE_DAYS
    per_lawyer: list[tuple[int, str, int, float]] = field(default_factory=list)  # lawyer id, name, services, hours


def project_figures(session: Session, filters: Filters, today: date, stale_days: int = STALE_DAYS,
                    stale_limit: int = 100) -> ProjectFigures:
    found = ProjectFigures(stale_days=stale_days)
    projects = select(KeyProject.id, KeyProject.city_id, KeyProject.ftz_area_id, KeyProject.sector,
                      KeyProject.expected_monthly_hours).where(KeyProject.status == "active")
    if filters.city_id is not None:
        projects = projects.where(KeyProject.city_id == filters.city_id)
    rows = session.execute(projects).all()
    records = session.execute(
        select(ServiceRecord.project_id, ServiceRecord.provider_lawyer_id, ServiceRecord.started_at,
               ServiceRecord.ended_at)
        .where(ServiceRecord.project_id.is_not(None), *_service_filter(filters))).all()
    served = {r.project_id for r in records}
    found.services = len(records)
    groups: dict[str, dict] = {"city": {}, "ftz": {}, "sector": {}}
    for pid, city_id, ftz_id, sector, expected in rows:
        found.total += 1
        found.expected_hours += expected
        hit = pid in served
        found.served += hit
        for name, key in (("city", city_id), ("ftz", ftz_id), ("sector", sector)):
            if name == "ftz" and key is None:
                continue
            group = groups[name].setdefault(key, Group(key))
            group.total += 1
            group.served += hit
    days = (filters.last - filters.first).days + 1
    found.expected_hours = round(found.expected_hours * days / DAYS_A_MONTH, 1)
    in_scope = {row[0] for row in rows}
    per_lawyer: dict[int, list] = {}
    for pid, lawyer_id, started, ended in records:
        hours = (ended - started).total_seconds() / 3600 if ended else 0.0
        if pid in in_scope:
            found.hours += hours
        if lawyer_id is not None:
            entry = per_lawyer.setdefault(lawyer_id, [0, 0.0])
            entry[0] += 1
            entry[1] += hours
    found.hours = round(found.hours, 1)
    found.by_city = sorted(groups["city"].values(), key=lambda g: -g.total)
    found.by_ftz_area = sorted(groups["ftz"].values(), key=lambda g: -g.total)
    found.by_sector = sorted(groups["sector"].values(), key=lambda g: -g.total)
    names = dict(session.execute(select(Lawyer.id, Lawyer.name).where(Lawyer.id.in_(per_lawyer))).all()) \
        if per_lawyer else {}
    found.per_lawyer = sorted(((lid, names.get(lid, str(lid)), n, round(h, 1)) for lid, (n, h) in per_lawyer.items()),
                              key=lambda item: (-item[2], item[1]))[:50]
    _stale(session, filters, today, found, stale_limit)
    return found


def _stale(session: Session, filters: Filters, today: date, found: ProjectFigures, limit: int) -> None:
    """Priority projects with no service in the last `stale_days` days (as of today), the longest-waiting first."""
    since = datetime.combine(today - timedelta(days=found.stale_days), time(0), tzinfo=PROVINCE_TZ)
    last = (select(ServiceRecord.project_id, func.max(ServiceRecord.started_at).label("last"))
            .where(ServiceRecord.project_id.is_not(None)).group_by(ServiceRecord.project_id).subquery())
    query = (select(KeyProject, last.c.last).outerjoin(last, last.c.project_id == KeyProject.id)
             .where(KeyProject.status == "active", KeyProject.priority <= PRIORITY,
                    (last.c.last.is_(None)) | (last.c.last < since)))
    if filters.city_id is not None:
        query = query.where(KeyProject.city_id == filters.city_id)
    if limit <= 0:
        found.stale_count = session.scalar(select(func.count()).select_from(query.subquery())) or 0
        return
    # The count rides along with the first rows: one reading of the projects' last services, not two.
    rows = session.execute(query.add_columns(func.count().over().label("stale_count"))
                           .order_by(KeyProject.priority, last.c.last.is_not(None), last.c.last, KeyProject.code)
                           .limit(limit)).all()
    found.stale_count = rows[0].stale_count if rows else 0
    found.stale = [(project, when) for project, when, _count in rows]
