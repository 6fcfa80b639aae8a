"""Published reports of the ledger's figures: frozen when published, with the SHA-256 of the entries behind them.

A published revision is never changed (the table is append-only). When the history changes what a period's figures
would be (a correction, a step recorded late), the report says so, and publishing again writes revision N+1, which
points at the one it revises and shows each changed figure as "revised from" its old value.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotline.models import DisputeReport
from hotline.models.types import PROVINCE_TZ
from hotline.services import dispute_figures
from hotline.services.dispute_figures import LedgerFigures


class ReportRefused(ValueError):
    """A report that cannot be published; str() is a code the view translates."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass
class Live:
    """A period's figures as the history gives them now, and the hash of the entries behind them."""

    figures: LedgerFigures
    ids_hash: str


def live(session: Session, first: date, last: date, scope, now: datetime) -> Live:
    """Count the period's figures now."""
    return Live(dispute_figures.figures(session, first, last, scope, now),
                dispute_figures.digest(session, first, last, scope, now))


def revisions(session: Session, first: date, last: date, scope) -> list[DisputeReport]:
    """Every published revision of a period's report for a scope, newest first."""
    return list(session.scalars(select(DisputeReport).where(
        DisputeReport.scope == scope.key, DisputeReport.period_start == first, DisputeReport.period_end == last)
        .order_by(DisputeReport.revision.desc())))


def frozen(report: DisputeReport) -> LedgerFigures:
    """A published revision's figures, as they were published."""
    counts = {key: int(report.figures.get(key, 0)) for key in dispute_figures.keys()}
    return LedgerFigures(report.period_start, report.period_end, report.scope, counts)


def revised_from(session: Session, report: DisputeReport) -> dict[str, int]:
    """The figures this revision changed, each with its value in the revision it revises."""
    if report.revises_id is None:
        return {}
    before = session.get(DisputeReport, report.revises_id)
    return {key: int(before.figures.get(key, 0)) for key in dispute_figures.keys()
            if int(before.figures.get(key, 0)) != int(report.figures.get(key, 0))}


def differs(report: DisputeReport, now_: Live) -> bool:
    """The history no longer gives what was published (a figure, or the entries behind one, changed)."""
    return report.ids_hash != now_.ids_hash or frozen(report).counts != now_.figures.counts


def publish(session: Session, first: date, last: date, scope, user, now: datetime) -> tuple[DisputeReport, bool]:
    """Freeze the period's figures for the scope: (revision, created). Publishing what is already published gives
    that revision again (created False). Not committed."""
    if scope.committee_id is not None:
        raise ReportRefused("scope_not_reportable")
    try:
        dispute_figures.Period(first, last)
    except dispute_figures.BadPeriod:
        raise ReportRefused("bad_period") from None
    if first > now.astimezone(PROVINCE_TZ).date():
        raise ReportRefused("period_not_started")
    counted = live(session, first, last, scope, now)
    found = revisions(session, first, last, scope)
    latest = found[0] if found else None
    if latest is not None and not differs(latest, counted):
        return latest, False
    report = DisputeReport(
        scope=scope.key, city_id=scope.city_id, org_unit_id=_unit_id(scope.path), period_start=first,
        period_end=last, revision=(latest.revision + 1) if latest else 1, revises_id=latest.id if latest else None,
        figures=dict(counted.figures.counts), ids_hash=counted.ids_hash, published_at=now,
        published_by_id=getattr(user, "id", None))
    try:
        with session.begin_nested():  # two coordinators publishing at once: one revision, the other sees it
            session.add(report)
            session.flush()
    except IntegrityError:
        latest = revisions(session, first, last, scope)[0]
        return latest, False
    return report, True


def _unit_id(path: str | None) -> int | None:
    parts = [part for part in (path or "").split("/") if part]
    return int(parts[-1]) if parts else None


def latest_revision(session: Session, first: date, last: date, scope) -> DisputeReport | None:
    """The newest published revision, if any."""
    found = revisions(session, first, last, scope)
    return found[0] if found else None
