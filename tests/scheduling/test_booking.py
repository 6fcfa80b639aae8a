"""Batch booking: one test per rule on tiny instances, the reasons, validation, and a cross-check against CP-SAT."""
from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone

import pytest
from ortools.sat.python import cp_model

from scheduling import booking
from scheduling.booking import (
    BookingLawyer,
    BookingProblem,
    BookingRequest,
    BookingSlot,
    allocate,
    broken_rules,
    candidate_slots,
)
from scheduling.common import CancelToken

TZ = timezone(timedelta(hours=8))
MONDAY = date(2025, 3, 3)


def at(hour: int, minute: int = 0, day: int = 0) -> datetime:
    """A local time in the province on day `day` of the batch."""
    return datetime(2025, 3, 3, hour, minute, tzinfo=TZ) + timedelta(days=day)


def lawyer(id, areas=("labour",), cap=4, booked=None) -> BookingLawyer:
    return BookingLawyer(id=id, areas=frozenset(areas), daily_cap=cap, already_booked=booked or {})


def slot(id, lawyer, hour, minute=0, mode="video", day=0, minutes=30) -> BookingSlot:
    start = at(hour, minute, day)
    return BookingSlot(id=id, lawyer=lawyer, start=start, end=start + timedelta(minutes=minutes), mode=mode,
                       day=MONDAY + timedelta(days=day))


def request(id, area="labour", mode="video", priority=1, windows=((9, 12),), day=0, own=(), excluded=()):
    """A request whose windows are (start hour, end hour) pairs on day `day`."""
    return BookingRequest(id=id, area=area, mode=mode, priority=priority,
                          windows=tuple((at(a, 0, day), at(b, 0, day)) for a, b in windows),
                          own_counsel=frozenset(own), excluded=frozenset(excluded))


def solve(lawyers, slots, requests):
    problem = BookingProblem(tuple(lawyers), tuple(slots), tuple(requests))
    result = allocate(problem)
    assert result.status == "OPTIMAL" and result.bound == result.objective
    assert broken_rules(problem, result.allocation) == []
    assert set(result.allocation) | set(result.unallocated) == {r.id for r in requests}
    return result


# --- one test per rule --------------------------------------------------------------------------------------

def test_slot_mode_must_match_request_mode():
    result = solve([lawyer("A")], [slot("phone", "A", 9, mode="phone"), slot("video", "A", 10, mode="video")],
                   [request("R", mode="phone")])
    assert result.allocation == {"R": "phone"}
    result = solve([lawyer("A")], [slot("video", "A", 9)], [request("R", mode="phone")])
    assert result.allocation == {} and result.unallocated["R"] == booking.NO_SLOT


def test_lawyer_must_practise_the_area():
    result = solve([lawyer("A", areas=["ip"]), lawyer("B", areas=["labour"])],
                   [slot("a", "A", 9), slot("b", "B", 11)], [request("R", area="labour")])
    assert result.allocation == {"R": "b"}
    result = solve([lawyer("A", areas=["ip"]), lawyer("B", areas=["labour"])], [slot("a", "A", 9)],
                   [request("R", area="labour")])
    assert result.unallocated == {"R": booking.NO_LAWYER}  # B practises labour but has no free slot


def test_excluded_lawyer_is_never_allocated():
    result = solve([lawyer("A"), lawyer("B")], [slot("a", "A", 9), slot("b", "B", 11)],
                   [request("R", excluded=["A"], own=["A"])])
    assert result.allocation == {"R": "b"}
    result = solve([lawyer("A"), lawyer("B", areas=["ip"])], [slot("a", "A", 9)], [request("R", excluded=["A"])])
    assert result.unallocated == {"R": booking.ALL_EXCLUDED}


@pytest.mark.parametrize("start, minutes, fits", [
    ((9, 0), 30, True),  # starts with the window
    ((11, 30), 30, True),  # ends with the window
    ((8, 45), 30, False),  # starts before the window
    ((11, 45), 30, False),  # runs past the window's end
    ((8, 30), 240, False),  # covers the whole window
])
def test_slot_lies_wholly_inside_a_window(start, minutes, fits):
    result = solve([lawyer("A")], [slot("s", "A", *start, minutes=minutes)], [request("R", windows=((9, 12),))])
    assert result.allocation == ({"R": "s"} if fits else {})


def test_any_of_several_windows_will_do_but_not_their_gap():
    windows = ((9, 10), (14, 15))
    assert solve([lawyer("A")], [slot("s", "A", 14, 15)], [request("R", windows=windows)]).allocation == {"R": "s"}
    assert solve([lawyer("A")], [slot("s", "A", 9, 45)], [request("R", windows=windows)]).allocation == {}
    assert solve([lawyer("A")], [slot("s", "A", 14, day=1)], [request("R", windows=windows)]).allocation == {}


