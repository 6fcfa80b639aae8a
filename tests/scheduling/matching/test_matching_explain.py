"""Unmatchable projects come back with their reason in plain words; the others are still matched."""
from __future__ import annotations

from scheduling.matching.explain import ROOM_REASON
from scheduling.matching.solve import match


def team(build):
    return [build.lawyer("a", "f1", areas={"company": 5, "ip": 4}), build.lawyer("b", "f2", areas={"company": 4}),
            build.lawyer("c", "f3", city="dalian", areas={"company": 3, "finance": 2})]


def test_unmatchable_project_has_its_reason_and_the_rest_are_matched(build, checker):
    projects = [build.project("ok1"), build.project("ok2", city="dalian"),
                build.project("russian", languages=("zh", "ru")),
                build.project("maritime", areas=("maritime",))]
    problem = build.problem(projects, team(build))
    result = match(problem, build.settings)
    assert set(result.counsel) == {"ok1", "ok2"}
    assert "ru" in result.unmatched["russian"] and "speaks" in result.unmatched["russian"]
    assert "maritime" in result.unmatched["maritime"]
    assert checker.violations(problem, result.counsel) == []
    assert abs(checker.cost(problem, result.counsel) - result.objective) < 1e-6


def test_reason_when_all_fitting_lawyers_share_one_firm(build):
    lawyers = [build.lawyer("a", "f1", areas={"ip": 5}), build.lawyer("a2", "f1", areas={"ip": 3}),
               build.lawyer("b", "f2")]
    result = match(build.problem([build.project("p", areas=("ip",))], lawyers), build.settings)
    assert "different firms" in result.unmatched["p"] and "f1" in result.unmatched["p"]


def test_reason_for_conflicts(build):
    lawyers = [build.lawyer("a", "f1", conflict_projects=frozenset({"p"})),
               build.lawyer("b", "f2", conflict_firms=frozenset({"ACME"}))]
    result = match(build.problem([build.project("p", parties=("ACME",))], lawyers), build.settings)
    assert "conflict of interest" in result.unmatched["p"]


def test_reason_for_hours(build):
    lawyers = [build.lawyer("a", "f1", hours=2.0), build.lawyer("b", "f2", hours=2.0)]
    result = match(build.problem([build.project("p", hours=3.0)], lawyers), build.settings)
    assert "3 hours a month" in result.unmatched["p"]


def test_project_left_out_for_lack_of_room_says_so(build, checker):
    lawyers = [build.lawyer("a", "f1", max_projects=1), build.lawyer("b", "f2", max_projects=1)]
    problem = build.problem([build.project("p", priority=5), build.project("q")], lawyers)
    result = match(problem, build.settings)
    assert len(result.counsel) == 1 and len(result.unmatched) == 1
    assert list(result.unmatched.values()) == [ROOM_REASON]
    assert abs(checker.cost(problem, result.counsel) - result.objective) < 1e-6


def test_reasons_carry_codes_and_ids(build):
    """Each reason is also a code with ids (languages, areas, firms, the role), for an app to say in any language."""
    projects = [build.project("russian", languages=("zh", "ru")), build.project("maritime", areas=("maritime",))]
    result = match(build.problem(projects, team(build)), build.settings)
    russian, maritime = result.unmatched["russian"], result.unmatched["maritime"]
    assert (russian.code, russian.params["role"], "ru" in russian.params["languages"]) == ("no_language", "primary",
                                                                                            True)
    assert (maritime.code, maritime.params) == ("no_area_cover", {"areas": ["maritime"]})
    lawyers = [build.lawyer("a", "f1", areas={"ip": 5}), build.lawyer("a2", "f1", areas={"ip": 3}),
               build.lawyer("b", "f2")]
    firm = match(build.problem([build.project("p", areas=("ip",))], lawyers), build.settings).unmatched["p"]
    assert (firm.code, firm.params) == ("one_firm", {"firms": ["f1"]})
    assert ROOM_REASON.code == "no_room" and ROOM_REASON == str(ROOM_REASON)
