"""Lawyers' requests (days off, unavailability, swaps) and the coordinator's decisions on them.

A swap is checked against the hard rules before it reaches a coordinator and again when approved: the two
lawyers' rosters after the swap are handed to the roster engine's rule check, which names any rule broken.
"""
from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from hotline.models import DutyAssignment, DutyPeriod, DutyRequest, Lawyer, SeatRequirement, Shift, Unavailability
from hotline.models.types import PROVINCE_TZ
from hotline.services import absences, rostering, slots
from hotline.telephony import gateway
from scheduling.common import SolverSettings, Words
from scheduling.roster import problem as rp
from scheduling.roster.explain import explain


class RequestError(ValueError):
    """A request that cannot be made or decided; `code` is translated by the view, `rules` names broken rules."""

    def __init__(self, code: str, rules: list[str] | None = None, start: date | None = None):
        super().__init__(code)
        self.code = code
        self.rules = rules or []  # scheduling.common.Words: the view says them in the reader's language
        self.start = start  # the first day of the period the rules' day numbers count from


def request_day_off(session: Session, lawyer: Lawyer, day: date, reason: str, today: date, now: datetime) -> DutyRequest:
    """Ask for a day off (decided by a coordinator)."""
    if day < today:
        raise RequestError("in_past")
    request = DutyRequest(lawyer_id=lawyer.id, kind="day_off", day=day, reason=reason.strip()[:400], created_at=now)
    session.add(request)
    session.flush()
    return request


def request_unavailability(session: Session, lawyer: Lawyer, first: date, last: date, reason: str, today: date,
                           now: datetime) -> Unavailability:
    """Report an absence over several days (decided by a coordinator)."""
    if last < first:
        raise RequestError("ends_before_start")
    if first < today:
        raise RequestError("in_past")
    start = datetime(first.year, first.month, first.day, tzinfo=PROVINCE_TZ)
    end = datetime(last.year, last.month, last.day, tzinfo=PROVINCE_TZ) + timedelta(days=1)
    item = Unavailability(lawyer_id=lawyer.id, starts_at=start, ends_at=end, reason=reason.strip()[:200],
                          status="requested", created_at=now)
    session.add(item)
    session.flush()
    return item


def _duty(session: Session, assignment_id: int | None) -> DutyAssignment | None:
    if assignment_id is None:
        return None
    return session.scalar(select(DutyAssignment).where(DutyAssignment.id == assignment_id).options(
        selectinload(DutyAssignment.shift).selectinload(Shift.period), selectinload(DutyAssignment.shift)
        .selectinload(Shift.shift_type)))


def swap_violations(session: Session, mine: DutyAssignment, theirs: DutyAssignment) -> list[str]:
    """The hard rules the two lawyers would break if they exchanged these duties (empty when the swap is fine)."""
    period = mine.shift.period
    lawyers = list(session.scalars(select(Lawyer).where(Lawyer.id.in_((mine.lawyer_id, theirs.lawyer_id)))
                                   .options(selectinload(Lawyer.areas), selectinload(Lawyer.languages))))
    by_id = {l.id: l for l in lawyers}
    problems = []
    for duty, taker in ((mine, theirs.lawyer_id), (theirs, mine.lawyer_id)):
        seat = session.get(SeatRequirement, duty.seat_id) if duty.seat_id else None
        lawyer = by_id[taker]
        if seat is not None and ((seat.legal_area and seat.legal_area not in lawyer.area_codes())
                                 or (seat.language and seat.language not in lawyer.language_codes())):
            need = seat.legal_area or seat.language
            problems.append(Words(f"{lawyer.name} cannot take the {need} seat of {duty.shift.day:%Y-%m-%d}",
                                  "seat_skill", staff=lawyer.id, need=need, date=duty.shift.day.isoformat()))
    if problems:
        return problems
    built = rostering.build_problem(session, period, lawyers)
    before = {str(l.id): [""] * built.problem.days for l in lawyers}
    after = {str(l.id): [""] * built.problem.days for l in lawyers}
    for duty in session.scalars(select(DutyAssignment).join(Shift).where(
            Shift.period_id == period.id, DutyAssignment.lawyer_id.in_(by_id)).options(
            selectinload(DutyAssignment.shift).selectinload(Shift.shift_type))):
        owner = {mine.id: theirs.lawyer_id, theirs.id: mine.lawyer_id}.get(duty.id, duty.lawyer_id)
        day = (duty.shift.day - period.starts_on).days
        before[str(duty.lawyer_id)][day] = duty.shift.shift_type.code
        if after[str(owner)][day]:
            problems.append(Words(f"{by_id[owner].name} would have two duties on {duty.shift.day:%Y-%m-%d}",
                                  "two_duties", staff=owner, date=duty.shift.day.isoformat()))
        after[str(owner)][day] = duty.shift.shift_type.code
    if problems:
        return problems
    broken = _broken_rules(built.problem, after)
    if broken:
        # Blame the swap only for what it breaks: rules already broken before it are not its doing.
        broken = [rule for rule in broken if rule not in set(_broken_rules(built.problem, before))]
    return broken


