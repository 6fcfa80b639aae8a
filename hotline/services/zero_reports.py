"""Monthly zero reports (零报告): a township with nothing to report for a month says so, and the county and city see
who filed, who had entries (and so need not file) and who did neither.

"Nothing to report" means no ledger entry of the township's subtree (the township's own and its villages' and
communities') was found or registered in that calendar month, Beijing time. An entry found in the month but
registered later still belongs to it: a zero report filed before such an entry was registered shows as contradicted.
The current month may be reported on (townships report at its end); a later one may not. One report per township
and month: the database's unique constraint settles two filings at once.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time

from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotline.models import Dispute, OrgUnit, ZeroReport
from hotline.models.types import PROVINCE_TZ

STATUSES = ("missing", "registered", "filed", "contradicted")
NOTE_LIMIT = 1000


class ZeroRefused(ValueError):
    """A filing refused; str() is the code (not_township, bad_month, future_month, note_too_long, has_entries,
    already_filed)."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


def parse_month(text: str | None) -> date | None:
    """'2026-10' as the first day of that month; None when it is not a month."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", (text or "").strip())
    if not match:
        return None
    year, month = int(match[1]), int(match[2])
    return date(year, month, 1) if 2000 <= year <= 2100 and 1 <= month <= 12 else None


def this_month(now: datetime) -> date:
    """The month `now` falls in, Beijing time."""
    local = now.astimezone(PROVINCE_TZ)
    return date(local.year, local.month, 1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """The month's first instant and the next month's, Beijing time."""
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return (datetime.combine(month, time(0), PROVINCE_TZ), datetime.combine(following, time(0), PROVINCE_TZ))


def _of_month(query, month: date):
    """Keep a query over Dispute to the entries found or registered in the month."""
    start, end = month_bounds(month)
    return query.where(or_((Dispute.found_at >= start) & (Dispute.found_at < end),
                           (Dispute.created_at >= start) & (Dispute.created_at < end)))


def entries_of(session: Session, township: OrgUnit, month: date) -> int:
    """Entries of a township's subtree found or registered in the month."""
    query = select(func.count()).select_from(Dispute).where(Dispute.org_unit_id.in_(
        select(OrgUnit.id).where(OrgUnit.path.startswith(township.path))))
    return session.scalar(_of_month(query, month))


def file(session: Session, township: OrgUnit | None, month: date | None, user, now: datetime,
         note: str = "") -> ZeroReport:
    """File a township's zero report for a month; raises ZeroRefused and writes nothing. The caller commits."""
    if township is None or township.kind != "township":
        raise ZeroRefused("not_township")
    if month is None:
        raise ZeroRefused("bad_month")
    if month > this_month(now):
        raise ZeroRefused("future_month")
    note = (note or "").strip()
    if len(note) > NOTE_LIMIT:
        raise ZeroRefused("note_too_long", limit=NOTE_LIMIT)
    count = entries_of(session, township, month)
    if count:
        raise ZeroRefused("has_entries", count=count)
    report = ZeroReport(org_unit_id=township.id, month=month, filed_at=now, user_id=getattr(user, "id", None),
                        note=note)
    try:
        with session.begin_nested():  # the unique constraint, not a look first, settles two filings at once
            session.add(report)
    except IntegrityError:
        raise ZeroRefused("already_filed") from None
    return report


@dataclass
class TownshipRow:
    township: OrgUnit
    entries: int
    report: ZeroReport | None

    @property
    def status(self) -> str:
        if self.report is not None:
            return "contradicted" if self.entries else "filed"
        return "registered" if self.entries else "missing"


@dataclass
class Overview:
    month: date
    rows: list[TownshipRow] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        found = {status: 0 for status in STATUSES}
        for row in self.rows:
            found[row.status] += 1
        return found

    def with_status(self, status: str) -> list[TownshipRow]:
        return [row for row in self.rows if row.status == status]


def overview(session: Session, scope, month: date) -> Overview:
    """Every township in the scope for a month: its entries of the month and its zero report (three queries)."""
    townships = session.scalars(scope.org_units(select(OrgUnit).where(OrgUnit.kind == "township"))
                                .order_by(OrgUnit.city_id, OrgUnit.path)).all()
    result = Overview(month=month)
    if not townships:
        return result
    by_id = {township.id: township for township in townships}
    entries: dict[int, int] = {}
    paths = _of_month(select(OrgUnit.path, func.count(Dispute.id)).join(OrgUnit, Dispute.org_unit_id == OrgUnit.id),
                      month)
    for path, count in session.execute(scope.disputes(paths).group_by(OrgUnit.path)):
        township_id = next((int(part) for part in path.split("/") if part and int(part) in by_id), None)
        if township_id is not None:
            entries[township_id] = entries.get(township_id, 0) + count
    reports = {report.org_unit_id: report for report in session.scalars(select(ZeroReport).where(
        ZeroReport.month == month, ZeroReport.org_unit_id.in_(by_id)))}
    result.rows = [TownshipRow(township, entries.get(township.id, 0), reports.get(township.id))
                   for township in townships]
    return result
