"""Batch allocation of pending counsel requests to free slots (scheduling.booking), and publishing the result."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from hotline.formkit import EARLIEST_DATE, latest_date
from hotline.models import Conflict, ConsultationSlot, CounselAssignment, CounselRequest, KeyProject, Lawyer, LawyerArea
from hotline.services import consult, slots
from scheduling import booking as engine
from scheduling.common import CancelToken, ProgressCallback, SolverSettings


# An unallocated request whose windows lie outside the dates the system works with (a record written before forms
# bounded dates, or by hand): it is left out of the run and reported, so one bad record never stops the batch.
BAD_WINDOW = "bad_window"


def _sensible_windows(request: CounselRequest, now: datetime) -> bool:
    """True when every window ends after it starts and lies between 2000 and ten years ahead."""
    last = datetime.combine(latest_date(now.date()), datetime.max.time(), tzinfo=now.tzinfo)
    first = datetime.combine(EARLIEST_DATE, datetime.min.time(), tzinfo=now.tzinfo)
    return all(first <= w.starts_at < w.ends_at <= last for w in request.windows)


def pending_requests(session: Session, now: datetime) -> tuple[list[CounselRequest], list[CounselRequest]]:
    """(pending requests with a window still ahead, those among them whose windows are out of range)."""
    requests = list(session.scalars(
        select(CounselRequest).where(CounselRequest.status == "pending")
        .options(selectinload(CounselRequest.windows), selectinload(CounselRequest.project)).order_by(CounselRequest.id)))
    requests = [r for r in requests if any(w.ends_at > now + slots.BOOKING_LEAD for w in r.windows)]
    bad = [r for r in requests if not _sensible_windows(r, now)]
    return [r for r in requests if r not in bad], bad


def build_problem(session: Session, now: datetime) -> tuple[engine.BookingProblem, list[int]]:
    """Every pending request with a window still ahead, and every open slot that could serve one of them; and the
    ids of the requests left out because their windows are out of range (see pending_requests)."""
    requests, bad = pending_requests(session, now)
    skipped = [r.id for r in bad]
    if not requests:
        return engine.BookingProblem(lawyers=(), slots=(), requests=()), skipped
    last = max(w.ends_at for r in requests for w in r.windows)
    free = list(session.scalars(slots.free_slots_query(now).where(ConsultationSlot.ends_at <= last)
                                .order_by(ConsultationSlot.starts_at, ConsultationSlot.id)))
    lawyer_ids = sorted({slot.lawyer_id for slot in free})
    areas: dict[int, set[str]] = {}
    for lawyer_id, area in session.execute(select(LawyerArea.lawyer_id, LawyerArea.area)
                                           .where(LawyerArea.lawyer_id.in_(lawyer_ids))):
        areas.setdefault(lawyer_id, set()).add(area)
    caps = dict(session.execute(select(Lawyer.id, Lawyer.max_consultations_per_day).where(Lawyer.id.in_(lawyer_ids))).all())
    booked = slots.booked_per_day(session, lawyer_ids, now - timedelta(days=1), last + timedelta(days=1))
    already: dict[int, dict] = {}
    for (lawyer_id, day), count in booked.items():
        already.setdefault(lawyer_id, {})[day] = count
    counsel: dict[int, set[str]] = {}
    for project_id, lawyer_id in session.execute(select(CounselAssignment.project_id, CounselAssignment.lawyer_id)
                                                 .where(CounselAssignment.ended_at.is_(None))):
        counsel.setdefault(project_id, set()).add(str(lawyer_id))
    projects = {r.project_id: r.project for r in requests}
    # Every conflict at once (a query per project cost one round trip per request's project).
    by_project: dict[int, set[str]] = {}
    by_firm: dict[int, set[str]] = {}
    for lawyer_id, project_id, firm_id in session.execute(select(Conflict.lawyer_id, Conflict.project_id,
                                                                 Conflict.firm_id)):
        (by_project.setdefault(project_id, set()) if project_id is not None
         else by_firm.setdefault(firm_id, set())).add(str(lawyer_id))
    excluded = {pid: by_project.get(pid, set()) | by_firm.get(project.involved_firm_id, set())
                for pid, project in projects.items()}
    return engine.BookingProblem(
        lawyers=tuple(engine.BookingLawyer(id=str(l), areas=frozenset(areas.get(l, ())), daily_cap=caps[l],
                                           already_booked=already.get(l, {})) for l in lawyer_ids),
        slots=tuple(engine.BookingSlot(id=str(s.id), lawyer=str(s.lawyer_id), start=s.starts_at, end=s.ends_at,
                                       mode=s.mode, day=slots.local_day(s.starts_at)) for s in free),
        requests=tuple(engine.BookingRequest(
            id=str(r.id), area=r.legal_area, mode=r.mode, priority=consult.URGENCY_PRIORITY[r.urgency],
            windows=tuple((w.starts_at, w.ends_at) for w in r.windows),
            own_counsel=frozenset(counsel.get(r.project_id, ())), excluded=frozenset(excluded[r.project_id]))
            for r in requests),
    ), skipped


def solve(problem: engine.BookingProblem, settings: SolverSettings, progress: ProgressCallback | None = None,
          cancel: CancelToken | None = None, skipped: list[int] = ()) -> dict:
    """Allocate and describe the proposal as a JSON-able dict (kept as the job's result until published); the
    skipped requests are reported among the unallocated ones with the reason BAD_WINDOW."""
    left_out = [{"request_id": rid, "reason": BAD_WINDOW} for rid in skipped]
    if not problem.requests:
        return {"status": "OPTIMAL", "objective": 0, "bound": 0, "wall_s": 0.0, "requests": 0, "slots": 0,
                "proposals": [], "unallocated": left_out, "published": False}
    result = engine.allocate(problem, settings, progress, cancel)
    own = {r.id: r.own_counsel for r in problem.requests}
    by_slot = {s.id: s for s in problem.slots}
    proposals = [{"request_id": int(request_id), "slot_id": int(slot_id), "lawyer_id": int(by_slot[slot_id].lawyer),
                  "starts_at": by_slot[slot_id].start.isoformat(), "own_counsel": by_slot[slot_id].lawyer in own[request_id]}
                 for request_id, slot_id in sorted(result.allocation.items(), key=lambda item: int(item[0]))]
    return {"status": result.status, "objective": result.objective, "bound": result.bound,
            "wall_s": round(result.wall_s, 2), "requests": len(problem.requests), "slots": len(problem.slots),
            "proposals": proposals,
            "unallocated": left_out + [{"request_id": int(rid), "reason": reason} for rid, reason in sorted(
                result.unallocated.items(), key=lambda item: int(item[0]))],
            "published": False}


def publish(session: Session, proposals: list[dict], now: datetime) -> tuple[int, list[tuple[int, str]]]:
    """Book each proposal through the same checks as a liaison's booking; a proposal overtaken since the run
    (slot taken, request booked or withdrawn) is skipped and reported. Returns (booked, [(request id, reason)])."""
    booked, skipped = 0, []
    for item in proposals:
        request = session.get(CounselRequest, item["request_id"])
        if request is None:
            skipped.append((item["request_id"], "request_closed"))
            continue
        try:
            with session.begin_nested():
                consult.book(session, request, item["slot_id"], now)
            booked += 1
        except consult.ConsultError as error:
            skipped.append((item["request_id"], error.code))
    return booked, skipped


def project_names(session: Session, request_ids: list[int]) -> dict[int, str]:
    """Request id -> project name, for the review page."""
    return dict(session.execute(select(CounselRequest.id, KeyProject.name).join(KeyProject)
                                .where(CounselRequest.id.in_(request_ids))).all())
