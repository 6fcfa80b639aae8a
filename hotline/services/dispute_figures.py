"""The dispute ledger's figures for a period, counted from the entries' histories, and the entries behind each one.

A period is whole days in Beijing time: [first day 00:00:00, the day after the last 00:00:00). Only events dated in
the period count; what each figure means:

* found: entries registered in the period (their `register` event, whose moment the entry keeps as `created_at`),
  by source;
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

Every count is an aggregate in SQL over an index: the events' (action, at), carrying each event's entry, sequence
and committee; an agreement's follow-up due moment; the entries' registration moment; and their state with the moment
of their newest event, so the open stock at a past moment reads only what was touched since. On PostgreSQL these
indexes cover the counts, which then never read the tables. `ids_behind` gives the entries behind any figure so the
ledger can list them, and `digest` hashes them all for a published report.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Select, case, func, select, union_all
from sqlalchemy.orm import Session, aliased

from hotline.models import Dispute, DisputeEvent, MediationCommittee
from hotline.models.types import LocalDays, utcnow
from hotline.services.disputes import OPEN_STATES
from hotline.vocab import DISPUTE_SOURCES, REPORT_LEVELS, RISK_FLAGS, RISK_ORDER

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
class Period(LocalDays):
    """Whole days in Beijing time, first to last inclusive."""

    first: date
    last: date

    def __post_init__(self):
        if self.last < self.first or (self.last - self.first).days > MAX_DAYS or self.first.year < 2000 \
                or self.last.year > 2099:
            raise BadPeriod(f"{self.first} – {self.last}")



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


def _scoped_entries(query: Select, scope) -> Select:
    """Keep a query over entries to those in scope."""
    return query if scope is None else scope.disputes(query)


def _registered(period: Period):
    return [Dispute.created_at >= period.start, Dispute.created_at < period.end]


def _in_period(period: Period, *actions: str) -> list:
    return [E.action.in_(actions) if len(actions) > 1 else E.action == actions[0], E.at >= period.start,
            E.at < period.end]


def _json_str(*path: str):
    return E.data[path if len(path) > 1 else path[0]].as_string()


def _json_int(name: str):
    return E.data[name].as_integer()


def _prevented_true():
    return E.data["prevented"].as_boolean().is_(True)


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
    touched since keeps its present state and level (read from the entries' index); one registered before and
    touched since is read from its last events before it (few: what was in hand then and moved since)."""
    still = _scoped_entries(select(Dispute.id.label("dispute_id"), Dispute.risk_level.label("level")).where(
        Dispute.state.in_(OPEN_STATES), Dispute.last_event_at < moment), scope)
    touched = _scoped_entries(select(Dispute.id).where(Dispute.last_event_at >= moment, Dispute.created_at < moment),
                              scope).subquery()
    order = (E.at.desc(), E.seq.desc())
    state = select(E.to_state).where(E.dispute_id == touched.c.id, E.at < moment).order_by(*order).limit(1)
    level = _level_of_event()
    level_then = select(level).where(E.dispute_id == touched.c.id, E.at < moment, level.is_not(None)) \
        .order_by(*order).limit(1)
    then = select(touched.c.id, level_then.scalar_subquery().label("level")).where(
        state.scalar_subquery().in_(OPEN_STATES))
    return union_all(still, then).subquery()


def _due(period: Period, now: datetime):
    """Conditions on agreements whose follow-up visit fell due in the period, and by now (only an agreement, a
    succeed event, has a due moment: services.disputes.event_columns)."""
    return [E.due_at >= period.start, E.due_at < min(period.end, now)]


def _visited_in_time(period: Period, now: datetime):
    """Whether the entry's follow-up visit after this agreement (of those _due keeps) was made by its due moment: a
    visit before the period's due moments end, for the (action, at) index."""
    visit = aliased(DisputeEvent)
    return select(visit.id).where(visit.action == "follow_up", visit.at < min(period.end, now),
                                  visit.dispute_id == E.dispute_id, visit.seq > E.seq, visit.at <= E.due_at).exists()


# ---- the figures -------------------------------------------------------------------------------------------------

def figures(session: Session, first: date, last: date, scope=None, now: datetime | None = None) -> LedgerFigures:
    """Every figure of the period for the scope (a hotline.disputes.scope.Scope; None for the province)."""
    period = Period(first, last)
    now = now or utcnow()
    counts = {key: 0 for key in keys()}

    for source, count in session.execute(_scoped_entries(
            select(Dispute.source, func.count()).where(*_registered(period)), scope).group_by(Dispute.source)):
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

    dispatched = _scoped(select(E.committee_id).where(*_in_period(period, "dispatch")), scope).distinct().subquery()
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
    counts["follow_ups_due"] = session.scalar(_scoped(select(func.count()).select_from(E).where(*_due(period, now)),
                                                      scope))
    counts["follow_ups_on_time"] = session.scalar(_scoped(
        select(func.count()).select_from(E).where(*_due(period, now), _visited_in_time(period, now)), scope))
    return LedgerFigures(first, last, _scope_key(scope), {key: int(value) for key, value in counts.items()})


def _scope_key(scope) -> str:
    return "province" if scope is None else scope.key


# ---- the entries behind a figure ---------------------------------------------------------------------------------

def _behind(key: str, period: Period, scope, now: datetime) -> Select:
    """The statement selecting the ids behind one figure."""
    head, _sep, tail = key.partition(":")
    ids = lambda *conditions: _scoped(select(E.dispute_id).where(*conditions), scope).distinct()  # noqa: E731
    if key == "found" or (head == "found" and tail in DISPUTE_SOURCES):
        query = _scoped_entries(select(Dispute.id).where(*_registered(period)), scope)
        return query.where(Dispute.source == tail) if tail else query
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
        return ids(*_in_period(period, "dispatch"), E.committee_id.in_(county))
    if key == "open" or (head == "open" and tail in RISK_ORDER):
        stock = _open_at(min(period.end, now), scope)
        query = select(stock.c.dispute_id)
        return query.where(stock.c.level == tail) if tail else query
    if key == "breached":
        return ids(*_in_period(period, "escalate"))
    if key == "follow_ups_due":
        return ids(*_due(period, now))
    if key == "follow_ups_on_time":
        return ids(*_due(period, now), _visited_in_time(period, now))
    raise BadFigure(key)


def ids_behind(session: Session, figure_key: str, first: date, last: date, scope=None,
               now: datetime | None = None) -> list[int]:
    """The ids of the entries one figure counts, ascending. Raises BadFigure (a KeyError) for an unknown key and
    BadPeriod (a ValueError) for a period that cannot be counted."""
    period = Period(first, last)
    return sorted(set(session.scalars(_behind(figure_key, period, scope, now or utcnow()))))


def behind(figure_key: str, first: date, last: date, scope=None, now: datetime | None = None):
    """What `ids_behind` returns, as a query of ids (so a list page can filter by it as a subquery instead of a list
    of tens of thousands of ids); raises as `ids_behind` does."""
    return _behind(figure_key, Period(first, last), scope, now or utcnow())


def digest(session: Session, first: date, last: date, scope=None, now: datetime | None = None) -> str:
    """The SHA-256 of the sorted ids behind every figure (what a published report is frozen with)."""
    now = now or utcnow()
    behind = {key: ids_behind(session, key, first, last, scope, now) for key in keys()
              if not key.startswith("prevented_people:")}  # the same entries as the cases
    return hashlib.sha256(json.dumps(behind, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


