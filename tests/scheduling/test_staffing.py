"""Erlang C staffing and the weekly call forecast (pure library: no Flask, no database)."""
from __future__ import annotations

import math
from datetime import datetime, timedelta

import pytest

from scheduling import staffing as st

# Call Centre Helper, "Erlang C Formula - Made Simple With an Easy Worked Example"
# (https://www.callcentrehelper.com/erlang-c-formula-example-121281.htm): 100 calls in 30 minutes (200 an hour),
# 180 s average handling time, target 80% of calls answered in 20 s. Traffic A = 10 erlangs. With 11 agents the
# probability of waiting is 0.6821; 14 agents are the fewest to meet the target: probability of waiting 0.1741319,
# service level 0.88835, average speed of answer 7.836 s, occupancy 0.7142857. The same figures, to these digits,
# are printed by the two libraries that reproduce the example: the CRAN package ErlangC
# (https://rdocumentation.org/packages/ErlangC/versions/0.1.0: wait_probability 0.1741319, service_level 0.88835,
# average_speed_of_answer 7.83593701177724 s, occupancy 0.7142857, agents 14; 0.6821182 at 11 agents) and pyworkforce
# (https://pypi.org/project/pyworkforce/0.1.0/: raw_positions 14, service_level 0.8883500191794669,
# waiting_probability 0.1741319335950498, occupancy 0.7142857142857143).
CCH_CALLS_PER_HOUR, CCH_AHT, CCH_TARGET = 200, 180, 20


def test_call_centre_helper_probability_of_waiting():
    """A = 10 erlangs: P(wait) is 0.6821182 with 11 agents and 0.1741319 with 14."""
    assert st.offered_load(CCH_CALLS_PER_HOUR, CCH_AHT) == pytest.approx(10)
    assert st.erlang_c(10, 11) == pytest.approx(0.6821182, abs=5e-8)
    assert st.erlang_c(10, 14) == pytest.approx(0.1741319, abs=5e-8)
    assert st.erlang_c(10, 14) == pytest.approx(0.1741319335950498, rel=1e-12)


def test_call_centre_helper_service_level_asa_occupancy():
    """14 agents answer 88.835% of calls within 20 s, after 7.836 s on average, busy 71.43% of the time."""
    assert st.service_level(CCH_CALLS_PER_HOUR, CCH_AHT, 14, CCH_TARGET) == pytest.approx(0.88835, abs=5e-6)
    assert st.service_level(CCH_CALLS_PER_HOUR, CCH_AHT, 14, CCH_TARGET) == pytest.approx(0.8883500191794669, rel=1e-12)
    assert st.average_speed_of_answer(CCH_CALLS_PER_HOUR, CCH_AHT, 14) == pytest.approx(7.83593701177724, rel=1e-12)
    assert st.occupancy(CCH_CALLS_PER_HOUR, CCH_AHT, 14) == pytest.approx(0.7142857, abs=5e-8)


def test_call_centre_helper_agents_needed():
    """14 agents are the fewest meeting 80/20; 13 fall just short."""
    assert st.agents_needed(CCH_CALLS_PER_HOUR, CCH_AHT, 0.8, CCH_TARGET) == 14
    assert st.service_level(CCH_CALLS_PER_HOUR, CCH_AHT, 13, CCH_TARGET) < 0.8


# Erlang C calculator, worked example (http://personal.telefonica.terra.es/web/vr/erlang/eng/mcerlc.htm):
# "600 calls with call length of 120 seconds, that is a traffic of 20 erlangs. For a target delay probability of 15%
# the number of circuits needed are 26 ... 3 seconds per call. If circuits are incremented to 30, delay is reduced
# to 2.5%."
def test_second_worked_example_twenty_erlangs():
    """20 erlangs: 26 agents keep P(wait) under 15% (25 do not), about 3 s ASA; 30 agents bring it to 2.5%."""
    assert st.offered_load(600, 120) == 20
    assert min(n for n in range(21, 40) if st.erlang_c(20, n) <= 0.15) == 26
    assert st.erlang_c(20, 25) > 0.15
    assert round(st.average_speed_of_answer(600, 120, 26)) == 3
    assert round(st.erlang_c(20, 30) * 100, 1) == 2.5


def _erlang_c_by_factorials(load: float, agents: int) -> float:
    """The textbook formula, fine for small numbers."""
    top = load ** agents / math.factorial(agents) * agents / (agents - load)
    return top / (sum(load ** k / math.factorial(k) for k in range(agents)) + top)


@pytest.mark.parametrize("load, agents", [(0.5, 1), (2.5, 3), (7.3, 9), (10, 11), (18, 21), (48, 55)])
def test_erlang_c_agrees_with_the_textbook_formula(load, agents):
    """The Erlang B recurrence gives the same answer as the factorial formula."""
    assert st.erlang_c(load, agents) == pytest.approx(_erlang_c_by_factorials(load, agents), rel=1e-10)


def test_erlang_c_is_stable_for_large_centres():
    """1,000 erlangs would overflow factorials; the recurrence stays a probability."""
    wait = st.erlang_c(1000, 1040)
    assert 0 < wait < 1 and math.isfinite(wait)
    assert st.agents_needed(1000 * 3600 / 180, 180, 0.8, 20, max_agents=2000) > 1000


