"""The ledger's figures come from the events dated in the period (Beijing time, to the second), scoped to a city or
an org unit's subtree, and equal a plain count over the events; each figure lists the entries behind it."""
from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from hotline.disputes.scope import Scope
from hotline.models import Dispute, DisputeEvent, MediationCommittee
from hotline.services import dispute_deadlines, dispute_figures, disputes
from hotline.services.disputes import Party
from tests.services.test_disputes import session  # noqa: F401  (fixture)

FIRST, LAST = date(2026, 10, 1), date(2026, 12, 31)
START = datetime(2026, 9, 30, 16, 0, tzinfo=timezone.utc)  # 1 October 00:00:00 in Beijing
END = datetime(2026, 12, 31, 16, 0, tzinfo=timezone.utc)  # 1 January 00:00:00 in Beijing: the first moment after
SECOND = timedelta(seconds=1)
LATER = END + timedelta(days=40)  # "now" for the figures: the quarter has ended


@pytest.fixture
def land(make):
    """Dalian: a county with two townships (villages under each) and a second county; Shenyang: one village."""
    dalian = make.city(code="dalian", name_en="Dalian", name_zh="大连")
    shenyang = make.city(code="shenyang", name_en="Shenyang", name_zh="沈阳")
    county = make.org_unit("county", city=dalian)
    town = make.org_unit("township", parent=county)
    village = make.org_unit("village", parent=town)
    other_town = make.org_unit("township", parent=county)
    far_village = make.org_unit("village", parent=other_town)
    second_county = make.org_unit("county", city=dalian)
    second_village = make.org_unit("village", parent=make.org_unit("township", parent=second_county))
    shenyang_village = make.org_unit("village", parent=make.org_unit("township", parent=make.org_unit(
        "county", city=shenyang)))
    return {
        "dalian": dalian, "shenyang": shenyang, "county": county, "town": town, "village": village,
        "far_village": far_village, "second_village": second_village, "shenyang_village": shenyang_village,
        "village_committee": make.committee(village, kind="village", level=0),
        "town_committee": make.committee(town, kind="township", level=1),
        "key": make.committee(county, kind="county_key", level=2, senior=True),
        "second_key": make.committee(second_county, kind="county_key", level=2, senior=True),
        "shenyang_key": make.committee(shenyang_village, kind="village", level=0, senior=True),
    }


def _walk(session, land, unit: str, at: datetime, steps=(), **register):
    """Register an entry at `at` and take each (action, seconds after registering, data) step."""
    values = dict(source="screening", found_at=at, org_unit=land[unit], dispute_type="neighbour",
                  summary="A wall between two yards", parties=[Party("张三"), Party("李四")], now=at)
    dispute = disputes.register(session, **(values | register))
    for action, offset, data in steps:
        disputes.act(session, dispute, action, now=at + offset if isinstance(offset, timedelta) else offset, **data)
    session.commit()
    return dispute


def _mediate(committee, level="yellow"):
    return [("accept", timedelta(hours=1), {}), ("assess", timedelta(hours=2), {"risk_level": level}),
            ("dispatch", timedelta(hours=3), {"committee_id": committee.id}),
            ("committee_accept", timedelta(hours=4), {})]


def _succeed(offset, **over):
    return ("succeed", offset, {"agreement_form": "written", "terms": "The wall moves 20 cm"} | over)


