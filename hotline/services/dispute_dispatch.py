"""Dispatch of assessed disputes to mediation committees: the ledger as the engine's problem (scheduling.dispatch),
and the plan published as one dispatch event per entry and one text to each committee's director."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from hotline.models import Dispute, DisputeEvent, MediationCommittee, OrgUnit
from hotline.services import disputes
from scheduling.dispatch import Committee, DispatchProblem, DispatchResult
from scheduling.dispatch import Dispute as EngineDispute
from scheduling.dispatch import dispatch as solve

HOLDING = ("dispatched", "in_mediation")  # states in which an entry takes up room in its committee


def _units(path: str) -> frozenset[str]:
    return frozenset(part for part in path.split("/") if part)


def build_problem(session: Session, city_id: int | None = None) -> DispatchProblem:
    """The assessed disputes and the active committees (of one city, or all), committees with the room they have
    left; a committee that declined an entry before is excluded for it."""
    disputes_q = select(Dispute).where(Dispute.state == "assessed").options(selectinload(Dispute.org_unit)) \
        .order_by(Dispute.id)
    committees_q = select(MediationCommittee).where(MediationCommittee.active.is_(True)) \
        .options(selectinload(MediationCommittee.org_unit)).order_by(MediationCommittee.id)
    if city_id is not None:
        disputes_q = disputes_q.where(Dispute.city_id == city_id)
        committees_q = committees_q.where(MediationCommittee.city_id == city_id)
    entries = session.scalars(disputes_q).all()
    committees = session.scalars(committees_q).all()
    held = dict(session.execute(select(Dispute.committee_id, func.count()).where(
        Dispute.state.in_(HOLDING), Dispute.committee_id.is_not(None)).group_by(Dispute.committee_id)).all())
    declined: dict[int, set[str]] = {}
    if entries:
        for dispute_id, data in session.execute(select(DisputeEvent.dispute_id, DisputeEvent.data).where(
                DisputeEvent.action == "committee_decline",
                DisputeEvent.dispute_id.in_([entry.id for entry in entries]))):
            declined.setdefault(dispute_id, set()).add(str(data.get("committee_id")))
    return DispatchProblem(
        committees=tuple(Committee(
            id=str(c.id), level=c.level, units=frozenset({str(c.org_unit_id)}),
            capacity=max(0, c.capacity - held.get(c.id, 0)), types=frozenset(c.type_codes()),
            languages=frozenset(code for code in c.languages.split(",") if code) or frozenset({"zh"}),
            senior=c.senior, lat=c.org_unit.latitude or 0.0, lon=c.org_unit.longitude or 0.0) for c in committees),
        disputes=tuple(EngineDispute(
            id=str(d.id), risk=d.risk_level, type=d.dispute_type, units=_units(d.org_unit.path), language=d.language,
            lat=d.org_unit.latitude or 0.0, lon=d.org_unit.longitude or 0.0,
            excluded=frozenset(declined.get(d.id, ()))) for d in entries))


def plan(session: Session, city_id: int | None = None) -> DispatchResult:
    return solve(build_problem(session, city_id))


@dataclass(frozen=True)
class Published:
    dispatched: int
    skipped: list[int]  # entries no longer assessed, or no longer fit for the committee, when the plan was published
    texted: int


def publish(session: Session, assignment: dict[str, str], user, now: datetime, text,
            plan_id: int | None = None) -> Published:
    """One dispatch event per entry of the plan (an entry that changed since is skipped and listed), then one text
    to the director of each committee that received entries. The caller commits."""
    received: Counter[int] = Counter()
    skipped: list[int] = []
    for dispute_id, committee_id in sorted(assignment.items(), key=lambda item: int(item[0])):
        dispute = session.get(Dispute, int(dispute_id))
        try:
            disputes.act(session, dispute, "dispatch", user, now=now, committee_id=int(committee_id),
                         **({"plan_id": plan_id} if plan_id else {}))
        except disputes.DisputeRefused:
            skipped.append(int(dispute_id))
            continue
        received[int(committee_id)] += 1
    texted = 0
    for committee_id, count in sorted(received.items()):
        committee = session.get(MediationCommittee, committee_id)
        if committee.director_phone:
            text(committee.director_phone, f"{committee.name_zh}：新分派矛盾纠纷{count}件，请及时受理。")
            texted += 1
    return Published(dispatched=sum(received.values()), skipped=skipped, texted=texted)