def test_daily_cap_counts_consultations_already_booked():
    slots = [slot(f"m{i}", "A", 9 + i) for i in range(3)] + [slot(f"t{i}", "A", 9 + i, day=1) for i in range(3)]
    requests = [request(f"R{i}", windows=((9, 12),), day=i // 3) for i in range(6)]
    result = solve([lawyer("A", cap=2, booked={MONDAY: 1})], slots, requests)
    per_day = [sum(1 for s in result.allocation.values() if s.startswith(p)) for p in "mt"]
    assert per_day == [1, 2]
    assert list(result.unallocated.values()) == [booking.TAKEN_OR_CAPPED] * 3


def test_lawyer_already_at_cap_gets_nothing():
    result = solve([lawyer("A", cap=2, booked={MONDAY: 3})], [slot("s", "A", 9)], [request("R")])
    assert result.allocation == {} and result.unallocated == {"R": booking.CAPPED}


def test_one_slot_per_request():
    slots = [slot("a", "A", 9), slot("b", "B", 9), slot("c", "C", 10)]
    result = solve([lawyer("A"), lawyer("B"), lawyer("C")], slots, [request("R", priority=3)])
    assert len(result.allocation) == 1 and result.served == 1
    assert result.objective == 3 * 2  # priority * (requests + 1), counted once


def test_one_request_per_slot():
    result = solve([lawyer("A")], [slot("s", "A", 9)], [request("R1"), request("R2")])
    assert len(result.allocation) == 1 and list(result.unallocated.values()) == [booking.TAKEN]


def test_higher_priority_wins_the_slot():
    result = solve([lawyer("A")], [slot("s", "A", 9)], [request("low", own=["A"]), request("high", priority=2)])
    assert result.allocation == {"high": "s"}


def test_one_more_unit_of_priority_beats_any_own_counsel_preference():
    # Serving X costs an own-counsel consultation; leaving it out keeps all three (the same priority each).
    lawyers = [lawyer("A", cap=3), lawyer("B")]
    slots = [slot(f"a{i}", "A", 9 + i) for i in range(3)] + [slot("b", "B", 15)]
    requests = [request(f"L{i}", own=["A"], windows=((9, 17),)) for i in range(3)]
    requests.append(request("X", windows=((9, 10),)))
    result = solve(lawyers, slots, requests)
    assert result.allocation["X"] == "a0" and result.served == 4 and result.own_counsel_count == 2


def test_own_counsel_preferred_at_equal_priority():
    result = solve([lawyer("A")], [slot("s", "A", 9)], [request("other"), request("own", own=["A"])])
    assert result.allocation == {"own": "s"}
    result = solve([lawyer("A"), lawyer("B")], [slot("b", "B", 9), slot("a", "A", 11)], [request("R", own=["A"])])
    assert result.allocation == {"R": "a"} and result.own_counsel_count == 1


@pytest.mark.parametrize("order", [1, -1])
def test_earlier_slots_break_remaining_ties(order):
    lawyers = [lawyer(name) for name in "ABCDEF"]
    slots = [slot(f"{name}{hour}", name, hour) for name, hour in zip("ABCDEF", (13, 9, 15, 10, 14, 11))][::order]
    requests = [request("R1", windows=((9, 17),)), request("R2", windows=((9, 17),))]
    assert sorted(solve(lawyers, slots, requests).allocation.values()) == ["B9", "D10"]


def test_tie_break_is_dropped_when_costs_would_overflow(monkeypatch):
    monkeypatch.setattr(booking, "_COST_LIMIT", 100)
    lawyers = [lawyer("A"), lawyer("B")]
    slots = [slot("a", "A", 9), slot("b", "B", 11)]
    requests = [request("R1", own=["B"]), request("R2", priority=2), request("R3", area="ip")]
    problem = BookingProblem(tuple(lawyers), tuple(slots), tuple(requests))
    assert not booking.build_model(problem).tie_break
    result = allocate(problem)
    assert result.status == "OPTIMAL" and result.allocation == {"R1": "b", "R2": "a"}
    assert result.objective == 2 * 4 + 1 * 4 + 1


def test_figures():
    result = solve([lawyer("A"), lawyer("B")], [slot("a", "A", 9), slot("b", "B", 9)],
                   [request("R1", priority=4, own=["A"]), request("R2", priority=2), request("R3", area="ip")])
    assert result.served == 2 and result.served_weight == 6 and result.own_counsel_count == 1
    assert result.objective == 6 * 4 + 1 and result.gap == 0.0


# --- reasons, cancel, progress ------------------------------------------------------------------------------

def test_request_without_windows_is_explained():
    result = solve([lawyer("A")], [slot("s", "A", 9)], [request("R", windows=())])
    assert result.unallocated == {"R": booking.NO_WINDOW}


def test_cancelled_before_solving_reports_unknown():
    token = CancelToken()
    token.cancel()
    seen = []
    problem = BookingProblem((lawyer("A"),), (slot("s", "A", 9),), (request("R", priority=2),))
    result = allocate(problem, progress=seen.append, cancel=token)
    assert result.status == "UNKNOWN" and result.allocation == {} and result.objective == 0
    assert result.bound == 2 * 2 and result.unallocated == {"R": booking.CANCELLED}
    assert len(seen) == 1 and seen[0].bound == 4


def test_progress_reported_at_the_end():
    seen = []
    result = allocate(BookingProblem((lawyer("A"),), (slot("s", "A", 9),), (request("R"),)), progress=seen.append)
    assert [(p.objective, p.bound) for p in seen] == [(result.objective, result.objective)]


def test_empty_problem():
    result = allocate(BookingProblem((), (), ()))
    assert result.status == "OPTIMAL" and result.objective == result.bound == 0 and result.allocation == {}


# --- validation ---------------------------------------------------------------------------------------------

def _bad(change):
    """A valid problem with one thing changed by `change(lawyers, slots, requests)`."""
    lawyers, slots, requests = [lawyer("A"), lawyer("B")], [slot("s1", "A", 9), slot("s2", "A", 10)], [request("R")]
    change(lawyers, slots, requests)
    return BookingProblem(tuple(lawyers), tuple(slots), tuple(requests))


@pytest.mark.parametrize("change, words", [
    (lambda l, s, r: s.append(slot("s3", "Z", 11)), "slot 's3': unknown lawyer 'Z'"),
    (lambda l, s, r: s.append(slot("s3", "A", 11, minutes=0)), "slot 's3': end must come after start"),
    (lambda l, s, r: r.append(request("R2", priority=0)), "request 'R2': priority"),
    (lambda l, s, r: l.append(lawyer("C", cap=-1)), "lawyer 'C': daily cap"),
    (lambda l, s, r: l.append(lawyer("C", booked={MONDAY: -1})), "lawyer 'C': already booked"),
    (lambda l, s, r: r.append(request("R2", windows=((12, 9),))), "request 'R2': window 1: end must come after"),
    (lambda l, s, r: l.append(lawyer("A")), "lawyer id 'A' appears twice"),
    (lambda l, s, r: s.append(slot("s1", "B", 9)), "slot id 's1' appears twice"),
    (lambda l, s, r: r.append(request("R")), "request id 'R' appears twice"),
    (lambda l, s, r: s.append(slot("s3", "A", 9, 15)), "lawyer 'A' has overlapping slots 's1' and 's3'"),
    (lambda l, s, r: s.append(slot("s3", "A", 8, 45, minutes=120)), "overlapping slots"),
    (lambda l, s, r: s.append(slot("s3", "B", 9, mode="in_person")), "slot 's3': mode must be one of"),
    (lambda l, s, r: r.append(request("R2", mode="fax")), "request 'R2': mode"),
    (lambda l, s, r: s.append(BookingSlot("s3", "B", datetime(2025, 3, 3, 9), datetime(2025, 3, 3, 10), "video",
                                          MONDAY)), "slot 's3': mixes datetimes"),
])
def test_bad_problems_are_refused_naming_the_item(change, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(")) as error:
        allocate(_bad(change))
    assert error.value.section in ("lawyers", "slots", "requests")


def test_back_to_back_slots_and_naive_datetimes_are_fine():
    naive = BookingSlot("n", "A", datetime(2025, 3, 3, 9), datetime(2025, 3, 3, 9, 30), "video", MONDAY)
    req = BookingRequest("R", "labour", "video", 1, ((datetime(2025, 3, 3, 9), datetime(2025, 3, 3, 12)),))
    assert allocate(BookingProblem((lawyer("A"),), (naive,), (req,))).allocation == {"R": "n"}
    assert solve([lawyer("A")], [slot("a", "A", 9), slot("b", "A", 9, 30)], [request("R")]).served == 1


# --- cross-check on random instances ------------------------------------------------------------------------

def random_problem(seed: int) -> BookingProblem:
    """A small random batch over two days with contention for slots and caps."""
    rng = random.Random(seed)
    areas = ["labour", "ip", "family"]
    lawyers = [lawyer(f"L{i}", rng.sample(areas, rng.randint(1, 2)), cap=rng.randint(0, 3),
                      booked={MONDAY: rng.randint(0, 2)} if rng.random() < 0.4 else None) for i in range(4)]
    slots = []
    for lw in lawyers:
        for day in range(2):
            for k in range(rng.randint(0, 3)):
                slots.append(slot(f"{lw.id}d{day}s{k}", lw.id, 9 + k, rng.choice((0, 10)), rng.choice(("video", "phone")),
                                  day=day))
    requests = []
    for i in range(rng.randint(3, 9)):
        windows = []
        for _ in range(rng.randint(1, 2)):
            a = rng.randint(8, 11)
            windows.append((a, a + rng.randint(1, 3)))
        requests.append(request(f"R{i}", rng.choice(areas), rng.choice(("video", "phone")), rng.choice((1, 2, 4, 8)),
                                tuple(windows), day=rng.randint(0, 1),
                                own=rng.sample([lw.id for lw in lawyers], rng.randint(0, 2)),
                                excluded=rng.sample([lw.id for lw in lawyers], rng.randint(0, 1))))
    return BookingProblem(tuple(lawyers), tuple(slots), tuple(requests))


def pairs_by_hand(problem: BookingProblem) -> list[tuple[BookingRequest, BookingSlot]]:
    """Every (request, slot) pair the one-pair rules allow, written out plainly."""
    lawyers = {lw.id: lw for lw in problem.lawyers}
    return [(r, s) for r in problem.requests for s in problem.slots
            if s.mode == r.mode and r.area in lawyers[s.lawyer].areas and s.lawyer not in r.excluded
            and any(a <= s.start and s.end <= b for a, b in r.windows)]


def cp_sat_optimum(problem: BookingProblem) -> int:
    """The best objective by CP-SAT over the same rules and weights, written independently."""
    model = cp_model.CpModel()
    n = len(problem.requests)
    x = {(r.id, s.id): model.new_bool_var(f"{r.id}_{s.id}") for r, s in pairs_by_hand(problem)}
    weight = {(r.id, s.id): r.priority * (n + 1) + (s.lawyer in r.own_counsel) for r, s in pairs_by_hand(problem)}
    for r in problem.requests:
        model.add(sum(v for (rid, _), v in x.items() if rid == r.id) <= 1)
    for s in problem.slots:
        model.add(sum(v for (_, sid), v in x.items() if sid == s.id) <= 1)
    days = {(s.lawyer, s.day) for s in problem.slots}
    lawyers = {lw.id: lw for lw in problem.lawyers}
    slot_of = {s.id: s for s in problem.slots}
    for lid, day in days:
        used = [v for (_, sid), v in x.items() if (slot_of[sid].lawyer, slot_of[sid].day) == (lid, day)]
        # A lawyer already over the cap (the roster changed) takes nothing more that day.
        model.add(sum(used) <= max(0, lawyers[lid].daily_cap - lawyers[lid].already_booked.get(day, 0)))
    model.maximize(sum(weight[k] * v for k, v in x.items()))
    solver = cp_model.CpSolver()
    solver.parameters.num_workers = 1
    assert solver.solve(model) == cp_model.OPTIMAL
    return round(solver.objective_value)


@pytest.mark.parametrize("seed", range(25))
def test_random_instances_match_cp_sat(seed):
    problem = random_problem(seed)
    result = allocate(problem)
    assert result.status == "OPTIMAL"
    assert result.objective == cp_sat_optimum(problem)
    by_hand = {(r.id, s.id) for r, s in pairs_by_hand(problem)}
    found = {(rid, s.id) for rid, slots in candidate_slots(problem).items() for s in slots}
    assert found == by_hand
    assert set(result.allocation.items()) <= by_hand
    assert len(set(result.allocation.values())) == len(result.allocation)
    lawyers = {lw.id: lw for lw in problem.lawyers}
    slot_of = {s.id: s for s in problem.slots}
    for lid, lw in lawyers.items():
        for day in {s.day for s in problem.slots}:
            count = sum(1 for sid in result.allocation.values() if (slot_of[sid].lawyer, slot_of[sid].day) == (lid, day))
            assert count == 0 or count + lw.already_booked.get(day, 0) <= lw.daily_cap
    assert set(result.unallocated) == {r.id for r in problem.requests} - set(result.allocation)
    assert booking.NOT_CHOSEN not in result.unallocated.values()
