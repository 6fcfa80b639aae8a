"""Deadlines of a dispute, computed from its history in Beijing time with an injected clock, and the sweep that acts
on them: a text to the responsible person when one is at risk, and an escalation one level up when one is missed.

One table holds the defaults (DEFAULTS); a department changes them in one place. A deadline is on track, at risk (in
the last quarter of its span, at most the last day) or breached (the clock is past it, to the second: a deadline
due at 10:00:00 is met by an event at 10:00:00 and breached at 10:00:01). A deadline that was met stays met; one met
late says so.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from hotline.models import Dispute, DisputeEvent, DisputeRisk, OrgUnit, User
from hotline.models.types import PROVINCE_TZ
from hotline.services import disputes
from hotline.vocab import RISK_ORDER

DEFAULTS = {
    "accept": timedelta(days=1),
    # level reached -> [(whom to report to, within)]
    "report": {"red": [("city_bureau", timedelta(hours=6)), ("province_dept", timedelta(hours=24))],
               "orange": [("county_bureau", timedelta(hours=24))]},
    "acknowledge": timedelta(hours=2),
    "conclude": timedelta(days=30),
    "follow_up_after_performance": timedelta(days=3),
    "follow_up_after_agreement": timedelta(days=15),
    # measure reviews by level: days, or "month" for the same day next month
    "review": {"red": timedelta(days=1), "orange": timedelta(days=3), "yellow": timedelta(days=7), "blue": "month"},
}
REPORT_ORDER = ("county_bureau", "city_bureau", "province_dept")
ENDING = frozenset({"succeed", "fail", "transfer", "withdraw"})


@dataclass(frozen=True)
class Deadline:
    """One deadline: `key` names it within the entry (accept, report:city_bureau, acknowledge:city_bureau, conclude, follow_up,
    review:suicide); `started_at` is when its clock started."""

    key: str
    started_at: datetime
    due_at: datetime
    done_at: datetime | None

    def status(self, now: datetime) -> str:
        """met, met_late, on_track, at_risk or breached."""
        if self.done_at is not None:
            return "met" if self.done_at <= self.due_at else "met_late"
        if now > self.due_at:
            return "breached"
        return "at_risk" if now >= self.warns_at else "on_track"

    @property
    def warns_at(self) -> datetime:
        """When it turns at risk: the last quarter of its span, at most the last day."""
        return self.due_at - min((self.due_at - self.started_at) / 4, timedelta(days=1))


def add_month(moment: datetime) -> datetime:
    """The same wall-clock time a calendar month later in Beijing (31 January → 28 or 29 February)."""
    local = moment.astimezone(PROVINCE_TZ)
    year, month = (local.year + 1, 1) if local.month == 12 else (local.year, local.month + 1)
    day = min(local.day, calendar.monthrange(year, month)[1])
    return local.replace(year=year, month=month, day=day).astimezone(moment.tzinfo)


def _end_of_beijing_day(day: date) -> datetime:
    return datetime.combine(day + timedelta(days=1), time(0), PROVINCE_TZ)


def follow_up_due(agreed_at: datetime, performance_date: str | None) -> datetime:
    """When the follow-up visit after an agreement falls due: three days after the performance date (from the end of
    that Beijing day), or fifteen days after the agreement when it names none."""
    if performance_date:
        return _end_of_beijing_day(date.fromisoformat(performance_date)) + DEFAULTS["follow_up_after_performance"]
    return agreed_at + DEFAULTS["follow_up_after_agreement"]


def _first(events, actions, after: datetime, when=lambda event: True) -> datetime | None:
    return next((event.at for event in events if event.action in actions and event.at >= after and when(event)), None)


def deadlines(dispute: Dispute, events: list[DisputeEvent]) -> list[Deadline]:
    """Every deadline of an entry, from its history (events in order) and its risks."""
    events = sorted(events, key=lambda event: event.seq)
    if not events:
        return []
    found: list[Deadline] = []
    registered = events[0].at
    found.append(Deadline("accept", registered, registered + DEFAULTS["accept"],
                          _first(events, {"accept", "reject"}, registered)))

    # Reports upward: the clock starts when the level first reaches orange or red.
    reached: dict[str, datetime] = {}
    for event in events:
        level = _level_after(event)
        if level is None:
            continue
        for step in ("orange", "red"):
            if RISK_ORDER.index(level) >= RISK_ORDER.index(step):
                reached.setdefault(step, event.at)
    for step, start in reached.items():
        for whom, within in DEFAULTS["report"][step]:
            done = _first(events, {"report"}, start,
                          lambda e, whom=whom: REPORT_ORDER.index(e.data.get("level", "county_bureau"))
                          >= REPORT_ORDER.index(whom))
            found.append(Deadline(f"report:{whom}", start, start + within, done))
    for event in events:
        if event.action == "report":
            level = event.data.get("level")
            done = _first(events, {"acknowledge"}, event.at, lambda e, level=level: e.data.get("level") == level)
            found.append(Deadline(f"acknowledge:{level}", event.at, event.at + DEFAULTS["acknowledge"], done))

    accepted = [event for event in events if event.action == "committee_accept"]
    if accepted:
        start = accepted[-1].at
        extension = sum(event.data.get("days", 0) for event in events if event.action == "extend")
        found.append(Deadline("conclude", start, start + DEFAULTS["conclude"] + timedelta(days=extension),
                              _first(events, ENDING, start)))
    succeeded = [event for event in events if event.action == "succeed"]
    if succeeded:
        event = succeeded[-1]
        due = follow_up_due(event.at, event.data.get("performance_date"))
        found.append(Deadline("follow_up", event.at, due, _first(events, {"follow_up"}, event.at)))

    for risk in dispute.risks:
        if risk.closed_at is not None:
            continue
        reviews = [e.at for e in events if e.action in ("risk_open", "measure_review") and e.data.get("kind") == risk.kind]
        last = max(reviews, default=risk.opened_at)
        interval = DEFAULTS["review"][dispute.risk_level]
        found.append(Deadline(f"review:{risk.kind}", last, add_month(last) if interval == "month" else last + interval,
                              None))
    return found


def next_moments(dispute, events) -> tuple[datetime | None, datetime | None]:
    """(next due, next action) of an entry, from its history: the earliest due moment of its deadlines not yet met,
    and the earliest moment the sweep has something to do for it (a deadline turning at risk that was not warned
    of, or one breached that was not escalated). None when there is none; a closed entry has neither.
    services.disputes keeps both on the entry at every event, so the board and the sweep read only the entries
    that have a deadline pending or an action due, however many the ledger holds."""
    if dispute.state == "closed":
        return None, None
    acted = {(event.action, (event.data or {}).get("deadline"), (event.data or {}).get("due_at"))
             for event in events if event.action in ("warn", "escalate")}
    due, action = None, None
    for deadline in deadlines(dispute, events):
        if deadline.done_at is not None:
            continue
        due = deadline.due_at if due is None else min(due, deadline.due_at)
        stamp = deadline.due_at.isoformat()
        if ("escalate", deadline.key, stamp) in acted:
            continue
        at = deadline.due_at + BREACH if ("warn", deadline.key, stamp) in acted else deadline.warns_at
        action = at if action is None else min(action, at)
    return due, action


BREACH = timedelta(seconds=1)  # a deadline due at 10:00:00 is breached at 10:00:01


def _level_after(event: DisputeEvent) -> str | None:
    """The risk level an event leaves the entry at, when it sets one."""
    data = event.data or {}
    if event.action in ("register", "assess"):
        return data.get("risk_level")
    if event.action == "risk_open":
        return data.get("level_to")
    if event.action == "correct":
        return (data.get("changes") or {}).get("risk_level", {}).get("to")
    return None


ESCALATION = {"village": "township", "community": "township", "township": "county", "county": "city",
              "city": "province"}
# The deadline's name in the text messages (the department's officials read Chinese).
NAMES_ZH = {"accept": "受理", "report": "上报", "acknowledge": "上级确认", "conclude": "调解办结", "follow_up": "回访",
            "review": "防范措施复查"}
LEVELS_ZH = {"county_bureau": "县级", "city_bureau": "市级", "province_dept": "省级"}


def name_zh(key: str) -> str:
    """"report:city_bureau" -> "上报（市级）"."""
    head, _sep, tail = key.partition(":")
    name = NAMES_ZH.get(head, head)
    return f"{name}（{LEVELS_ZH[tail]}）" if tail in LEVELS_ZH else name


def escalation_recipients(session: Session, unit: OrgUnit | None, city_id: int, to: str) -> list[User]:
    """Who answers for the level above the entry's place: the bureau coordinators of the township or county above
    it, the city's coordinators (a city bureau's, and bureau coordinators of the whole city), or the province's."""
    active = select(User).where(User.active.is_(True))
    if to in ("township", "county"):
        above = [int(part) for part in (unit.path if unit else "").strip("/").split("/") if part]
        ancestors = session.scalars(select(OrgUnit).where(OrgUnit.id.in_(above), OrgUnit.kind == to)).all()
        if not ancestors:
            return []
        return list(session.scalars(active.where(User.role == "bureau",
                                                 User.org_unit_id.in_([a.id for a in ancestors]))))
    if to == "city":
        return list(session.scalars(active.where(User.city_id == city_id, User.org_unit_id.is_(None),
                                                 User.role.in_(("admin", "bureau")))))
    return list(session.scalars(active.where(User.role == "admin", User.city_id.is_(None))))


