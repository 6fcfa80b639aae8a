"""Every page in Chinese, for every role: no text the catalogue translates shows in English, and no stored code
("roster_replan", "duty_published", "no_show") shows where a word belongs.

The pages are every GET route (as in test_get_changes_nothing), on a world where row 1 of most tables exists, plus
results an engine wrote: a roster with penalties and an explanation, a re-plan, a failed job, a plan with a project
the engine could not match.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from sqlalchemy import select

from hotline import vocab
from hotline.models import DutyPeriod, Job, MatchPlan, MatchPlanItem
from tests.conftest import login
from tests.consult.conftest import world  # noqa: F401  (the consultation world)
from tests.web.test_get_changes_nothing import populated, url_of  # noqa: F401  (fixture and helper)

CATALOGUE = Path(__file__).parents[2] / "hotline" / "translations" / "zh_Hans" / "LC_MESSAGES" / "messages.po"

# Words that read the same in both languages, and codes that are shown on purpose (ids, formats, brand names).
SAME_IN_BOTH = {"API", "SMS", "OpenAPI", "iCal", "CSV", "XLSX", "JSON", "Twilio", "HMAC", "ID", "URL", "OK"}


def _english_phrases() -> list[str]:
    """Literal English runs of every translated catalogue message: each fragment between placeholders that has
    at least three words (shorter ones, like "%(n)s min", may be a name or a unit in a Chinese page too)."""
    with CATALOGUE.open("rb") as f:
        catalogue = read_po(f)
    phrases = set()
    for message in catalogue:
        if not message.id or not message.string:
            continue
        msgid = message.id if isinstance(message.id, str) else message.id[0]
        for fragment in re.split(r"%\([a-z_]+\)[sd]|%[sd]|\{[a-z_]*\}", msgid):
            fragment = fragment.strip(" .,:;()·-–—?!\"'")
            if len(fragment.split()) >= 3:
                phrases.add(fragment)
    return sorted(phrases, key=len, reverse=True)


def _codes() -> set[str]:
    """Every stored code a vocabulary labels, at least four letters long or joined with an underscore."""
    codes = set()
    for value in vars(vocab).values():
        if isinstance(value, dict):
            codes.update(k for k in value if isinstance(k, str) and (len(k) >= 4 or "_" in k) and k.isascii())
    return codes | {"roster_solve", "roster_replan", "match_solve", "booking_allocate", "succeeded", "queued"}


def visible_text(html: str) -> str:
    """What a reader sees: scripts, styles, templates, attribute values and code blocks dropped, and what is marked
    English on purpose (the report's English sentence beside the Chinese one)."""
    html = re.sub(r"<(script|style|template|pre|code)\b.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<(?!html\b)(\w+)\b[^>]*\blang=\"en\"[^>]*>.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", html.replace("&nbsp;", " "))


@pytest.fixture
def engine_results(populated, world, make):
    """A period whose solve left penalties and an explanation, a re-plan with a change, a failed job and a plan
    with an unmatched project: the engines' words, stored as codes with parameters."""
    period = make.get(DutyPeriod, 1) or make.period()
    lawyer = str(world.own.id)
    solve = {"period_id": period.id, "status": "FEASIBLE", "objective": 130, "bound": 0, "wall_s": 1.0,
             "explanation": [{"code": "max_consecutive", "params": {"staff": lawyer, "count": 5},
                              "text": "x works at most 5 days in a row"},
                             {"code": "hard_minimum", "params": {"day": 2, "shift": "night", "city": None,
                                                                 "language": "ko", "area": "labour", "count": 2},
                              "text": "Wednesday night needs at least 2"}],
             "by_rule": {"seat short": {"count": 1, "cost": 100, "words": "1 empty seats: 100"},
                         "shift-on request": {"count": 1, "cost": 30, "words": "1 unmet shift-on requests: 30"}},
             "by_person": {}, "duties": 0,
             "items": [{"code": "seat_short", "params": {"day": 0, "shift": "night", "city": None, "language": None,
                                                         "area": None, "first": 1, "last": 1, "cost": 100},
                        "text": "Monday night seat 1 short: 100"},
                       {"code": "on_request", "params": {"staff": lawyer, "shift": "night", "day": 1, "cost": 30},
                        "text": "x asked to work night on Tuesday: 30"}]}
    make._add(Job(kind="roster_solve", status="succeeded", params_json=json.dumps({"period_id": period.id}),
                  result_json=json.dumps(solve)))
    replan = {"period_id": period.id, "status": "OPTIMAL", "objective": 1, "bound": 1, "wall_s": 1.0,
              "explanation": [], "rules_hold": None,
              "changes": [{"lawyer_id": world.own.id, "day": 0, "before": "night", "after": "",
                           "words": {"code": "changed_duty", "params": {"staff": lawyer, "day": 0, "before": "night",
                                                                        "after": ""}, "text": "x on Monday: night -> off"}}]}
    replan_job = make._add(Job(kind="roster_replan", status="succeeded",
                               params_json=json.dumps({"period_id": period.id}), result_json=json.dumps(replan)))
    make._add(Job(kind="match_solve", status="failed", params_json="{}",
                  error="OverflowError: date value out of range"))
    project = world.project
    plan = make._add(MatchPlan(status="draft", solver_status="FEASIBLE", settings_json="{}"))
    if project is not None:
        make._add(MatchPlanItem(plan_id=plan.id, project_id=project.id, unmatched_reason="no lawyer ...",
                                unmatched_detail=json.dumps({"code": "no_language", "params": {
                                    "role": "primary", "languages": ["ja"]}, "text": "no lawyer ... speaks ja"})))
    # statuses the lawyer's and the coordinator's lists show: a pending and a decided request, an absence
    make.duty_request(lawyer=world.own)
    make.duty_request(lawyer=world.own, status="rejected", day=period.starts_on)
    make.unavailability(lawyer=world.own, status="requested", reason="出庭")
    make._add(Job(kind="booking_allocate", status="failed", params_json="{}", error="ValueError: x"))
    return {"period": period, "plan": plan, "replan": f"/duty/periods/{period.id}/replan/{replan_job.id}"}


def test_every_page_in_chinese_shows_no_english_and_no_codes(app, populated, world, engine_results, make):
    phrases, codes = _english_phrases(), _codes()
    assert len(phrases) > 300 and "roster_replan" in codes
    code_pattern = re.compile(r"(?<![\w/.@-])(" + "|".join(sorted(map(re.escape, codes), key=len, reverse=True))
                              + r")(?![\w/.@-])")
    clients = {"anonymous": app.test_client()}
    for username in ("coordinator", "seat", world.lawyer_user.username, world.liaison.username, "jz.bureau", "wang.tiaojie"):
        clients[username] = app.test_client()
        assert login(clients[username], username).status_code == 302
    for client in clients.values():
        client.post("/language/zh_Hans")
    urls = [url_of(rule) for rule in app.url_map.iter_rules()
            if "GET" in rule.methods and rule.endpoint != "static"]
    urls += [f"/jobs/{job_id}" for job_id in make.session.scalars(select(Job.id))]
    urls += [f"/admin/{kind}{page}" for kind in ("firms", "lawyers", "projects", "liaisons")
             for page in ("", "/new", "/import", "/1")]
    urls += [f"/ftz/plans/{engine_results['plan'].id}", f"/duty/periods/{engine_results['period'].id}",
             engine_results["replan"]]
    make.session.close()
    found, pages, seen = [], 0, {}
    for who, client in clients.items():
        for url in urls:
            response = client.get(url, headers={"Accept-Language": "zh-CN"})
            if response.status_code != 200 or "text/html" not in response.content_type:
                continue
            pages += 1
            text = visible_text(response.get_data(as_text=True))
            seen[who, url] = text
            for phrase in phrases:
                if phrase in text and phrase not in SAME_IN_BOTH:
                    found.append((who, url, "english", phrase))
            for match in code_pattern.finditer(text):
                found.append((who, url, "code", match.group(1), text[max(match.start() - 40, 0):match.end() + 40]))
    assert not found, "\n".join(map(repr, found[:80]))
    assert pages > 50
    # the engines' sentences were on those pages, in Chinese
    name, period = world.own.name, engine_results["period"].id
    assert f"{name}最多连续值班5天" in seen["coordinator", f"/duty/periods/{period}"]
    assert "至少需要2人" in seen["coordinator", f"/duty/periods/{period}"]
    assert "空缺席位" in seen["coordinator", f"/duty/periods/{period}"]
    assert "能担任主办律师的律师中没有人会说日语" in seen["coordinator", f"/ftz/plans/{engine_results['plan'].id}"]
    assert f"{name} " in seen["coordinator", engine_results["replan"]] and "→ 休息" in seen["coordinator",
                                                                                         engine_results["replan"]]
    assert any("任务因意外错误而中止" in text for (who, url), text in seen.items() if url.startswith("/jobs/"))
    # the ledger entry's whole history, read by its bureau coordinator and by the mediator of its committee
    for who in ("jz.bureau", "wang.tiaojie"):
        entry = seen[who, "/disputes/1"]
        assert "已重新开启" in entry and "成功防范" in entry and "引导诉讼" in entry
