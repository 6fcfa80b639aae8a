"""Batch allocation of pending counsel requests to lawyers' free consultation slots, with a proven optimum.

Hard rules (a request is served by at most one slot, a slot serves at most one request):
- the slot's mode (video or phone) is the request's mode;
- the slot's lawyer practises the request's legal area and is not excluded from it (conflict of interest);
- the slot lies wholly inside one of the request's time windows;
- a lawyer's slots allocated on a day plus the consultations already booked that day stay within the daily cap.

Objective (maximised), lexicographic through integer weights, with N the number of requests:
    weight(request, slot) = priority * (N + 1) + (1 if the slot's lawyer is the project's own counsel else 0)
The own-counsel terms of a whole allocation add up to at most N < N + 1, so no amount of own-counsel preference
outweighs serving one more unit of priority. `objective` is the sum of these weights over the allocation.
A third, internal tie-break prefers earlier slots: every weight is multiplied by K = N * (T - 1) + 1 (T distinct
slot start times) and a slot starting at the r-th of them earns T - 1 - r more, which sums to at most N * (T - 1)
< K, so it never outweighs one own-counsel unit. It is left out of `objective`, and dropped when the scaled costs
would not fit the flow solver's 64-bit range.

Every rule is a network-flow constraint (source -> request (cap 1) -> slot (cap 1, cost -weight) -> (lawyer, day)
(cap: room left that day) -> sink, plus a zero-cost bypass source -> sink), so OR-Tools' min-cost flow gives a proven
optimum in one exact, deterministic solve: `settings` (time limit, workers, seed) does not change the answer.
Validation is in ``scheduling.booking_validation``; JSON and ``python -m scheduling book`` in ``scheduling.booking_io``.
"""
from __future__ import annotations

import bisect
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Mapping

from ortools.graph.python import min_cost_flow

from scheduling.booking_validation import MAX_PRIORITY, MODES, InvalidProblem, validate
from scheduling.common import CancelToken, Progress, ProgressCallback, SolverSettings

__all__ = [
    "MAX_PRIORITY", "MODES", "PRIORITY_BY_URGENCY", "BookingLawyer", "BookingSlot", "BookingRequest",
    "BookingProblem", "BookingResult", "InvalidProblem", "allocate", "validate", "candidate_slots", "suitable",
    "pair_weight", "room", "broken_rules", "build_model", "solve", "extract", "REASONS", "NO_WINDOW", "NO_LAWYER",
    "ALL_EXCLUDED", "NO_SLOT", "TAKEN", "CAPPED", "TAKEN_OR_CAPPED", "CANCELLED", "NOT_CHOSEN",
]

PRIORITY_BY_URGENCY = {"low": 1, "normal": 2, "high": 4, "critical": 8}

# Why a request got no slot: fixed English texts the app can map to translated messages.
NO_WINDOW = "it has no time window"
NO_LAWYER = "no lawyer with free slots practises its legal area"
ALL_EXCLUDED = "every lawyer with free slots in its legal area is excluded for a conflict of interest"
NO_SLOT = "no slot of a suitable lawyer in its windows"
TAKEN = "every suitable slot is taken"
CAPPED = "suitable lawyers have reached their daily cap"
TAKEN_OR_CAPPED = "suitable slots are taken or their lawyers have reached their daily cap"
CANCELLED = "the allocation was cancelled before it finished"
NOT_CHOSEN = "not allocated in this run"
REASONS = (NO_WINDOW, NO_LAWYER, ALL_EXCLUDED, NO_SLOT, TAKEN, CAPPED, TAKEN_OR_CAPPED, CANCELLED, NOT_CHOSEN)


@dataclass(frozen=True)
class BookingLawyer:
    """A lawyer who gives consultations: legal areas, daily consultation cap, consultations already booked."""

    id: str
    areas: frozenset[str]
    daily_cap: int
    already_booked: Mapping[date, int] = field(default_factory=dict)


@dataclass(frozen=True)
class BookingSlot:
    """A free 30-minute consultation slot; `day` is its local date in the province (computed by the caller)."""

    id: str
    lawyer: str
    start: datetime
    end: datetime
    mode: str
    day: date


@dataclass(frozen=True)
class BookingRequest:
    """A liaison's pending counsel request; windows are (start, end) pairs, own_counsel and excluded lawyer ids."""

    id: str
    area: str
    mode: str
    priority: int
    windows: tuple[tuple[datetime, datetime], ...]
    own_counsel: frozenset[str] = frozenset()
    excluded: frozenset[str] = frozenset()


@dataclass(frozen=True)
class BookingProblem:
    """One batch: the lawyers, their free slots and the pending requests."""

    lawyers: tuple[BookingLawyer, ...]
    slots: tuple[BookingSlot, ...]
    requests: tuple[BookingRequest, ...]