def test_no_calls():
    """No calls: nobody waits, every call is answered at once, no agent is needed."""
    assert st.erlang_c(0, 3) == 0
    assert st.service_level(0, 300, 0, 20) == 1
    assert st.average_speed_of_answer(0, 300, 0) == 0
    assert st.occupancy(0, 300, 0) == 0
    assert st.agents_needed(0, 300) == 0
    assert st.agents_needed(12, 0) == 0


def test_traffic_at_or_over_the_agents():
    """As many erlangs as agents or more: every call waits, the queue never empties."""
    assert st.erlang_c(5, 5) == 1 and st.erlang_c(6, 5) == 1 and st.erlang_c(1, 0) == 1
    assert st.service_level(60, 300, 5, 20) == 0  # 5 erlangs on 5 agents
    assert st.average_speed_of_answer(60, 300, 5) == math.inf
    assert st.occupancy(120, 300, 5) == 1


def test_agents_needed_limits():
    """An impossible target or too many agents is an error, not a loop."""
    with pytest.raises(ValueError):
        st.agents_needed(200, 180, target_level=1.0)
    with pytest.raises(ValueError):
        st.agents_needed(200, 180, max_agents=13)
    assert st.agents_needed(200, 180, max_agents=14) == 14


def test_a_few_calls_need_one_agent():
    """One call an hour of five minutes: one agent answers well over 80% within 20 s."""
    assert st.agents_needed(1, 300) == 1


MONDAY = datetime(2027, 3, 1)  # a Monday


def test_weekly_counts_by_week_and_slot():
    """Calls land in their week (oldest first) and (weekday, hour); calls outside the window are ignored."""
    end = MONDAY
    times = [
        end - timedelta(days=7) + timedelta(hours=9, minutes=5),   # last week, Monday 09:05
        end - timedelta(days=7) + timedelta(hours=9, minutes=55),  # last week, Monday 09:55
        end - timedelta(days=14) + timedelta(hours=9),              # the week before, Monday 09:00
        end - timedelta(minutes=1),                                 # last week, Sunday 23:59
        end,                                                        # the period itself: not history
        end - timedelta(days=14, seconds=1),                        # before the window
    ]
    weeks = st.weekly_counts(times, end, 2)
    assert weeks == [{(0, 9): 1}, {(0, 9): 2, (6, 23): 1}]


def test_recency_weights():
    """Weights 1..n over their sum: eight weeks weigh the newest 8/36 and the oldest 1/36."""
    weights = st.recency_weights(8)
    assert sum(weights) == pytest.approx(1)
    assert weights[-1] == pytest.approx(8 / 36) and weights[0] == pytest.approx(1 / 36)
    assert weights == sorted(weights)


def test_forecast_weighs_recent_weeks_more():
    """3 calls two weeks ago and 6 last week forecast (1*3 + 2*6) / 3 = 5, above the plain mean of 4.5."""
    rates = st.forecast([{(0, 9): 3}, {(0, 9): 6, (2, 14): 3}])
    assert rates[(0, 9)] == pytest.approx(5)
    assert rates[(2, 14)] == pytest.approx(2)  # a week without calls counts as 0
    assert rates[(6, 23)] == 0
    assert len(rates) == 7 * 24


def test_forecast_of_flat_history_is_the_history():
    """The same count every week forecasts that count."""
    rates = st.forecast([{(1, 10): 4}] * 8)
    assert rates[(1, 10)] == pytest.approx(4)


def test_forecast_of_no_weeks_is_zero():
    """No history forecasts no calls."""
    assert set(st.forecast([]).values()) == {0}


def test_hours_covered_by_a_morning_and_a_night():
    """08:30-12:00 covers half of 8 o'clock and three whole hours; a night shift runs into the next weekday."""
    assert st.hours_covered(MONDAY.replace(hour=8, minute=30), MONDAY.replace(hour=12)) == [
        ((0, 8), 0.5), ((0, 9), 1.0), ((0, 10), 1.0), ((0, 11), 1.0)]
    sunday_night = MONDAY - timedelta(hours=3)
    night = st.hours_covered(sunday_night, MONDAY + timedelta(hours=8, minutes=30))
    assert night[0] == ((6, 21), 1.0) and night[3] == ((0, 0), 1.0) and night[-1] == ((0, 8), 0.5)
    assert sum(fraction for _, fraction in night) == 11.5


def test_expected_calls_and_peak_agents_over_a_shift():
    """A shift expects the sum of its hours' rates (part hours in part) and needs the busiest hour's agents."""
    rates = {(0, 8): 10.0, (0, 9): 30.0, (0, 10): 200.0, (0, 11): 20.0}
    start, end = MONDAY.replace(hour=8, minute=30), MONDAY.replace(hour=12)
    assert st.expected_calls(rates, start, end) == pytest.approx(5 + 30 + 200 + 20)
    assert st.peak_agents(rates, start, end, 180) == st.agents_needed(200, 180) == 14
    assert st.peak_agents({}, start, end, 180) == 0
