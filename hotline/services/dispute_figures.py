"""The dispute ledger's figures for a period, counted from the entries' histories, and the entries behind each one.

A period is whole days in Beijing time: [first day 00:00:00, the day after the last 00:00:00). Only events dated in
the period count; what each figure means:

* found: entries registered in the period (their `register` event), by source;
* mediated: entries whose mediation concluded in the period (a `succeed` or `fail` event), each once however often
  it concluded; successful: those whose last conclusion in the period was a success (调解成功率 = successful /
  mediated). A transfer or a withdrawal is not a mediation;
* prevented: risks closed in the period as prevented (`risk_close` with prevented true), by kind, in cases and in
  people (the people at risk the event recorded);
* reported: entries reported upward in the period, by the level reported to (`report` events);
* committees: committees entries were dispatched to in the period (`dispatch` events), distinct, and those at
  county level or above (committee level >= 2: county key-and-difficult, industry and stationed rooms);
* open: entries open (services.disputes.OPEN_STATES) at the end of the period, or now if it has not ended, by the
  risk level they had then, both read from the history;
* breached: deadlines missed in the period, as the deadline sweep (services.dispute_deadlines) escalated them, one
  `escalate` event per missed deadline;
* follow-ups due and on time: follow-up visits due in the period (services.dispute_deadlines' rule: three days after
  the performance date, or fifteen days after the agreement), and those made by then; one not due yet is left out.

Every count is an aggregate in SQL over the (action, at) index of the events; `ids_behind` gives the entries behind
any figure so the ledger can list them, and `digest` hashes them all for a published report.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from sqlalchemy import Select, and_, case, func, or_, select, union
from sqlalchemy.orm import Session

from hotline.models import Dispute, DisputeEvent, MediationCommittee
from hotline.models.types import PROVINCE_TZ, day_start, utcnow
from hotline.services.dispute_deadlines import DEFAULTS as DEADLINES
from hotline.services.disputes import OPEN_STATES
from hotline.vocab import DISPUTE_ACTIONS, DISPUTE_SOURCES, REPORT_LEVELS, RISK_FLAGS, RISK_ORDER

E = DisputeEvent
COUNTY_LEVEL = 2  # committee levels: 0 village or community, 1 township, 2 county
LEVELS = tuple(reversed(RISK_ORDER))  # red first
MAX_DAYS = 366 * 5


class BadFigure(KeyError):
    """An unknown figure key."""


class BadPeriod(ValueError):
    """A period whose last day comes before its first, too long to count, or outside 2000-2099 (the ledger holds
    nothing earlier, and a day near year 1 or 9999 has no UTC midnight to count from)."""


@dataclass(frozen=True)
class Period:
    """Whole days in Beijing time, first to last inclusive."""

    first: date
    last: date

    def __post_init__(self):
        if self.last < self.first or (self.last - self.first).days > MAX_DAYS or self.first.year < 2000 \
                or self.last.year > 2099:
            raise BadPeriod(f"{self.first} – {self.last}")

    @property
    def start(self) -> datetime:
        """The first moment of the period (UTC)."""
        return day_start(self.first)

    @property
    def end(self) -> datetime:
        """The first moment after the period (UTC)."""
        return day_start(self.last + timedelta(days=1))


def keys() -> list[str]:
    """Every figure key, in the order the report shows them."""
    found = ["found"] + [f"found:{source}" for source in DISPUTE_SOURCES]
    prevented = [f"{what}:{kind}" for kind in RISK_FLAGS for what in ("prevented", "prevented_people")]
    return (found + ["mediated", "succeeded"] + prevented + [f"reported:{level}" for level in REPORT_LEVELS]
            + ["committees", "committees_county", "open"] + [f"open:{level}" for level in LEVELS]
            + ["breached", "follow_ups_due", "follow_ups_on_time"])


@dataclass
class LedgerFigures:
    """A period's figures: `counts` maps every key of keys() to a whole number."""

    first: date
    last: date
    scope_key: str
    counts: dict[str, int] = field(default_factory=dict)

    def __getitem__(self, key: str) -> int:
        return self.counts.get(key, 0)

    @property
    def success_rate(self) -> float | None:
        """Successful mediations as a share of those concluded."""
        return self["succeeded"] / self["mediated"] if self["mediated"] else None

    @property
    def follow_up_rate(self) -> float | None:
        return self["follow_ups_on_time"] / self["follow_ups_due"] if self["follow_ups_due"] else None


