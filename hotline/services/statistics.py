"""The department's figures, counted from the contacts and the service log (never typed in), and the records
behind each figure.

Each table is read in one pass with conditional aggregates, so a quarter of a million-row province stays fast
(bench/dashboard.py measures the page over a million contacts and a million service records).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from hotline.models import Contact, FollowUp, Lawyer, RiskFlag, ServiceRecord
from hotline.models.types import LocalDays
from hotline.vocab import SERVICE_KINDS

PREVENTED_TYPES = ("suicide", "civil_to_criminal", "group_petition", "group_fight", "domestic_violence")
MEDIATED = ("success", "failed")
RATED = ("answered", "called_back")


@dataclass(frozen=True)
class Filters(LocalDays):
    """What the figures cover: a period of local days [first, last], and optionally a city, area, channel, lawyer."""

    first: date
    last: date
    city_id: int | None = None
    legal_area: str | None = None
    channel: str | None = None
    lawyer_id: int | None = None

    def days(self) -> list[date]:
        """Every local day of the period."""
        return [self.first + timedelta(days=n) for n in range((self.last - self.first).days + 1)]

    def query_args(self) -> dict:
        """The filters as URL arguments (for links and exports)."""
        args = {"first": self.first.isoformat(), "last": self.last.isoformat()}
        for name in ("city_id", "legal_area", "channel", "lawyer_id"):
            if getattr(self, name) is not None:
                args[name] = getattr(self, name)
        return args


def quarter_of(day: date) -> tuple[date, date]:
    """The calendar quarter containing the day."""
    first = date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    after = date(first.year + (first.month + 2) // 12, (first.month + 2) % 12 + 1, 1)
    return first, after - timedelta(days=1)


def last_full_quarter(day: date) -> tuple[date, date]:
    """The last calendar quarter that ended before the day."""
    return quarter_of(quarter_of(day)[0] - timedelta(days=1))


@dataclass
class Figures:
    """Everything the dashboard and the report show."""

    contacts: int = 0
    phone_calls: int = 0
    answered: int = 0
    average_wait: float | None = None
    p90_wait: int | None = None
    callbacks_due: int = 0
    callbacks_on_time: int = 0
    disputes: int = 0
    mediated: int = 0
    mediated_successfully: int = 0
    prevented: dict[str, int] = field(default_factory=dict)
    services: dict[str, int] = field(default_factory=dict)
    satisfaction: float | None = None
    ratings: int = 0
    per_lawyer: list[tuple[int, str, int]] = field(default_factory=list)
    per_day: list[tuple[date, int]] = field(default_factory=list)

    @property
    def answer_rate(self) -> float | None:
        """Answered phone calls as a share of phone calls."""
        return self.answered / self.phone_calls if self.phone_calls else None

    @property
    def success_rate(self) -> float | None:
        """Disputes mediated successfully as a share of those mediated."""
        return self.mediated_successfully / self.mediated if self.mediated else None

    @property
    def callbacks_on_time_rate(self) -> float | None:
        """Callbacks done by their due time as a share of callbacks due."""
        return self.callbacks_on_time / self.callbacks_due if self.callbacks_due else None


def _conditions(filters: Filters, time_column, columns: tuple, period: bool = True) -> list:
    """The filters as SQL conditions on a table: its time column, then city, area, channel and lawyer columns."""
    conditions = [time_column >= filters.start, time_column < filters.end] if period else []
    values = (filters.city_id, filters.legal_area, filters.channel, filters.lawyer_id)
    return conditions + [column == value for column, value in zip(columns, values) if value is not None]


def _contact_filter(filters: Filters, period: bool = True) -> list:
    return _conditions(filters, Contact.received_at,
                       (Contact.city_id, Contact.legal_area, Contact.channel, Contact.lawyer_id), period)


def _service_filter(filters: Filters) -> list:
    return _conditions(filters, ServiceRecord.started_at, (ServiceRecord.city_id, ServiceRecord.legal_area,
                                                           ServiceRecord.channel, ServiceRecord.provider_lawyer_id))


def _count_if(condition):
    """The rows meeting a condition, in the pass that counts the others (FILTER: cheaper than summing a CASE,
    by a tenth on PostgreSQL and a fifth on SQLite)."""
    return func.count().filter(condition)


def contact_records(filters: Filters):
    """Contacts in scope (the records behind the contact figures)."""
    return select(Contact).where(*_contact_filter(filters))


def service_records(filters: Filters):
    """Service records in scope (the records behind the service figures)."""
    return select(ServiceRecord).where(*_service_filter(filters))


def _counts(session: Session, counts: list, per_statement: int = 400) -> list[int]:
    """Many small count queries as the columns of a few statements (each is an index range count; one round trip
    per few hundred)."""
    found: list[int] = []
    for start in range(0, len(counts), per_statement):
        chunk = counts[start:start + per_statement]
        found += list(session.execute(select(*(c.scalar_subquery() for c in chunk))).one())
    return found


def _contact_pass(session: Session, filters: Filters, found: Figures, today: date | None = None) -> None:
    """The contact counts in one pass of the period (conditional sums, no grouping: grouping cost more than
    counting, on both databases)."""
    answered = Contact.answered_at.is_not(None)
    scope = _contact_filter(filters)
    (found.contacts, found.phone_calls, found.answered, found.callbacks_due, found.callbacks_on_time, found.disputes,
     found.mediated, found.mediated_successfully) = session.execute(select(
        func.count(Contact.id),
        _count_if(Contact.channel == "phone"),
        _count_if(and_(Contact.channel == "phone", answered)),
        _count_if(Contact.callback_due_at.is_not(None)),
        _count_if(and_(Contact.callback_done_at.is_not(None), Contact.callback_done_at <= Contact.callback_due_at)),
        _count_if(Contact.is_dispute.is_(True)),
        _count_if(Contact.dispute_outcome.in_(MEDIATED)),
        _count_if(Contact.dispute_outcome == "success"),
    ).where(*scope)).one()
    found.average_wait, found.p90_wait = _waits(session, scope)
    # Contacts per local day: an index range count per day (grouping by a converted date cost more, on both).
    others = _contact_filter(filters, period=False)
    days = [day for day in filters.days() if today is None or day <= today]
    found.per_day = list(zip(days, _counts(session, [
        select(func.count(Contact.id)).where(*others, Contact.received_at >= Filters(day, day).start,
                                             Contact.received_at < Filters(day, day).end) for day in days])))


def _waits(session: Session, scope: list) -> tuple[float | None, int | None]:
    """The average and 90th-percentile wait of answered calls, from how many calls waited each number of seconds.

    Waits are whole seconds with few distinct values: the counts per value are few rows (for the whole province,
    read from the (received, answered, wait) index alone), and the nearest rank is found in them as
    percentile_disc(0.9) finds it, without sorting every call (that sort spilled to disk on PostgreSQL).
    """
    counts = session.execute(select(Contact.wait_seconds, func.count()).where(
        *scope, Contact.answered_at.is_not(None), Contact.wait_seconds.is_not(None))
        .group_by(Contact.wait_seconds).order_by(Contact.wait_seconds)).all()
    calls = sum(count for _wait, count in counts)
    if not calls:
        return None, None
    rank, seen = math.ceil(0.9 * calls), 0  # nearest rank, as percentile_disc(0.9)
    for wait, count in counts:
        seen += count
        if seen >= rank:
            break
    return sum(w * count for w, count in counts) / calls, wait


def _prevented(session: Session, filters: Filters) -> dict[str, int]:
    """Prevented incidents by type, counted from the (few) prevented flags.

    Each flag looks its contact up by primary key: a scalar subquery is not turned into a join, so the database
    never walks the period's contacts to find the handful that carry a flag (a semi-join did, on PostgreSQL).
    """
    contact_in_scope = select(Contact.id).where(Contact.id == RiskFlag.contact_id, *_contact_filter(filters))
    counted = dict(session.execute(
        select(RiskFlag.flag, func.count(RiskFlag.id))
        .where(RiskFlag.prevented.is_(True), RiskFlag.flag.in_(PREVENTED_TYPES),
               contact_in_scope.scalar_subquery().is_not(None))
        .group_by(RiskFlag.flag)).all())
    return {flag: counted.get(flag, 0) for flag in PREVENTED_TYPES}


def _service_pass(session: Session, filters: Filters, found: Figures) -> None:
    """Services by kind, by lawyer, and the ratings of their follow-ups."""
    scope = _service_filter(filters)
    per_lawyer: dict[int, int] = {}
    if session.get_bind().dialect.name == "postgresql":
        # PostgreSQL groups by hashing: kinds and lawyers in one pass, with the range of the records' ids.
        lowest = highest = None
        for kind, lawyer_id, count, first_id, last_id in session.execute(
                select(ServiceRecord.kind, ServiceRecord.provider_lawyer_id, func.count(ServiceRecord.id),
                       func.min(ServiceRecord.id), func.max(ServiceRecord.id))
                .where(*scope).group_by(ServiceRecord.kind, ServiceRecord.provider_lawyer_id)):
            found.services[kind] = found.services.get(kind, 0) + count
            if lawyer_id is not None:
                per_lawyer[lawyer_id] = per_lawyer.get(lawyer_id, 0) + count
            lowest = first_id if lowest is None else min(lowest, first_id)
            highest = last_id if highest is None else max(highest, last_id)
    else:
        kinds = list(SERVICE_KINDS)
        *counts, lowest, highest = session.execute(select(
            *(_count_if(ServiceRecord.kind == kind) for kind in kinds),
            func.min(ServiceRecord.id), func.max(ServiceRecord.id)).where(*scope)).one()
        found.services = {kind: count for kind, count in zip(kinds, counts) if count}
        # SQLite sorts every row to group them; a count per lawyer on the (lawyer, start) index is far cheaper.
        ids = [filters.lawyer_id] if filters.lawyer_id is not None else list(session.scalars(select(Lawyer.id)))
        per_lawyer = dict(zip(ids, _counts(session, [
            select(func.count(ServiceRecord.id)).where(*scope, ServiceRecord.provider_lawyer_id == lawyer_id)
            for lawyer_id in ids])))
    top = sorted(((i, c) for i, c in per_lawyer.items() if c), key=lambda item: (-item[1], item[0]))[:20]
    names = dict(session.execute(select(Lawyer.id, Lawyer.name).where(Lawyer.id.in_([i for i, _c in top]))).all())
    found.per_lawyer = [(lawyer_id, names.get(lawyer_id, ""), count) for lawyer_id, count in top]
    found.satisfaction, found.ratings = _ratings(session, scope, lowest, highest)


def _ratings(session: Session, scope: list, lowest: int | None, highest: int | None) -> tuple[float | None, int]:
    """The average rating and the number of ratings of the services in scope, whose ids lie in [lowest, highest].

    The id range changes no result (every record in scope lies in it); it lets the database read only the
    follow-ups of that range from their index instead of hashing every rating ever given.
    """
    if lowest is None:
        return None, 0
    score_sum, ratings = session.execute(
        select(func.coalesce(func.sum(FollowUp.score), 0), func.count(FollowUp.score))
        .join(ServiceRecord, ServiceRecord.id == FollowUp.service_record_id)
        .where(*scope, FollowUp.status.in_(RATED), FollowUp.score.is_not(None),
               FollowUp.service_record_id.between(lowest, highest), ServiceRecord.id.between(lowest, highest))).one()
    return (float(score_sum) / ratings if ratings else None), ratings


def figures(session: Session, filters: Filters, today: date | None = None) -> Figures:
    """Count every figure for the filters; the contacts per day stop at `today` (days still to come have no
    contacts yet, and a chart of zeros would read as a collapse)."""
    found = Figures()
    _contact_pass(session, filters, found, today)
    found.prevented = _prevented(session, filters)
    _service_pass(session, filters, found)
    return found


# The records behind each figure: a figure key -> (table, extra conditions). Links from the dashboard and the
# report open these lists, so every number can be checked record by record.
def records_behind(session: Session, figure: str, filters: Filters):
    """The select statement listing the records one figure counts, or None for an unknown figure."""
    contacts = contact_records(filters)
    if figure == "contacts":
        return contacts
    if figure == "phone_calls":
        return contacts.where(Contact.channel == "phone")
    if figure == "answered":
        return contacts.where(Contact.channel == "phone", Contact.answered_at.is_not(None))
    if figure == "callbacks_due":
        return contacts.where(Contact.callback_due_at.is_not(None))
    if figure == "callbacks_on_time":
        return contacts.where(Contact.callback_done_at.is_not(None), Contact.callback_done_at <= Contact.callback_due_at)
    if figure == "disputes":
        return contacts.where(Contact.is_dispute.is_(True))
    if figure == "mediated":
        return contacts.where(Contact.dispute_outcome.in_(MEDIATED))
    if figure == "mediated_successfully":
        return contacts.where(Contact.dispute_outcome == "success")
    if figure.startswith("prevented:") and figure.split(":", 1)[1] in PREVENTED_TYPES:
        flag = figure.split(":", 1)[1]
        return contacts.where(Contact.id.in_(select(RiskFlag.contact_id).where(
            RiskFlag.flag == flag, RiskFlag.prevented.is_(True))))
    services = service_records(filters)
    if figure == "services":
        return services
    if figure.startswith("service:"):
        return services.where(ServiceRecord.kind == figure.split(":", 1)[1])
    if figure == "project_services":
        return services.where(ServiceRecord.project_id.is_not(None))
    if figure == "ratings":
        return services.where(ServiceRecord.id.in_(select(FollowUp.service_record_id).where(
            FollowUp.status.in_(RATED), FollowUp.score.is_not(None))))
    return None


def approximately(count: int) -> str:
    """The department's style for large counts in a sentence: 26,412 -> '26,000+'; small ones exactly."""
    return f"{count // 1000 * 1000:,}+" if count >= 10000 else f"{count:,}"


def approximately_zh(count: int) -> str:
    """The same in the department's Chinese: 26412 -> '2.6万余', 20000 -> '2万', 9999 -> '9999' (no separators)."""
    if count < 10000:
        return str(count)
    thousands = count // 1000
    tenths = f"{thousands // 10}.{thousands % 10}" if thousands % 10 else str(thousands // 10)
    return f"{tenths}万" + ("" if count == thousands * 1000 else "余")
