"""Call-volume staffing: Erlang C measures of a queue of calls, the agents a service level needs, and a forecast of
next week's calls per (weekday, hour) from the weeks before it.

Pure library: standard library only. Erlang C assumes calls arrive at random (Poisson), handling times are
exponential and nobody hangs up while waiting; it therefore slightly overstates the seats a real line needs.
"""
from __future__ import annotations

import math
from collections.abc import Iterable
from datetime import datetime, timedelta

Slot = tuple[int, int]  # (weekday, Monday = 0; hour of the day, 0-23) on the local clock
SLOTS: tuple[Slot, ...] = tuple((weekday, hour) for weekday in range(7) for hour in range(24))
WEEK = timedelta(days=7)
HOUR = timedelta(hours=1)


def offered_load(calls_per_hour: float, aht_seconds: float) -> float:
    """Offered load in erlangs: calls per hour times the handling time in hours."""
    return max(calls_per_hour, 0.0) * max(aht_seconds, 0.0) / 3600


def erlang_b(traffic: float, agents: int) -> float:
    """Probability that a call finds every agent busy with no queue (Erlang B), by the stable recurrence."""
    if traffic <= 0:
        return 0.0
    blocked = 1.0
    for n in range(1, agents + 1):
        blocked = traffic * blocked / (n + traffic * blocked)
    return blocked


def erlang_c(traffic: float, agents: int) -> float:
    """Probability that a call waits (Erlang C): 0 with no traffic, 1 when the agents cannot keep up."""
    if traffic <= 0:
        return 0.0
    if agents <= traffic:
        return 1.0
    blocked = erlang_b(traffic, agents)
    return agents * blocked / (agents - traffic * (1 - blocked))


def service_level(calls_per_hour: float, aht_seconds: float, agents: int, target_seconds: float) -> float:
    """Share of calls answered within target_seconds: 1 - C * exp(-(agents - A) * target / AHT)."""
    load = offered_load(calls_per_hour, aht_seconds)
    if load <= 0:
        return 1.0
    if agents <= load:
        return 0.0  # the queue grows without end
    wait = erlang_c(load, agents)
    return 1 - wait * math.exp(-(agents - load) * target_seconds / aht_seconds)


def average_speed_of_answer(calls_per_hour: float, aht_seconds: float, agents: int) -> float:
    """Mean seconds a call waits before an answer (ASA): C * AHT / (agents - A); infinite when overloaded."""
    load = offered_load(calls_per_hour, aht_seconds)
    if load <= 0:
        return 0.0
    if agents <= load:
        return math.inf
    return erlang_c(load, agents) * aht_seconds / (agents - load)


def occupancy(calls_per_hour: float, aht_seconds: float, agents: int) -> float:
    """Share of the agents' time spent on calls: A / agents, at most 1."""
    load = offered_load(calls_per_hour, aht_seconds)
    if agents <= 0:
        return 1.0 if load > 0 else 0.0
    return min(load / agents, 1.0)


def agents_needed(calls_per_hour: float, aht_seconds: float, target_level: float = 0.8, target_seconds: float = 20,
                  max_agents: int = 500) -> int:
    """The fewest agents answering target_level of calls within target_seconds (0 with no calls)."""
    load = offered_load(calls_per_hour, aht_seconds)
    if load <= 0:
        return 0
    if not 0 < target_level < 1:
        raise ValueError("target_level must be between 0 and 1")
    agents = math.floor(load) + 1  # fewer agents than the load never keep up
    while agents <= max_agents:
        if service_level(calls_per_hour, aht_seconds, agents, target_seconds) >= target_level:
            return agents
        agents += 1
    raise ValueError(f"more than {max_agents} agents needed")


def weekly_counts(times: Iterable[datetime], end: datetime, weeks: int) -> list[dict[Slot, int]]:
    """Calls per (weekday, hour) in each of the `weeks` seven-day weeks before `end`, oldest week first.

    `times` and `end` must read the same local clock; times outside the window are ignored.
    """
    start = end - weeks * WEEK
    counts: list[dict[Slot, int]] = [{} for _ in range(weeks)]
    for at in times:
        if start <= at < end:
            week = counts[(at - start) // WEEK]
            slot = (at.weekday(), at.hour)
            week[slot] = week.get(slot, 0) + 1
    return counts


def recency_weights(weeks: int) -> list[float]:
    """Linear weights 1, 2, ..., n for n weeks (oldest first), scaled to sum to 1: recent weeks weigh more."""
    total = weeks * (weeks + 1) / 2
    return [(index + 1) / total for index in range(weeks)]


def forecast(weeks: list[dict[Slot, int]]) -> dict[Slot, float]:
    """Expected calls per (weekday, hour) next week: the weeks' counts averaged with recency_weights.

    With 8 weeks the newest counts 8/36 (22%) and the oldest 1/36 (3%); a slot without calls in a week counts 0.
    """
    weights = recency_weights(len(weeks))
    return {slot: sum(weight * week.get(slot, 0) for weight, week in zip(weights, weeks)) for slot in SLOTS}


def hours_covered(start: datetime, end: datetime) -> list[tuple[Slot, float]]:
    """Each clock hour that [start, end) touches, as (slot, fraction of that hour covered), in order."""
    covered = []
    bucket = start.replace(minute=0, second=0, microsecond=0)
    while bucket < end:
        overlap = min(end, bucket + HOUR) - max(start, bucket)
        if overlap > timedelta(0):
            covered.append(((bucket.weekday(), bucket.hour), overlap / HOUR))
        bucket += HOUR
    return covered


def expected_calls(rates: dict[Slot, float], start: datetime, end: datetime) -> float:
    """Calls expected in [start, end) given calls per hour for each slot (part hours count in part)."""
    return sum(rates.get(slot, 0.0) * fraction for slot, fraction in hours_covered(start, end))


def peak_agents(rates: dict[Slot, float], start: datetime, end: datetime, aht_seconds: float,
                target_level: float = 0.8, target_seconds: float = 20, max_agents: int = 500) -> int:
    """Agents for [start, end): the most that any hour it touches needs at that hour's call rate."""
    return max((agents_needed(rates.get(slot, 0.0), aht_seconds, target_level, target_seconds, max_agents)
                for slot, _ in hours_covered(start, end)), default=0)