# ---- building blocks ---------------------------------------------------------------------------------------------

def _scoped(query: Select, scope) -> Select:
    """Keep a query over events to the entries in scope (the province needs no join)."""
    if scope is None or scope.is_province:
        return query
    return scope.disputes(query.join(Dispute, Dispute.id == E.dispute_id))


def _in_period(period: Period, *actions: str) -> list:
    return [E.action.in_(actions) if len(actions) > 1 else E.action == actions[0], E.at >= period.start,
            E.at < period.end]


def _json_str(*path: str):
    return E.data[path if len(path) > 1 else path[0]].as_string()


def _json_int(name: str):
    return E.data[name].as_integer()


def _prevented_true():
    return E.data["prevented"].as_boolean().is_(True)


def _committee_id():
    return E.data["committee_id"].as_integer()


def _mediated(period: Period, scope):
    """Per entry concluded in the period: whether its last conclusion there was a success."""
    last_success = func.max(case((E.action == "succeed", E.seq)))
    last_failure = func.max(case((E.action == "fail", E.seq)))
    return _scoped(select(E.dispute_id.label("dispute_id"),
                          (last_success > func.coalesce(last_failure, 0)).label("success"))
                   .where(*_in_period(period, "succeed", "fail")), scope).group_by(E.dispute_id).subquery()


def _level_of_event():
    """The risk level an event leaves its entry at (None when it sets none): as services.dispute_deadlines reads it."""
    return case((E.action.in_(("register", "assess")), _json_str("risk_level")),
                (E.action == "risk_open", _json_str("level_to")),
                (E.action == "correct", _json_str("changes", "risk_level", "to")))


def _open_at(moment: datetime, scope):
    """(dispute id, risk level) of every entry open at `moment` in scope, from the history: an entry no event has
    touched since keeps its present state and level; the others are read from their last events before it."""
    later = select(E.id).where(E.dispute_id == Dispute.id, E.at >= moment).exists()
    still = select(Dispute.id.label("dispute_id"), Dispute.risk_level.label("level")).where(
        Dispute.state.in_(OPEN_STATES), ~later)
    if scope is not None:
        still = scope.disputes(still)
    touched = select(E.dispute_id).where(E.action.in_(list(DISPUTE_ACTIONS)), E.at >= moment).distinct()
    before = [E.dispute_id.in_(touched), E.at < moment]
    order = (E.at.desc(), E.seq.desc())
    states = _scoped(select(E.dispute_id, E.to_state,
                            func.row_number().over(partition_by=E.dispute_id, order_by=order).label("n"))
                     .where(*before), scope).subquery()
    level = _level_of_event()
    levels = select(E.dispute_id, level.label("level"),
                    func.row_number().over(partition_by=E.dispute_id, order_by=order).label("n")) \
        .where(*before, level.is_not(None)).subquery()
    then = select(states.c.dispute_id, levels.c.level).join(
        levels, and_(levels.c.dispute_id == states.c.dispute_id, levels.c.n == 1)).where(
        states.c.n == 1, states.c.to_state.in_(OPEN_STATES))
    return union(still, then).subquery()


def follow_up_due(agreed_at: datetime, performance_date: str | None) -> datetime:
    """When the follow-up visit after an agreement is due (services.dispute_deadlines' rule)."""
    if performance_date:
        day = date.fromisoformat(performance_date) + timedelta(days=1)
        return datetime.combine(day, time.min, PROVINCE_TZ) + DEADLINES["follow_up_after_performance"]
    return agreed_at + DEADLINES["follow_up_after_agreement"]


