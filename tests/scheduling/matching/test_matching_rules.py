"""Each hard rule has a tiny problem whose cheapest answer breaks it; the solver must not."""
from __future__ import annotations

from scheduling.matching.solve import match


def solve_and_check(build, checker, problem):
    """Solve, then let the independent checker confirm rules and cost."""
    result = match(problem, build.settings)
    assert checker.violations(problem, result.counsel) == []
    assert abs(checker.cost(problem, result.counsel) - result.objective) < 1e-6
    assert result.bound is not None and result.bound <= result.objective + 1e-6
    return result


def test_primary_covers_every_needed_area(build, checker):
    near = build.lawyer("near", "f1", areas={"company": 5})
    both = build.lawyer("both", "f2", city="dalian", areas={"company": 3, "ip": 3})
    spare = build.lawyer("spare", "f3", areas={"company": 5, "ip": 1})
    problem = build.problem([build.project("p", areas=("company", "ip"))], [near, both, spare])
    result = solve_and_check(build, checker, problem)
    assert result.counsel["p"].primary in ("both", "spare")


def test_backup_covers_the_main_area(build, checker):
    main = build.lawyer("main", "f1", areas={"ip": 5, "company": 5})
    no_ip = build.lawyer("no_ip", "f2", areas={"company": 5})
    far_ip = build.lawyer("far_ip", "f3", city="dalian", areas={"ip": 1})
    problem = build.problem([build.project("p", areas=("ip", "company"))], [main, no_ip, far_ip])
    result = solve_and_check(build, checker, problem)
    assert result.counsel["p"].backup == "far_ip"


def test_both_lawyers_speak_the_required_languages(build, checker):
    lawyers = [build.lawyer("zh_only", "f1"), build.lawyer("ko1", "f2", city="dalian", languages=("zh", "ko")),
               build.lawyer("ko2", "f3", city="dalian", languages=("zh", "ko"))]
    problem = build.problem([build.project("p", languages=("zh", "ko"))], lawyers)
    result = solve_and_check(build, checker, problem)
    assert {result.counsel["p"].primary, result.counsel["p"].backup} == {"ko1", "ko2"}


def test_no_lawyer_serves_a_project_they_have_a_conflict_with(build, checker):
    lawyers = [build.lawyer("conflicted", "f1", conflict_projects=frozenset({"p"})),
               build.lawyer("a", "f2", city="dalian"), build.lawyer("b", "f3", city="dalian")]
    result = solve_and_check(build, checker, build.problem([build.project("p")], lawyers))
    assert "conflicted" not in (result.counsel["p"].primary, result.counsel["p"].backup)


def test_no_lawyer_serves_a_project_involving_a_conflicted_firm(build, checker):
    lawyers = [build.lawyer("conflicted", "f1", conflict_firms=frozenset({"ACME"})),
               build.lawyer("a", "f2", city="dalian"), build.lawyer("b", "f3", city="dalian")]
    problem = build.problem([build.project("p", parties=("ACME", "Other"))], lawyers)
    result = solve_and_check(build, checker, problem)
    assert "conflicted" not in (result.counsel["p"].primary, result.counsel["p"].backup)


def test_primary_and_backup_are_two_lawyers_from_two_firms(build, checker):
    lawyers = [build.lawyer("a1", "f1"), build.lawyer("a2", "f1"), build.lawyer("b", "f2", city="dalian")]
    result = solve_and_check(build, checker, build.problem([build.project("p")], lawyers))
    chosen = result.counsel["p"]
    assert chosen.primary != chosen.backup
    assert "b" in (chosen.primary, chosen.backup)


def test_no_lawyer_over_their_monthly_hours(build, checker):
    lawyers = [build.lawyer("busy", "f1", hours=5.0), build.lawyer("b", "f2", city="dalian"),
               build.lawyer("c", "f3", city="dalian")]
    projects = [build.project("p1", hours=4.0), build.project("p2", hours=4.0)]
    result = solve_and_check(build, checker, build.problem(projects, lawyers))
    served = [c for c in result.counsel.values() if "busy" in (c.primary, c.backup)]
    hours = sum(4.0 if c.primary == "busy" else 1.0 for c in served)
    assert hours <= 5.0 and len(result.counsel) == 2


def test_no_lawyer_over_their_project_count(build, checker):
    lawyers = [build.lawyer("one", "f1", max_projects=1), build.lawyer("b", "f2", city="dalian"),
               build.lawyer("c", "f3", city="dalian")]
    projects = [build.project("p1"), build.project("p2")]
    result = solve_and_check(build, checker, build.problem(projects, lawyers))
    assert sum("one" in (c.primary, c.backup) for c in result.counsel.values()) <= 1
    assert len(result.counsel) == 2


def test_every_project_gets_exactly_one_primary_and_one_backup(build, checker):
    lawyers = [build.lawyer(f"l{i}", f"f{i % 3}", city=("shenyang", "dalian")[i % 2]) for i in range(6)]
    projects = [build.project(f"p{i}", city=("shenyang", "yingkou")[i % 2]) for i in range(8)]
    result = solve_and_check(build, checker, build.problem(projects, lawyers))
    assert set(result.counsel) == {f"p{i}" for i in range(8)}
    assert result.status == "OPTIMAL"


def test_checker_catches_each_broken_rule(build, checker):
    from scheduling.matching.problem import Counsel

    lawyers = [build.lawyer("a", "f1", max_projects=1, hours=4.0), build.lawyer("a2", "f1"),
               build.lawyer("b", "f2", areas={"tax": 3})]
    problem = build.problem([build.project("p"), build.project("q")], lawyers)
    assert any("same firm" in v for v in checker.violations(problem, {"p": Counsel("a", "a2")}))
    assert any("same lawyer" in v for v in checker.violations(problem, {"p": Counsel("a", "a")}))
    assert any("not allowed" in v for v in checker.violations(problem, {"p": Counsel("b", "a")}))
    both = {"p": Counsel("a", "b"), "q": Counsel("a", "b")}
    assert any("over project count" in v for v in checker.violations(problem, both))
