"""Demo rosters and counsel: the coming week solved and published, and the FTZ matching published.

They go through the same background-job handlers the coordinators use, run here in the foreground.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta

from flask import current_app

from hotline import jobs
from hotline.duty import tasks as _roster_tasks  # noqa: F401  (registers the job handlers)
from hotline.extensions import db
from sqlalchemy import select

from hotline.models import (
    ConsultationSlot, DutyAssignment, DutyPeriod, Job, Lawyer, MatchPlan, Shift, ShiftType, User,
)
from hotline.models.types import PROVINCE_TZ
from hotline.projects import tasks as _match_tasks  # noqa: F401
from hotline.services import consult, matching, rostering, slots

ROSTER_SECONDS = 15
MATCH_SECONDS = 12


def _run(kind: str, params: dict, admin_id: int, now: datetime) -> dict:
    job = Job(kind=kind, status="queued", params_json=json.dumps(params), created_by_id=admin_id, created_at=now)
    db.session.add(job)
    db.session.flush()
    job_id = job.id
    db.session.commit()
    db.session.close()  # hold no transaction (SQLite's write lock) while the job works in its own session
    jobs.run_job(current_app._get_current_object(), job_id)  # type: ignore[attr-defined]
    job = db.session.get(Job, job_id)
    if job.status != "succeeded":
        raise RuntimeError(f"demo {kind} failed: {job.error}")
    return json.loads(job.result_json)


def publish_week(admin_id: int, now: datetime) -> str:
    """Roster the seven days from today and publish the roster; returns what happened, in a line.

    The demo lawyer ('lawyer') is pinned to three duties (one a video-consultation block), as a coordinator would,
    so that account has duties and consultation slots to see.
    """
    start = now.astimezone(PROVINCE_TZ).date()
    period = rostering.create_period(db.session, rostering.PeriodData(
        f"{start:%Y-%m-%d} 起一周值班", start, start + timedelta(days=6), ["AM", "PM", "EVE", "NIGHT", "VIDEO", "PHONE"]),
        now)
    period_id = period.id
    lawyer_id = db.session.scalar(select(Lawyer.id).join(User, User.id == Lawyer.user_id).where(User.username == "lawyer"))
    for offset, code in ((1, "AM"), (2, "VIDEO"), (3, "PM")):
        shift_id = db.session.scalar(select(Shift.id).join(ShiftType).where(
            Shift.period_id == period_id, Shift.day == start + timedelta(days=offset), ShiftType.code == code))
        db.session.add(DutyAssignment(shift_id=shift_id, lawyer_id=lawyer_id, pinned=True))
    db.session.commit()
    result = _run("roster_solve", {"period_id": period_id, "time_limit": ROSTER_SECONDS}, admin_id, now)
    if not result.get("duties"):
        return f"the roster engine found no roster in {ROSTER_SECONDS} s ({result['status']}); the week stays a draft"
    rostering.publish(db.session, db.session.get(DutyPeriod, period_id), admin_id, now,
                      slots.SlotSettings.from_config(current_app.config))
    db.session.commit()
    return f"roster published: {result['duties']} duties, penalty {result['objective']} ({result['status']})"


def publish_counsel(admin_id: int, now: datetime) -> str:
    """Match every key project and publish the plan; returns what happened, in a line."""
    result = _run("match_solve", {"time_limit": MATCH_SECONDS, "user_id": admin_id}, admin_id, now)
    matching.publish(db.session, db.session.get(MatchPlan, result["plan_id"]), admin_id, now)
    db.session.commit()
    return f"counsel published: {result['matched']} projects matched, {result['unmatched']} with a reason why not"


def consultations(now: datetime) -> str:
    """The demo liaison asks for counsel twice: one request booked with the demo lawyer's video block, one left
    pending for the batch allocation; returns what happened, in a line."""
    liaison = db.session.scalar(select(User).where(User.username == "liaison"))
    lawyer = db.session.scalar(select(Lawyer).join(User, User.id == Lawyer.user_id).where(User.username == "lawyer"))
    projects = consult.liaison_projects(db.session, liaison.id) if liaison else []
    first_slot = db.session.scalar(select(ConsultationSlot).where(
        ConsultationSlot.lawyer_id == lawyer.id, ConsultationSlot.status == "open").order_by(ConsultationSlot.starts_at)) \
        if lawyer else None
    if not projects or first_slot is None:
        return "no demo consultations: the demo lawyer has no consultation slot"
    area = lawyer.area_codes()[0]
    day = first_slot.starts_at
    booked = consult.create_request(db.session, liaison.id, consult.RequestData(
        projects[0].id, area, "high", "video", "投资协议中的仲裁条款需要律师把关，附件为协议草稿。",
        [(day - timedelta(hours=1), day + timedelta(hours=3))]), now)
    try:
        booking = consult.book(db.session, booked, first_slot.id, now)
    except consult.ConsultError as refused:
        db.session.rollback()
        return f"no demo consultation booked: {refused.code}"
    consult.create_request(db.session, liaison.id, consult.RequestData(
        projects[-1].id, area, "normal", "video", "新招聘外籍员工的劳动合同条款咨询。",
        [(day - timedelta(hours=1), day + timedelta(hours=3))]), now)
    db.session.commit()
    return (f"consultations: one booked ({booking.starts_at.astimezone(PROVINCE_TZ):%m-%d %H:%M} Beijing time with "
            f"{lawyer.name}), one pending")


SERVICE_NOTES = {
    "on_site": "走访项目，了解用工与合同履行情况",
    "legal_checkup": "开展法治体检，出具风险提示清单",
    "contract_review": "审查采购与工程合同，提出修改意见",
    "training": "为项目管理人员开展合规培训",
    "consult_elsewhere": "在园区服务站现场解答投资方咨询",
}


def project_services(now: datetime, days: int, seed: int) -> str:
    """The FTZ team's own work over the history window: counsel visit, check up and train some of their projects
    (the priority ones more often), each service in the service log."""
    import random

    from hotline.models import CounselAssignment, KeyProject
    from hotline.services import project_services as services
    from hotline.vocab import PROJECT_SERVICE_KINDS

    rng = random.Random(seed)
    today = now.astimezone(PROVINCE_TZ).date()
    pairs = db.session.execute(
        select(KeyProject, Lawyer).join(CounselAssignment, CounselAssignment.project_id == KeyProject.id)
        .join(Lawyer, Lawyer.id == CounselAssignment.lawyer_id)
        .where(CounselAssignment.role == "primary", CounselAssignment.ended_at.is_(None))).all()
    count = 0
    for project, lawyer in pairs:
        if rng.random() > (0.55 if project.priority <= 2 else 0.18):
            continue
        for _ in range(rng.choice((1, 1, 2))):
            kind = rng.choices(PROJECT_SERVICE_KINDS, (30, 20, 25, 10, 15))[0]
            day = today - timedelta(days=rng.randrange(1, days + 1))
            data = services.ServiceInput(kind, day, str(rng.choice((1, 1.5, 2, 3, 4))), SERVICE_NOTES[kind])
            services.record(db.session, project, lawyer, data, None, now, today)
            count += 1
    db.session.commit()
    return f"FTZ services: {count} visits, check-ups, reviews and trainings recorded for key projects"