def _follow_ups(session: Session, period: Period, scope, now: datetime) -> list[tuple[int, bool]]:
    """(entry id, made on time) of every follow-up visit due in the period (and by now)."""
    after_performance = DEADLINES["follow_up_after_performance"] + timedelta(days=1)
    after_agreement = DEADLINES["follow_up_after_agreement"]
    performance = _json_str("performance_date")
    # Candidates by index: a due time in the period means an agreement or a performance date just before it.
    lowest = (period.first - after_performance - timedelta(days=1)).isoformat()
    window = or_(and_(performance.is_(None), E.at >= period.start - after_agreement, E.at < period.end - after_agreement),
                 and_(performance >= lowest, performance <= period.last.isoformat()))
    follow = DisputeEvent.__table__.alias("follow")
    # The first visit after the agreement: the entry's few later events, read along its (dispute_id, seq) index (a
    # condition on the action would tempt the planner onto the action index, every visit of the province each time).
    visited = select(func.min(case((follow.c.action == "follow_up", follow.c.at)))).where(
        follow.c.dispute_id == E.dispute_id, follow.c.seq > E.seq).scalar_subquery()
    rows = session.execute(_scoped(select(E.dispute_id, E.at, performance, visited)
                                   .where(E.action == "succeed", E.at < period.end, window), scope)).all()
    found = []
    for dispute_id, agreed_at, performance_date, visited_at in rows:
        due = follow_up_due(agreed_at, performance_date)
        if period.start <= due < period.end and due < now:
            found.append((dispute_id, visited_at is not None and visited_at <= due))
    return found


# ---- the figures -------------------------------------------------------------------------------------------------

def figures(session: Session, first: date, last: date, scope=None, now: datetime | None = None) -> LedgerFigures:
    """Every figure of the period for the scope (a hotline.disputes.scope.Scope; None for the province)."""
    period = Period(first, last)
    now = now or utcnow()
    counts = {key: 0 for key in keys()}

    source = _json_str("source").label("source")  # grouped by its label: PostgreSQL sees one expression
    for source, count in session.execute(_scoped(
            select(source, func.count()).where(*_in_period(period, "register")), scope).group_by(source)):
        counts["found"] += count
        if source in DISPUTE_SOURCES:
            counts[f"found:{source}"] = count

    mediated = _mediated(period, scope)
    total, successful = session.execute(select(func.count(), func.coalesce(
        func.sum(case((mediated.c.success, 1), else_=0)), 0)).select_from(mediated)).one()
    counts["mediated"], counts["succeeded"] = int(total), int(successful)

    kind = _json_str("kind").label("kind")
    for risk, cases, people in session.execute(_scoped(
            select(kind, func.count(), func.coalesce(func.sum(_json_int("people")), 0))
            .where(*_in_period(period, "risk_close"), _prevented_true()), scope).group_by(kind)):
        if risk in RISK_FLAGS:
            counts[f"prevented:{risk}"], counts[f"prevented_people:{risk}"] = int(cases), int(people)

    level = _json_str("level").label("level")
    for whom, count in session.execute(_scoped(
            select(level, func.count(E.dispute_id.distinct())).where(*_in_period(period, "report")), scope)
            .group_by(level)):
        if whom in REPORT_LEVELS:
            counts[f"reported:{whom}"] = int(count)

    dispatched = _scoped(select(_committee_id().label("committee_id")).where(*_in_period(period, "dispatch")),
                         scope).distinct().subquery()
    counts["committees"], counts["committees_county"] = session.execute(
        select(func.count(), func.coalesce(func.sum(case((MediationCommittee.level >= COUNTY_LEVEL, 1), else_=0)), 0))
        .select_from(dispatched).outerjoin(MediationCommittee, MediationCommittee.id == dispatched.c.committee_id)).one()

    stock = _open_at(min(period.end, now), scope)
    for risk_level, count in session.execute(select(stock.c.level, func.count()).group_by(stock.c.level)):
        counts["open"] += count
        if risk_level in RISK_ORDER:
            counts[f"open:{risk_level}"] = count

    counts["breached"] = session.scalar(_scoped(select(func.count()).select_from(E)
                                                .where(*_in_period(period, "escalate")), scope))
    due = _follow_ups(session, period, scope, now)
    counts["follow_ups_due"], counts["follow_ups_on_time"] = len(due), sum(1 for _id, kept in due if kept)
    return LedgerFigures(first, last, _scope_key(scope), {key: int(value) for key, value in counts.items()})