@dataclass
class BookingResult:
    """The allocation (request id -> slot id), the unallocated requests with a reason, and the solve figures."""

    status: str
    objective: int
    bound: int
    wall_s: float
    allocation: dict[str, str] = field(default_factory=dict)
    unallocated: dict[str, str] = field(default_factory=dict)
    served: int = 0
    served_weight: int = 0  # the sum of the served requests' priorities
    own_counsel_count: int = 0  # served requests whose slot belongs to the project's own counsel

    @property
    def gap(self) -> float:
        """Relative gap (bound - objective) / bound of this maximisation; 0.0 when proven optimal."""
        return 0.0 if self.bound <= 0 else max(0, self.bound - self.objective) / self.bound


# --- the rules for one request and one slot -----------------------------------------------------------------

def mode_matches(request: BookingRequest, slot: BookingSlot) -> bool:
    """A video request needs a video slot, a phone request a phone slot."""
    return slot.mode == request.mode


def practises_area(request: BookingRequest, lawyer: BookingLawyer) -> bool:
    """The slot's lawyer practises the request's legal area."""
    return request.area in lawyer.areas


def free_of_conflict(request: BookingRequest, lawyer: BookingLawyer) -> bool:
    """A lawyer with a conflict of interest never counsels the project."""
    return lawyer.id not in request.excluded


def inside_a_window(request: BookingRequest, slot: BookingSlot) -> bool:
    """The whole consultation falls inside one of the liaison's windows."""
    return any(slot.start >= start and slot.end <= end for start, end in request.windows)


def suitable(request: BookingRequest, slot: BookingSlot, lawyer: BookingLawyer) -> bool:
    """Every one-pair rule holds (the daily cap and one-to-one rules concern the whole allocation)."""
    return (mode_matches(request, slot) and practises_area(request, lawyer) and free_of_conflict(request, lawyer)
            and inside_a_window(request, slot))


def pair_weight(problem: BookingProblem, request: BookingRequest, slot: BookingSlot) -> int:
    """The objective weight of serving the request in the slot: priority first, the project's own counsel second."""
    own = 1 if slot.lawyer in request.own_counsel else 0
    return request.priority * (len(problem.requests) + 1) + own


def room(lawyer: BookingLawyer, day: date) -> int:
    """Consultations the lawyer may still take on the day under the daily cap."""
    return max(0, lawyer.daily_cap - lawyer.already_booked.get(day, 0))


def candidate_slots(problem: BookingProblem) -> dict[str, list[BookingSlot]]:
    """Per request id, exactly the slots `suitable` accepts, found through a (mode, area) index and bisection."""
    lawyers = {lawyer.id: lawyer for lawyer in problem.lawyers}
    index: dict[tuple[str, str], list[BookingSlot]] = {}
    for slot in problem.slots:
        for area in lawyers[slot.lawyer].areas:
            index.setdefault((slot.mode, area), []).append(slot)
    starts: dict[tuple[str, str], list[datetime]] = {}
    for key, slots in index.items():
        slots.sort(key=lambda s: (s.start, s.id))
        starts[key] = [s.start for s in slots]
    found: dict[str, list[BookingSlot]] = {}
    for request in problem.requests:
        key = (request.mode, request.area)
        slots, times = index.get(key, []), starts.get(key, [])
        chosen: dict[str, BookingSlot] = {}
        for start, end in request.windows:
            for i in range(bisect.bisect_left(times, start), len(slots)):
                slot = slots[i]
                if slot.start >= end:
                    break
                if slot.end <= end and slot.lawyer not in request.excluded:
                    chosen[slot.id] = slot
        found[request.id] = sorted(chosen.values(), key=lambda s: (s.start, s.id))
    return found


def broken_rules(problem: BookingProblem, allocation: Mapping[str, str]) -> list[str]:
    """Every hard rule an allocation breaks, in plain words (empty when it keeps them all)."""
    lawyers = {lawyer.id: lawyer for lawyer in problem.lawyers}
    slots = {slot.id: slot for slot in problem.slots}
    requests = {request.id: request for request in problem.requests}
    broken, users, per_day = [], {}, {}
    for rid, sid in allocation.items():
        if rid not in requests or sid not in slots:
            broken.append(f"{rid} -> {sid}: unknown request or slot")
            continue
        request, slot = requests[rid], slots[sid]
        if not suitable(request, slot, lawyers[slot.lawyer]):
            broken.append(f"{rid} -> {sid}: mode, area, conflict or window rule broken")
        if sid in users:
            broken.append(f"slot {sid} serves both {users[sid]} and {rid}")
        users[sid] = rid
        per_day[slot.lawyer, slot.day] = per_day.get((slot.lawyer, slot.day), 0) + 1
    for (lid, day), count in per_day.items():
        if count > room(lawyers[lid], day):
            broken.append(f"lawyer {lid} on {day}: {count} consultations, room for {room(lawyers[lid], day)}")
    return broken