def sweep(session: Session, now: datetime, text) -> dict[str, int]:
    """Act on the deadlines of every entry not closed that has an action due (Dispute.next_action_at): warn once per deadline at risk (a text to the responsible
    person), escalate once per deadline breached (one level up from the entry's place: a text to whoever answers
    for that level); each writes an event. `text(phone, body)` queues a message. Returns the counts; the caller
    commits."""
    counts = {"warned": 0, "escalated": 0}
    open_disputes = session.scalars(
        select(Dispute).where(Dispute.state != "closed", Dispute.next_action_at <= now)
        .options(selectinload(Dispute.events), selectinload(Dispute.risks))
        .execution_options(populate_existing=True)).all()
    for dispute in open_disputes:
        acted = {(event.action, event.data.get("deadline"), event.data.get("due_at"))
                 for event in dispute.events if event.action in ("warn", "escalate")}
        owner = unit = None
        for deadline in deadlines(dispute, dispute.events):
            status = deadline.status(now)
            due = deadline.due_at.isoformat()
            when = f"{deadline.due_at.astimezone(PROVINCE_TZ):%Y-%m-%d %H:%M}"
            if status == "at_risk" and ("warn", deadline.key, due) not in acted:
                if owner is None and dispute.responsible_user_id:
                    owner = session.get(User, dispute.responsible_user_id)
                if owner is not None and owner.phone:
                    text(owner.phone, f"【12348】纠纷{dispute.number}的“{name_zh(deadline.key)}”时限将于{when}到期，"
                                      f"请及时办理。")
                disputes.act(session, dispute, "warn", deadline=deadline.key, due_at=due,
                             to=owner.username if owner else None, now=now)
                counts["warned"] += 1
            elif status == "breached" and ("escalate", deadline.key, due) not in acted:
                unit = unit or session.get(OrgUnit, dispute.org_unit_id)
                to = ESCALATION.get(unit.kind if unit else "county", "city")
                recipients = escalation_recipients(session, unit, dispute.city_id, to)
                for person in recipients:
                    if person.phone:
                        text(person.phone, f"【12348】纠纷{dispute.number}的“{name_zh(deadline.key)}”时限已于{when}"
                                           f"超时，现报请督办。")
                disputes.act(session, dispute, "escalate", deadline=deadline.key, due_at=due, to=to,
                             notified=sorted(person.username for person in recipients), now=now)
                counts["escalated"] += 1
    return counts