@pytest.fixture
def history(session, land):
    """Entries whose events straddle the quarter's edges to the second."""
    vc, key = land["village_committee"], land["key"]
    made = {}
    # Registered at the first second: found; mediated successfully in the quarter; its follow-up is on time.
    made["first_second"] = _walk(session, land, "village", START, _mediate(vc) + [
        _succeed(timedelta(days=2)), ("follow_up", timedelta(days=10), {"note": "Kept", "kept": True})])
    # Registered a second before: not found; red, a suicide risk (two people) prevented, mediation failed, reported
    # to the city, dispatched to the county's key committee in the quarter.
    made["second_before"] = _walk(session, land, "far_village", START - SECOND, [
        ("accept", SECOND, {}), ("assess", 2 * SECOND, {"risk_level": "red"}),
        ("risk_open", 3 * SECOND, {"kind": "suicide", "people": 2}),
        ("dispatch", timedelta(days=3), {"committee_id": key.id}), ("committee_accept", timedelta(days=4), {}),
        ("fail", timedelta(days=5), {"guidance": "Sue in the district court"}),
        ("risk_close", timedelta(days=6), {"kind": "suicide", "prevented": True}),
        ("report", timedelta(days=6), {"level": "city_bureau"}),
        ("report", timedelta(days=7), {"level": "city_bureau"}),
    ], source="hotline")
    # Registered at the last second: found, open (blue) at the end.
    made["last_second"] = _walk(session, land, "second_village", END - SECOND, source="walk_in")
    # Registered at the first second after: nothing.
    made["after"] = _walk(session, land, "village", END)
    # Shenyang: found and mediated successfully; a group fight risk closed as not prevented.
    made["shenyang"] = _walk(session, land, "shenyang_village", START + timedelta(days=20), [
        ("accept", timedelta(hours=1), {}), ("risk_open", timedelta(hours=2), {"kind": "group_fight", "people": 30}),
        ("assess", timedelta(hours=3), {"risk_level": "orange"}),
        ("dispatch", timedelta(hours=4), {"committee_id": land["shenyang_key"].id}),
        ("committee_accept", timedelta(hours=5), {}),
        ("risk_close", timedelta(hours=6), {"kind": "group_fight", "prevented": False}),
        _succeed(timedelta(hours=8), performance_date=date(2026, 12, 20)),
    ])
    # Failed, closed, reopened and mediated again successfully, all in the quarter: mediated once, a success.
    made["twice"] = _walk(session, land, "village", START + timedelta(days=30), _mediate(vc) + [
        ("fail", timedelta(days=1), {"guidance": "Arbitration"}), ("close", timedelta(days=2), {}),
        ("reopen", timedelta(days=3), {"reason": "The agreement was broken"}), ("assess", timedelta(days=3, hours=1), {"risk_level": "blue"}),
        ("dispatch", timedelta(days=3, hours=2), {"committee_id": land["town_committee"].id}),
        ("committee_accept", timedelta(days=3, hours=3), {}), _succeed(timedelta(days=4)),
    ])
    # Succeeded at the first second after the quarter: not mediated in it; open (yellow) at its end.
    made["concluded_after"] = _walk(session, land, "village", START + timedelta(days=60), _mediate(vc) + [
        _succeed(END - START - timedelta(days=60))])
    # Orange at the end (a group petition of 12 opened, prevented only after the quarter), corrected to blue later:
    # open orange at the end; its follow-up is late; an escalated deadline in the quarter.
    made["orange"] = _walk(session, land, "far_village", START + timedelta(days=50), [
        ("accept", timedelta(hours=1), {}), ("assess", timedelta(hours=2), {"risk_level": "yellow"}),
        ("risk_open", timedelta(hours=3), {"kind": "group_petition", "people": 12}),
        ("report", timedelta(hours=4), {"level": "county_bureau"}),
        ("escalate", timedelta(days=2), {"deadline": "report:county_bureau", "due_at": "x", "to": "county"}),
        ("risk_close", END + timedelta(days=1), {"kind": "group_petition", "prevented": True}),
        ("correct", END + timedelta(days=2), {"risk_level": "blue", "reason": "Entered wrongly"}),
    ])
    # A success whose follow-up came late (due 15 days after the agreement, visited on day 16).
    made["late_visit"] = _walk(session, land, "village", START + timedelta(days=5), _mediate(vc) + [
        _succeed(timedelta(days=1)), ("follow_up", timedelta(days=17), {"note": "Visited", "kept": True})])
    return made


# ---- the plain count: every event read once, in Python -----------------------------------------------------------

def _plain(session, scope: Scope | None, now: datetime = LATER) -> dict[str, int]:
    """Each figure counted the simplest way, straight from the rows."""
    entries = {d.id: d for d in session.scalars(select(Dispute))}
    units = {d.id: d.org_unit for d in entries.values()}
    allowed = {i for i, d in entries.items() if scope is None or (
        (scope.city_id is None or d.city_id == scope.city_id)
        and (scope.path is None or units[i].path.startswith(scope.path)))}
    events = [e for e in session.scalars(select(DisputeEvent).order_by(DisputeEvent.at, DisputeEvent.seq))
              if e.dispute_id in allowed]
    inside = [e for e in events if START <= e.at < END]
    counts: dict[str, int] = defaultdict(int)
    for e in inside:
        if e.action == "register":
            counts["found"] += 1
            counts[f"found:{entries[e.dispute_id].source}"] += 1
        if e.action == "risk_close" and e.data["prevented"]:
            counts[f"prevented:{e.data['kind']}"] += 1
            counts[f"prevented_people:{e.data['kind']}"] += e.data["people"]
        if e.action == "escalate":
            counts["breached"] += 1
    last_conclusion = {e.dispute_id: e.action for e in sorted(inside, key=lambda e: e.seq)
                       if e.action in ("succeed", "fail")}
    counts["mediated"] = len(last_conclusion)
    counts["succeeded"] = sum(1 for action in last_conclusion.values() if action == "succeed")
    for level in ("county_bureau", "city_bureau", "province_dept"):
        counts[f"reported:{level}"] = len({e.dispute_id for e in inside if e.action == "report" and e.data["level"] == level})
    committees = {e.data["committee_id"] for e in inside if e.action == "dispatch"}
    counts["committees"] = len(committees)
    counts["committees_county"] = sum(1 for c in committees if session.get(MediationCommittee, c).level >= 2)
    state, level = {}, {}
    for e in events:
        if e.at < min(END, now):
            state[e.dispute_id] = e.to_state
            found = dispute_deadlines._level_after(e)
            if found:
                level[e.dispute_id] = found
    for dispute_id, now_state in state.items():
        if now_state in disputes.OPEN_STATES:
            counts["open"] += 1
            counts[f"open:{level[dispute_id]}"] += 1
    for dispute_id in allowed:
        dispute = entries[dispute_id]
        session.refresh(dispute)
        for deadline in dispute_deadlines.deadlines(dispute, dispute.events):
            if deadline.key == "follow_up" and START <= deadline.due_at < END and deadline.due_at < now:
                counts["follow_ups_due"] += 1
                counts["follow_ups_on_time"] += deadline.status(now) == "met"
    return counts