# --- build -> solve -> extract ------------------------------------------------------------------------------

_SOURCE, _SINK = 0, 1
_COST_LIMIT = 2 ** 62


@dataclass
class BookingModel:
    """The flow network: the arc of each (request id, slot id) pair, and each request's suitable slots."""

    flow: min_cost_flow.SimpleMinCostFlow
    pair_arcs: dict[tuple[str, str], int]
    candidates: dict[str, list[BookingSlot]]
    tie_break: bool


def usable_slots(problem: BookingProblem, candidates: dict[str, list[BookingSlot]]) -> dict[str, list[BookingSlot]]:
    """Each request's suitable slots whose lawyer still has room on the slot's day."""
    lawyers = {lawyer.id: lawyer for lawyer in problem.lawyers}
    open_days = {(s.lawyer, s.day) for s in problem.slots if room(lawyers[s.lawyer], s.day) > 0}
    return {rid: [s for s in slots if (s.lawyer, s.day) in open_days] for rid, slots in candidates.items()}


def weight_bound(problem: BookingProblem, candidates: dict[str, list[BookingSlot]]) -> int:
    """An upper bound on the objective: every request served by its heaviest usable slot."""
    usable = usable_slots(problem, candidates)
    return sum(max((pair_weight(problem, r, s) for s in usable.get(r.id, [])), default=0) for r in problem.requests)


def _earliness(problem: BookingProblem, usable: dict[str, list[BookingSlot]]) -> tuple[int, dict[datetime, int]]:
    """The tie-break's scale K and each start time's bonus (see the module docstring); K = 1 and no bonus when
    the scaled costs would not fit the solver's range."""
    starts = sorted({s.start for slots in usable.values() for s in slots})
    last = max(0, len(starts) - 1)
    scale = len(problem.requests) * last + 1
    heaviest = max((r.priority for r in problem.requests), default=1) * (len(problem.requests) + 1) + 1
    nodes = 2 + len(problem.requests) + 2 * len(problem.slots)
    if (heaviest + 1) * scale * (nodes + 1) >= _COST_LIMIT:
        return 1, {}
    return scale, {start: last - rank for rank, start in enumerate(starts)}


def build_model(problem: BookingProblem, candidates: dict[str, list[BookingSlot]] | None = None) -> BookingModel:
    """The min-cost flow network of a validated problem; request -> slot costs are the negated weights."""
    candidates = candidate_slots(problem) if candidates is None else candidates
    lawyers = {lawyer.id: lawyer for lawyer in problem.lawyers}
    usable = usable_slots(problem, candidates)
    scale, bonus = _earliness(problem, usable)
    node: dict[tuple, int] = {}
    tails: list[int] = []
    heads: list[int] = []
    caps: list[int] = []
    costs: list[int] = []

    def arc(tail: int, head: int, capacity: int, cost: int = 0) -> None:
        tails.append(tail), heads.append(head), caps.append(capacity), costs.append(cost)

    def node_of(*key) -> int:
        return node.setdefault(key, len(node) + 2)

    positions: dict[tuple[str, str], int] = {}
    for request in problem.requests:
        if not usable[request.id]:
            continue
        here = node_of("request", request.id)
        arc(_SOURCE, here, 1)  # one slot per request
        for slot in usable[request.id]:
            positions[request.id, slot.id] = len(tails)
            arc(here, node_of("slot", slot.id), 1, -(pair_weight(problem, request, slot) * scale
                                                     + bonus.get(slot.start, 0)))
    for slot in problem.slots:
        if ("slot", slot.id) in node:
            arc(node[("slot", slot.id)], node_of("day", slot.lawyer, slot.day), 1)  # one request per slot
    for key in [key for key in node if key[0] == "day"]:
        arc(node[key], _SINK, room(lawyers[key[1]], key[2]))  # the lawyer's daily cap
    supply = sum(1 for slots in usable.values() if slots)
    arc(_SOURCE, _SINK, supply)  # requests left unserved cost nothing
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs).tolist()
    flow.set_node_supply(_SOURCE, supply)
    flow.set_node_supply(_SINK, -supply)
    pair_arcs = {pair: arcs[position] for pair, position in positions.items()}
    return BookingModel(flow, pair_arcs, candidates, bool(bonus))