def _broken_rules(problem: rp.Problem, roster: dict[str, list[str]]) -> list[str]:
    """The lawyers' own hard rules this roster breaks, in the engine's words (seats are not checked)."""
    pins = [rp.Pin(staff, day, shift) for staff, row in roster.items() for day, shift in enumerate(row)]
    check = dataclasses.replace(problem, covers=[], pins=pins, on_requests=[], off_requests=[])
    verdict = explain(check, SolverSettings(time_limit=10.0, workers=1))
    if verdict.feasible:
        return []
    # Pins are how the roster is given, not rules of their own.
    return ([rule for rule in verdict.rules if getattr(rule, "code", None) != "pinned"] or verdict.rules
            or [Words("no answer in time", "no_answer")])


def request_swap(session: Session, lawyer: Lawyer, my_assignment_id: int, their_assignment_id: int,
                 reason: str, now: datetime) -> DutyRequest:
    """Ask to exchange one of my published duties with a colleague's; refused at once if it breaks a rule."""
    mine, theirs = _duty(session, my_assignment_id), _duty(session, their_assignment_id)
    if mine is None or theirs is None or mine.lawyer_id != lawyer.id or theirs.lawyer_id == lawyer.id:
        raise RequestError("bad_swap")
    if mine.shift.period_id != theirs.shift.period_id or mine.shift.period.status != "published":
        raise RequestError("bad_swap")
    if mine.shift.starts_at <= now or theirs.shift.starts_at <= now:
        raise RequestError("in_past")
    broken = swap_violations(session, mine, theirs)
    if broken:
        raise RequestError("breaks_rules", broken, mine.shift.period.starts_on)
    request = DutyRequest(lawyer_id=lawyer.id, period_id=mine.shift.period_id, kind="swap", day=mine.shift.day,
                          assignment_id=mine.id, colleague_id=theirs.lawyer_id, colleague_assignment_id=theirs.id,
                          reason=reason.strip()[:400], created_at=now)
    session.add(request)
    session.flush()
    return request


SWAP_SMS = "【12348】调班已批准：{day} {shift} 由 {name} 值班。"


def decide(session: Session, request: DutyRequest, approve: bool, user_id: int, note: str, now: datetime,
           slot_settings: slots.SlotSettings = slots.SlotSettings()) -> absences.Effect | None:
    """Approve or reject a pending request; an approved swap is checked again and applied (consultation slots
    follow the duties), both lawyers told; an approved day off takes effect (see services.absences)."""
    if request.status != "pending":
        raise RequestError("already_decided")
    if approve and request.kind == "swap":
        mine, theirs = _duty(session, request.assignment_id), _duty(session, request.colleague_assignment_id)
        if mine is None or theirs is None or mine.lawyer_id != request.lawyer_id or theirs.lawyer_id != request.colleague_id:
            raise RequestError("roster_changed")
        broken = swap_violations(session, mine, theirs)
        if broken:
            raise RequestError("breaks_rules", broken, mine.shift.period.starts_on)
        mine.lawyer_id, theirs.lawyer_id = theirs.lawyer_id, mine.lawyer_id
        session.flush()
        for period in {mine.shift.period, theirs.shift.period}:
            slots.refresh_for_period(session, period, slot_settings)
        for duty in (mine, theirs):
            lawyer = session.get(Lawyer, duty.lawyer_id)
            gateway.queue_sms(session, lawyer.phone, SWAP_SMS.format(day=f"{duty.shift.day:%m-%d}",
                              shift=duty.shift.shift_type.name_zh, name=lawyer.name), "swap", now)
    request.status = "approved" if approve else "rejected"
    request.decided_at = now
    request.decided_by_id = user_id
    request.decision_note = note.strip()[:400]
    session.flush()
    if approve and request.kind == "day_off":
        starts_at, ends_at = absences.day_bounds(request.day)
        return absences.take_effect(session, session.get(Lawyer, request.lawyer_id), starts_at, ends_at, user_id, now,
                                    slot_settings)
    return None


def decide_unavailability(session: Session, item: Unavailability, approve: bool, user_id: int, now: datetime,
                          slot_settings: slots.SlotSettings = slots.SlotSettings()) -> absences.Effect | None:
    """Approve or reject an absence; an approved one takes effect at once (see services.absences)."""
    if item.status != "requested":
        raise RequestError("already_decided")
    item.status = "approved" if approve else "rejected"
    item.decided_by_id = user_id
    session.flush()
    if not approve:
        return None
    return absences.take_effect(session, session.get(Lawyer, item.lawyer_id), item.starts_at, item.ends_at, user_id,
                                now, slot_settings)