PENDING = ("breached", "at_risk", "on_track")
# A deadline's kind is its key's first part; a measure's review is named for the action that meets it.
KINDS = ("accept", "report", "acknowledge", "conclude", "follow_up", "measure_review")


def kind_of(key: str) -> str:
    """The kind of a deadline key: 'report:city_bureau' → 'report', 'review:suicide' → 'measure_review'."""
    prefix = key.split(":", 1)[0]
    return "measure_review" if prefix == "review" else prefix


@dataclass(frozen=True)
class BoardRow:
    """One deadline not yet met of an entry not closed, for the deadline board."""

    dispute_id: int
    number: str
    risk_level: str
    state: str
    org_unit_id: int
    key: str
    due_at: datetime
    status: str

    @property
    def kind(self) -> str:
        return kind_of(self.key)

    @property
    def detail(self) -> str | None:
        """What the kind is about: the level reported to (report, acknowledge) or the risk reviewed (review)."""
        return self.key.split(":", 1)[1] if ":" in self.key else None


@dataclass(frozen=True)
class Entry:
    """What deadlines() and next_moments() read of an entry, from rows read in bulk."""

    risk_level: str
    risks: list
    state: str = ""


def board(session: Session, now: datetime, scope=None, kind: str | None = None, level: str | None = None,
          newest_first: bool = False) -> list[BoardRow]:
    """Every deadline not yet met of the entries not closed (in a scope, at a risk level), of one kind or all,
    sorted by due time; only the entries with a deadline pending (Dispute.next_due_at) are read. The entries, their events and their open risks are read in three queries, however many."""
    entries_q = select(Dispute.id, Dispute.number, Dispute.risk_level, Dispute.state, Dispute.org_unit_id) \
        .where(Dispute.state != "closed", Dispute.next_due_at.is_not(None))
    if level is not None:
        entries_q = entries_q.where(Dispute.risk_level == level)
    if scope is not None:
        entries_q = scope.disputes(entries_q)
    entries = session.execute(entries_q).all()
    if not entries:
        return []
    ids = entries_q.with_only_columns(Dispute.id)
    events: dict[int, list] = {}
    for row in session.execute(select(DisputeEvent.dispute_id, DisputeEvent.seq, DisputeEvent.action, DisputeEvent.at,
                                      DisputeEvent.data).where(DisputeEvent.dispute_id.in_(ids))
                               .order_by(DisputeEvent.dispute_id, DisputeEvent.seq)):
        events.setdefault(row.dispute_id, []).append(row)
    risks: dict[int, list] = {}
    for row in session.execute(select(DisputeRisk.dispute_id, DisputeRisk.kind, DisputeRisk.opened_at,
                                      DisputeRisk.closed_at).where(DisputeRisk.dispute_id.in_(ids),
                                                                   DisputeRisk.closed_at.is_(None))):
        risks.setdefault(row.dispute_id, []).append(row)
    rows = []
    for entry in entries:
        for deadline in deadlines(Entry(entry.risk_level, risks.get(entry.id, [])), events.get(entry.id, [])):
            if kind is not None and kind_of(deadline.key) != kind:
                continue
            status = deadline.status(now)
            if status in PENDING:
                rows.append(BoardRow(entry.id, entry.number, entry.risk_level, entry.state, entry.org_unit_id,
                                     deadline.key, deadline.due_at, status))
    rows.sort(key=lambda row: (row.due_at, row.dispute_id, row.key), reverse=newest_first)
    return rows