def solve(model: BookingModel, settings: SolverSettings = SolverSettings()) -> str:
    """Run the min-cost flow (exact; the settings do not change it) and name its status as CP-SAT would."""
    del settings
    status = model.flow.solve()
    statuses = min_cost_flow.SimpleMinCostFlow
    if status == statuses.OPTIMAL:
        return "OPTIMAL"
    if status in (statuses.BAD_COST_RANGE, statuses.BAD_CAPACITY_RANGE, statuses.UNBALANCED,
                  statuses.INFEASIBLE):
        return "MODEL_INVALID"
    return "UNKNOWN"


def extract(problem: BookingProblem, model: BookingModel, status: str, wall_s: float) -> BookingResult:
    """The allocation the flow carries, its figures, and a reason for each request left out."""
    allocation: dict[str, str] = {}
    if status == "OPTIMAL" and model.pair_arcs:
        pairs = list(model.pair_arcs)
        flows = model.flow.flows([model.pair_arcs[pair] for pair in pairs]).tolist()
        allocation = {rid: sid for (rid, sid), amount in zip(pairs, flows) if amount > 0}
    slots = {slot.id: slot for slot in problem.slots}
    result = BookingResult(status=status, objective=0, bound=0, wall_s=wall_s, allocation=allocation)
    for request in problem.requests:
        if request.id in allocation:
            slot = slots[allocation[request.id]]
            result.objective += pair_weight(problem, request, slot)
            result.served += 1
            result.served_weight += request.priority
            result.own_counsel_count += slot.lawyer in request.own_counsel
    result.bound = result.objective if status == "OPTIMAL" else weight_bound(problem, model.candidates)
    result.unallocated = _reasons(problem, model.candidates, allocation, status)
    return result


def _reasons(problem: BookingProblem, candidates: dict[str, list[BookingSlot]], allocation: dict[str, str],
             status: str) -> dict[str, str]:
    """Why each request without a slot has none, from its suitable slots and what the allocation used."""
    lawyers = {lawyer.id: lawyer for lawyer in problem.lawyers}
    slots = {slot.id: slot for slot in problem.slots}
    taken = set(allocation.values())
    used: dict[tuple[str, date], int] = {}
    for sid in taken:
        key = (slots[sid].lawyer, slots[sid].day)
        used[key] = used.get(key, 0) + 1
    with_slots = {slot.lawyer for slot in problem.slots}
    by_area: dict[str, list[BookingLawyer]] = {}
    for lawyer in problem.lawyers:
        for area in lawyer.areas if lawyer.id in with_slots else ():
            by_area.setdefault(area, []).append(lawyer)
    reasons = {}
    for request in problem.requests:
        if request.id in allocation:
            continue
        mine = candidates.get(request.id, [])
        practising = by_area.get(request.area, [])
        if not request.windows:
            reasons[request.id] = NO_WINDOW
        elif not practising:
            reasons[request.id] = NO_LAWYER
        elif not any(free_of_conflict(request, lawyer) for lawyer in practising):
            reasons[request.id] = ALL_EXCLUDED
        elif not mine:
            reasons[request.id] = NO_SLOT
        elif status != "OPTIMAL":
            reasons[request.id] = CANCELLED if status == "UNKNOWN" else NOT_CHOSEN
        else:
            was_taken = [s.id in taken for s in mine]
            full = [used.get((s.lawyer, s.day), 0) >= room(lawyers[s.lawyer], s.day) for s in mine]
            if all(was_taken):
                reasons[request.id] = TAKEN
            elif not any(was_taken) and all(full):
                reasons[request.id] = CAPPED
            elif all(t or f for t, f in zip(was_taken, full)):
                reasons[request.id] = TAKEN_OR_CAPPED
            else:
                reasons[request.id] = NOT_CHOSEN
    return reasons


def allocate(problem: BookingProblem, settings: SolverSettings = SolverSettings(),
             progress: ProgressCallback | None = None, cancel: CancelToken | None = None) -> BookingResult:
    """Validate, build, solve and extract; a run cancelled before the solve returns UNKNOWN with nothing allocated."""
    started = time.monotonic()
    validate(problem)
    candidates = candidate_slots(problem)
    model = None if _stopped(cancel) else build_model(problem, candidates)
    if model is None or _stopped(cancel):
        model = BookingModel(min_cost_flow.SimpleMinCostFlow(), {}, candidates, False)
        status = "UNKNOWN"
    else:
        status = solve(model, settings)
    result = extract(problem, model, status, 0.0)
    result.wall_s = time.monotonic() - started
    if progress is not None:
        progress(Progress(objective=result.objective, bound=result.bound, seconds=result.wall_s))
    return result


def _stopped(cancel: CancelToken | None) -> bool:
    """True once the caller has cancelled."""
    return cancel is not None and cancel.cancelled