def _scope_key(scope) -> str:
    return "province" if scope is None else scope.key


# ---- the entries behind a figure ---------------------------------------------------------------------------------

def _behind(session: Session, key: str, period: Period, scope, now: datetime) -> Select | list[int]:
    """The statement selecting the ids behind one figure (or the ids themselves)."""
    head, _sep, tail = key.partition(":")
    ids = lambda *conditions: _scoped(select(E.dispute_id).where(*conditions), scope).distinct()  # noqa: E731
    if key == "found":
        return ids(*_in_period(period, "register"))
    if head == "found" and tail in DISPUTE_SOURCES:
        return ids(*_in_period(period, "register"), _json_str("source") == tail)
    if key in ("mediated", "succeeded"):
        mediated = _mediated(period, scope)
        query = select(mediated.c.dispute_id)
        return query.where(mediated.c.success) if key == "succeeded" else query
    if head in ("prevented", "prevented_people") and tail in RISK_FLAGS:
        return ids(*_in_period(period, "risk_close"), _prevented_true(), _json_str("kind") == tail)
    if head == "reported" and tail in REPORT_LEVELS:
        return ids(*_in_period(period, "report"), _json_str("level") == tail)
    if key == "committees":
        return ids(*_in_period(period, "dispatch"))
    if key == "committees_county":
        county = select(MediationCommittee.id).where(MediationCommittee.level >= COUNTY_LEVEL)
        return ids(*_in_period(period, "dispatch"), _committee_id().in_(county))
    if key == "open" or (head == "open" and tail in RISK_ORDER):
        stock = _open_at(min(period.end, now), scope)
        query = select(stock.c.dispute_id)
        return query.where(stock.c.level == tail) if tail else query
    if key == "breached":
        return ids(*_in_period(period, "escalate"))
    if key in ("follow_ups_due", "follow_ups_on_time"):
        return sorted({dispute_id for dispute_id, kept in _follow_ups(session, period, scope, now)
                       if kept or key == "follow_ups_due"})
    raise BadFigure(key)


def ids_behind(session: Session, figure_key: str, first: date, last: date, scope=None,
               now: datetime | None = None) -> list[int]:
    """The ids of the entries one figure counts, ascending. Raises BadFigure (a KeyError) for an unknown key and
    BadPeriod (a ValueError) for a period that cannot be counted."""
    period = Period(first, last)
    found = _behind(session, figure_key, period, scope, now or utcnow())
    if isinstance(found, list):
        return found
    return sorted(set(session.scalars(found)))


def behind(session: Session, figure_key: str, first: date, last: date, scope=None, now: datetime | None = None):
    """What `ids_behind` returns, as a query of ids when the figure is one (so a list page can filter by it as a
    subquery instead of a list of tens of thousands of ids); raises as `ids_behind` does."""
    return _behind(session, figure_key, Period(first, last), scope, now or utcnow())


def digest(session: Session, first: date, last: date, scope=None, now: datetime | None = None) -> str:
    """The SHA-256 of the sorted ids behind every figure (what a published report is frozen with)."""
    now = now or utcnow()
    behind = {key: ids_behind(session, key, first, last, scope, now) for key in keys()
              if not key.startswith("prevented_people:")}  # the same entries as the cases
    return hashlib.sha256(json.dumps(behind, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


