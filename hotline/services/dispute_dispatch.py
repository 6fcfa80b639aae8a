"""Dispatch of assessed disputes to mediation committees: the ledger as the engine's problem (scheduling.dispatch),
and the plan published as one dispatch event per entry and one text to each committee's director."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, selectinload

from hotline.models import Dispute, DisputeEvent, MediationCommittee, OrgUnit
from hotline.services import disputes
from hotline.vocab import RISK_ORDER
from scheduling.dispatch import Committee, DispatchProblem, DispatchResult
from scheduling.dispatch import Dispute as EngineDispute
from scheduling.dispatch import dispatch as solve

HOLDING = ("dispatched", "in_mediation")  # states in which an entry takes up room in its committee


def _units(path: str) -> frozenset[str]:
    return frozenset(part for part in path.split("/") if part)


def build_problem(session: Session, city_id: int | None = None, scope=None) -> DispatchProblem:
    """The assessed disputes and the active committees (of one city, of a coordinator's scope, or all), committees
    with the room they have left; a committee that declined an entry before is excluded for it.

    A scope (hotline.disputes.scope.Scope) keeps the disputes to the scope and the committees to those serving in it
    or above it: a township's coordinator may send a red dispute up to the county's key-and-difficult committee."""
    disputes_q = select(Dispute).where(Dispute.state == "assessed").options(selectinload(Dispute.org_unit)) \
        .order_by(Dispute.id)
    committees_q = select(MediationCommittee).where(MediationCommittee.active.is_(True)) \
        .options(selectinload(MediationCommittee.org_unit)).order_by(MediationCommittee.id)
    if city_id is not None:
        disputes_q = disputes_q.where(Dispute.city_id == city_id)
        committees_q = committees_q.where(MediationCommittee.city_id == city_id)
    if scope is not None:
        disputes_q = scope.disputes(disputes_q)
        committees_q = committees_serving(committees_q, scope)
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


def committees_serving(query, scope):
    """Committees serving in a scope's part of the ledger or above it (an org unit on the path to it)."""
    if scope.committee_id is not None:
        return query.where(MediationCommittee.id == scope.committee_id)
    if scope.city_id is not None:
        query = query.where(MediationCommittee.city_id == scope.city_id)
    if scope.path is not None:
        above = [int(part) for part in scope.path.split("/") if part]
        query = query.where(or_(
            MediationCommittee.org_unit_id.in_(select(OrgUnit.id).where(OrgUnit.path.startswith(scope.path))),
            MediationCommittee.org_unit_id.in_(above)))
    return query


def plan(session: Session, city_id: int | None = None, scope=None) -> DispatchResult:
    return solve(build_problem(session, city_id, scope))


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


def versions(session: Session, scope=None) -> dict[int, int]:
    """The last event number of each assessed entry (in a scope): a plan keeps them, and publishing skips an entry
    whose history has moved on since (declined and assessed again, say), even when its state is the same again."""
    assessed = select(Dispute.id).where(Dispute.state == "assessed")
    if scope is not None:
        assessed = scope.disputes(assessed)
    return dict(session.execute(select(DisputeEvent.dispute_id, func.max(DisputeEvent.seq)).where(
        DisputeEvent.dispute_id.in_(assessed)).group_by(DisputeEvent.dispute_id)).all())


SKIP_REASONS = ("out_of_scope", "changed", "committee_full", "refused")
_CHUNK = 5000


@dataclass(frozen=True)
class PlanPublished:
    dispatched: int
    texted: int
    skipped: dict[int, str]  # entry id -> one of SKIP_REASONS


def publish_plan(session: Session, assignment: dict[str, str], planned_versions: dict[str, int], scope, user,
                 now: datetime, text, plan_id: int | None = None) -> PlanPublished:
    """Publish a stored plan as far as it still holds: an entry outside the publisher's scope, one whose history moved
    on since the plan, or one whose committee has filled up since (highest risk served first) is skipped with its
    reason; the rest go through publish(). The caller commits."""
    ids = sorted(int(dispute_id) for dispute_id in assignment)
    visible: dict[int, str] = {}
    latest: dict[int, int] = {}
    for start in range(0, len(ids), _CHUNK):
        chunk = ids[start:start + _CHUNK]
        query = select(Dispute.id, Dispute.risk_level).where(Dispute.id.in_(chunk))
        visible.update(session.execute(scope.disputes(query) if scope is not None else query).all())
        latest.update(session.execute(select(DisputeEvent.dispute_id, func.max(DisputeEvent.seq)).where(
            DisputeEvent.dispute_id.in_(chunk)).group_by(DisputeEvent.dispute_id)).all())
    skipped: dict[int, str] = {}
    for dispute_id in ids:
        if dispute_id not in visible:
            skipped[dispute_id] = "out_of_scope"
        elif latest.get(dispute_id) != planned_versions.get(str(dispute_id)):
            skipped[dispute_id] = "changed"
    committee_ids = sorted({int(assignment[str(i)]) for i in ids if i not in skipped})
    capacity = dict(session.execute(select(MediationCommittee.id, MediationCommittee.capacity).where(
        MediationCommittee.id.in_(committee_ids))).all()) if committee_ids else {}
    held = Counter(dict(session.execute(select(Dispute.committee_id, func.count()).where(
        Dispute.state.in_(HOLDING), Dispute.committee_id.in_(committee_ids)).group_by(Dispute.committee_id)).all())
        if committee_ids else {})
    ready: dict[str, str] = {}
    by_risk = sorted((i for i in ids if i not in skipped), key=lambda i: (-RISK_ORDER.index(visible[i]), i))
    for dispute_id in by_risk:
        committee_id = int(assignment[str(dispute_id)])
        if held[committee_id] >= capacity.get(committee_id, 0):
            skipped[dispute_id] = "committee_full"
            continue
        held[committee_id] += 1
        ready[str(dispute_id)] = str(committee_id)
    published = publish(session, ready, user, now, text, plan_id=plan_id)
    skipped.update({dispute_id: "refused" for dispute_id in published.skipped})
    return PlanPublished(dispatched=published.dispatched, texted=published.texted, skipped=dict(sorted(skipped.items())))
