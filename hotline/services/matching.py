"""FTZ project counsel in the database <-> the matching engine: build the problem, store plans, publish."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session, selectinload

from hotline.engine_words import stored
from hotline.models import City, Conflict, CounselAssignment, KeyProject, Lawyer, MatchPlan, MatchPlanItem
from scheduling.matching import problem as mp

# Database expertise levels (1 competent, 2 experienced, 3 expert) on the engine's 1-5 scale.
LEVELS = {1: 3, 2: 4, 3: 5}


class MatchingError(ValueError):
    """A plan operation that cannot be done; str() is a code the view translates."""


def current_counsel(session: Session) -> dict[int, dict[str, int]]:
    """Current counsel by project: {project id: {"primary": lawyer id, "backup": lawyer id}}."""
    found: dict[int, dict[str, int]] = {}
    for project_id, role, lawyer_id in session.execute(
            select(CounselAssignment.project_id, CounselAssignment.role, CounselAssignment.lawyer_id)
            .where(CounselAssignment.ended_at.is_(None))):
        found.setdefault(project_id, {})[role] = lawyer_id
    return found


def build_problem(session: Session, weights: mp.Weights | None = None) -> mp.MatchingProblem:
    """All active key projects and the active FTZ team, with conflicts and current counsel."""
    cities = {c.id: mp.City(c.id, c.latitude, c.longitude, c.name_en) for c in session.scalars(select(City))}
    conflicts_p: dict[int, set[int]] = {}
    conflicts_f: dict[int, set[int]] = {}
    for conflict in session.scalars(select(Conflict)):
        if conflict.project_id is not None:
            conflicts_p.setdefault(conflict.lawyer_id, set()).add(conflict.project_id)
        else:
            conflicts_f.setdefault(conflict.lawyer_id, set()).add(conflict.firm_id)
    lawyers = tuple(
        mp.Lawyer(id=l.id, city=l.city_id, firm=l.firm_id, areas={a.area: LEVELS.get(a.level, 3) for a in l.areas},
                  languages=tuple(l.language_codes()), hours=float(l.monthly_hours_available),
                  max_projects=l.max_projects, conflict_projects=frozenset(conflicts_p.get(l.id, ())),
                  conflict_firms=frozenset(conflicts_f.get(l.id, ())))
        for l in session.scalars(select(Lawyer).where(Lawyer.active.is_(True), Lawyer.ftz_team.is_(True))
                                 .options(selectinload(Lawyer.areas), selectinload(Lawyer.languages)).order_by(Lawyer.id))
    )
    current = current_counsel(session)
    projects = []
    for p in session.scalars(select(KeyProject).where(KeyProject.status == "active")
                             .options(selectinload(KeyProject.needs), selectinload(KeyProject.languages))
                             .order_by(KeyProject.id)):
        needs = sorted(p.needs, key=lambda n: (not n.is_main, n.area))
        if not needs:
            continue
        languages = tuple(l.language for l in p.languages if l.language != "zh")
        projects.append(mp.Project(
            id=p.id, city=p.city_id, areas=tuple(n.area for n in needs), languages=languages,
            hours=float(p.expected_monthly_hours), priority=p.priority, ftz_area=str(p.ftz_area_id) if p.ftz_area_id else None,
            sector=p.sector, investment=float(p.investment_wan),
            parties=(p.involved_firm_id,) if p.involved_firm_id else (),
            current_primary=current.get(p.id, {}).get("primary"), current_backup=current.get(p.id, {}).get("backup"),
        ))
    return mp.MatchingProblem(cities=cities, projects=tuple(projects), lawyers=lawyers, weights=weights or mp.Weights())


def store_plan(session: Session, result: mp.MatchResult, created_by_id: int | None, job_id: int | None,
               settings_json: str, now: datetime) -> MatchPlan:
    """Keep an engine result as a draft plan, one item per project."""
    plan = MatchPlan(status="draft", created_at=now, created_by_id=created_by_id, job_id=job_id,
                     solver_status=result.status, objective=result.objective, bound=result.bound, wall_s=result.wall_s,
                     settings_json=settings_json)
    session.add(plan)
    session.flush()
    rows = [{"plan_id": plan.id, "project_id": int(pid), "primary_lawyer_id": int(c.primary),
             "backup_lawyer_id": int(c.backup), "unmatched_reason": None, "unmatched_detail": None}
            for pid, c in result.counsel.items()]
    rows += [{"plan_id": plan.id, "project_id": int(pid), "primary_lawyer_id": None, "backup_lawyer_id": None,
              "unmatched_reason": reason[:400], "unmatched_detail": json.dumps(stored(reason), ensure_ascii=False)}
             for pid, reason in result.unmatched.items()]
    if rows:
        session.execute(MatchPlanItem.__table__.insert(), rows)
    session.flush()
    return plan


@dataclass
class PlanReview:
    """A plan against the counsel in force."""

    plan: MatchPlan
    changes: list[tuple[int, str, int | None, int | None]] = field(default_factory=list)
    unmatched: list[tuple[int, dict | str]] = field(default_factory=list)  # reasons for engine_words.say
    load: dict[int, dict] = field(default_factory=dict)
    matched: int = 0
    city_flows: dict[tuple[int, int], int] = field(default_factory=dict)
    # Lawyers the plan names who have since left the FTZ team or been deactivated: the plan is out of date.
    departed: set[int] = field(default_factory=set)


def review(session: Session, plan: MatchPlan) -> PlanReview:
    """Changes against current counsel, unmatched projects with reasons, load per lawyer, city-to-city travel."""
    current = current_counsel(session)
    result = PlanReview(plan=plan)
    hours = dict(session.execute(select(KeyProject.id, KeyProject.expected_monthly_hours)).all())
    project_city = dict(session.execute(select(KeyProject.id, KeyProject.city_id)).all())
    lawyer_city = dict(session.execute(select(Lawyer.id, Lawyer.city_id)).all())
    for item in session.scalars(select(MatchPlanItem).where(MatchPlanItem.plan_id == plan.id)):
        if item.primary_lawyer_id is None:
            result.unmatched.append((item.project_id, json.loads(item.unmatched_detail) if item.unmatched_detail
                                     else item.unmatched_reason or ""))
            continue
        result.matched += 1
        for role, lawyer_id, share in (("primary", item.primary_lawyer_id, 1.0), ("backup", item.backup_lawyer_id, 0.25)):
            before = current.get(item.project_id, {}).get(role)
            if before != lawyer_id:
                result.changes.append((item.project_id, role, before, lawyer_id))
            load = result.load.setdefault(lawyer_id, {"primary": 0, "backup": 0, "hours": 0.0})
            load[role] += 1
            load["hours"] += share * hours.get(item.project_id, 0)
            key = (project_city[item.project_id], lawyer_city[lawyer_id])
            result.city_flows[key] = result.city_flows.get(key, 0) + 1
    if result.load:
        team = set(session.scalars(select(Lawyer.id).where(Lawyer.active.is_(True), Lawyer.ftz_team.is_(True))))
        result.departed = set(result.load) - team
    return result


def publish(session: Session, plan: MatchPlan, user_id: int, now: datetime) -> int:
    """Put a draft plan in force: changed roles end their old assignment and start a new one; returns changes."""
    if plan.status != "draft":
        raise MatchingError("not_draft")
    if review(session, plan).departed:
        raise MatchingError("departed")
    current = current_counsel(session)
    changed = 0
    for item in session.scalars(select(MatchPlanItem).where(MatchPlanItem.plan_id == plan.id,
                                                            MatchPlanItem.primary_lawyer_id.is_not(None))):
        for role, lawyer_id in (("primary", item.primary_lawyer_id), ("backup", item.backup_lawyer_id)):
            if current.get(item.project_id, {}).get(role) == lawyer_id:
                continue
            session.execute(update(CounselAssignment).where(
                CounselAssignment.project_id == item.project_id, CounselAssignment.role == role,
                CounselAssignment.ended_at.is_(None)).values(ended_at=now, reason=f"replaced by plan {plan.id}"))
            session.add(CounselAssignment(project_id=item.project_id, lawyer_id=lawyer_id, role=role, started_at=now,
                                          plan_id=plan.id, reason=f"plan {plan.id}"))
            changed += 1
    plan.status = "published"
    plan.published_at = now
    plan.published_by_id = user_id
    session.execute(update(MatchPlan).where(MatchPlan.status == "draft", MatchPlan.id != plan.id).values(status="discarded"))
    session.flush()
    return changed


REVIEW_REASONS = ("lawyer_left", "project_closed", "areas", "languages")


def counsel_to_review(session: Session, city_id: int | None = None, limit: int = 200) -> list[tuple]:
    """Counsel in force that no longer fits after a change to a lawyer or a project (in the registers or an import):
    (project, role, lawyer, reason), reason one of REVIEW_REASONS. The next matching replaces it; until then the
    coordinator sees it here instead of it being changed behind their back."""
    query = (select(CounselAssignment, KeyProject, Lawyer)
             .join(KeyProject, KeyProject.id == CounselAssignment.project_id)
             .join(Lawyer, Lawyer.id == CounselAssignment.lawyer_id)
             .where(CounselAssignment.ended_at.is_(None))
             .options(selectinload(KeyProject.needs), selectinload(KeyProject.languages),
                      selectinload(Lawyer.areas), selectinload(Lawyer.languages))
             .order_by(KeyProject.priority, KeyProject.code, CounselAssignment.role))
    if city_id is not None:
        query = query.where(KeyProject.city_id == city_id)
    found = []
    for assignment, project, lawyer in session.execute(query):
        areas = set(lawyer.area_codes())
        needs = [need.area for need in project.needs]
        main = project.main_area()
        if not (lawyer.active and lawyer.ftz_team):
            reason = "lawyer_left"
        elif project.status != "active":
            reason = "project_closed"
        elif (assignment.role == "primary" and not set(needs) <= areas) or (main is not None and main not in areas):
            reason = "areas"
        elif not {l.language for l in project.languages if l.language != "zh"} <= set(lawyer.language_codes()):
            reason = "languages"
        else:
            continue
        found.append((project, assignment.role, lawyer, reason))
        if len(found) >= limit:
            break
    return found