def _nonzero(found: dispute_figures.LedgerFigures) -> dict[str, int]:
    return {key: value for key, value in found.counts.items() if value}


def test_the_quarter_counts_only_what_happened_in_it_to_the_second(session, history, land):
    found = dispute_figures.figures(session, FIRST, LAST, None, now=LATER)
    assert _nonzero(found) == {
        "found": 7, "found:screening": 6, "found:walk_in": 1,
        "mediated": 5, "succeeded": 4,  # the entry mediated twice counts once, as its last outcome, a success
        "prevented:suicide": 1, "prevented_people:suicide": 2,  # not the group fight (not prevented)
        "reported:county_bureau": 1, "reported:city_bureau": 1,  # reported twice, one entry
        "committees": 4, "committees_county": 1,
        "open": 5, "open:orange": 1, "open:yellow": 3, "open:blue": 1,  # orange then, blue only after a correction
        "breached": 1, "follow_ups_due": 4, "follow_ups_on_time": 1,
    }
    assert found.success_rate == 4 / 5


def test_figures_equal_a_plain_count_of_the_events_for_every_scope(session, history, land):
    dalian, county, town = land["dalian"], land["county"], land["town"]
    for scope in (None, Scope(), Scope(city_id=dalian.id), Scope(city_id=land["shenyang"].id),
                  Scope(city_id=dalian.id, path=county.path), Scope(city_id=dalian.id, path=town.path)):
        found = dispute_figures.figures(session, FIRST, LAST, scope, now=LATER)
        plain = _plain(session, scope if scope is None or not scope.is_province else None)
        assert _nonzero(found) == {key: value for key, value in plain.items() if value}, scope


def test_a_subtree_sees_its_own_entries_and_a_city_not_the_others(session, history, land):
    town = dispute_figures.figures(session, FIRST, LAST, Scope(city_id=land["dalian"].id, path=land["town"].path),
                                   now=LATER)
    assert town["found"] == 4 and town["found:hotline"] == 0 and town["prevented:suicide"] == 0
    shenyang = dispute_figures.figures(session, FIRST, LAST, Scope(city_id=land["shenyang"].id), now=LATER)
    assert (shenyang["found"], shenyang["mediated"], shenyang["succeeded"]) == (1, 1, 1)
    assert shenyang["prevented:group_fight"] == 0 and shenyang["follow_ups_due"] == 1


def test_every_figure_lists_the_entries_behind_it(session, history, land):
    found = dispute_figures.figures(session, FIRST, LAST, None, now=LATER)
    behind = lambda key: dispute_figures.ids_behind(session, key, FIRST, LAST, None, now=LATER)  # noqa: E731
    for key in dispute_figures.keys():
        if key.startswith(("prevented_people:", "committees", "breached")):
            continue  # people, committees and deadlines, not entries
        assert len(behind(key)) == found[key], key
    h = history
    assert behind("found") == sorted(d.id for k, d in h.items() if k not in ("second_before", "after"))
    assert behind("mediated") == sorted(h[k].id for k in ("first_second", "second_before", "shenyang", "twice",
                                                          "late_visit"))
    assert behind("prevented:suicide") == [h["second_before"].id]
    assert behind("open:orange") == [h["orange"].id] and behind("open:blue") == [h["last_second"].id]
    assert behind("committees_county") == [h["second_before"].id]
    assert behind("breached") == [h["orange"].id]
    assert behind("follow_ups_on_time") == [h["first_second"].id]
    assert behind("follow_ups_due") == sorted(h[k].id for k in ("first_second", "shenyang", "twice", "late_visit"))
    with pytest.raises(KeyError):
        behind("astrology")
    with pytest.raises(ValueError):
        dispute_figures.ids_behind(session, "found", LAST, FIRST, None)


def test_while_a_period_runs_the_open_stock_is_today_s_and_follow_ups_not_yet_due_wait(session, history, land):
    early = START + timedelta(days=20, hours=9)  # the Shenyang entry has just succeeded
    found = dispute_figures.figures(session, FIRST, LAST, None, now=early)
    assert found["follow_ups_due"] == 1  # the first entry's; Shenyang's is due in December
    plain = _plain(session, None, now=early)
    assert {key: found[key] for key in found.counts if key.startswith("open")} == \
        {key: plain[key] for key in found.counts if key.startswith("open")}
    assert found["open"] == found["open:yellow"] == 1  # the first entry, following up
