"""The engines' sentences said in the reader's language: every code the engines write has a Chinese sentence with
the department's names for lawyers, shifts, cities, firms, areas and languages, and an English one."""
from __future__ import annotations

import re
from datetime import date

import pytest

from hotline.engine_words import PENALTY_RULES, SENTENCES, Speaker, stored
from hotline.extensions import db
from hotline.models import LawFirm
from scheduling.common import Words

# One example of every code the engines write (parameters as the engines give them).
EXAMPLES = {
    "day_off": {"staff": "{lawyer}", "day": 1},
    "pinned": {"staff": "{lawyer}", "day": 1, "shift": "night"},
    "pinned_off": {"staff": "{lawyer}", "day": 1},
    "max_shifts": {"staff": "{lawyer}", "count": 4, "shift": "night"},
    "min_minutes": {"staff": "{lawyer}", "minutes": 2400},
    "max_minutes": {"staff": "{lawyer}", "minutes": 9600},
    "max_consecutive": {"staff": "{lawyer}", "count": 5},
    "min_consecutive": {"staff": "{lawyer}", "count": 2},
    "min_days_off": {"staff": "{lawyer}", "count": 2},
    "max_weekends": {"staff": "{lawyer}", "count": 2},
    "no_succession": {"before": "night", "after": ["night"]},
    "hard_minimum": {"day": 3, "shift": "night", "city": "{city}", "language": "ko", "area": "labour", "count": 2},
    "seat_skill": {"staff": "{lawyer}", "need": "ko", "date": "2026-12-07"},
    "two_duties": {"staff": "{lawyer}", "date": "2026-12-07"},
    "no_answer": {},
    "on_request": {"staff": "{lawyer}", "shift": "night", "day": 2, "cost": 30},
    "off_request": {"staff": "{lawyer}", "shift": "night", "day": 2, "cost": 30},
    "duty_spread": {"group": "{city}", "most": "{lawyer}", "most_count": 9, "least": "{lawyer}", "least_count": 3,
                    "cost": 60},
    "unpopular_spread": {"group": "", "most": "{lawyer}", "most_count": 4, "least": "{lawyer}", "least_count": 1,
                         "cost": 30},
    "seat_short": {"day": 0, "shift": "night", "city": None, "language": None, "area": None, "first": 2, "last": 3,
                   "cost": 200},
    "seat_over": {"day": 0, "shift": "night", "city": None, "language": None, "area": "labour", "count": 1,
                  "cost": 5},
    "changed_duty": {"staff": "{lawyer}", "day": 4, "before": "night", "after": "", "cost": 50},
    "no_area_cover": {"areas": ["ip", "finance"]},
    "no_main_area": {"area": "ip"},
    "no_language": {"role": "primary", "languages": ["ja"]},
    "conflict": {"role": "backup"},
    "no_hours": {"role": "backup", "hours": 7.5},
    "one_firm": {"firms": ["{firm}"]},
    "no_room": {},
    "dispatch_no_jurisdiction": {},
    "dispatch_no_type": {"type": "medical"},
    "dispatch_no_senior": {"risk": "red"},
    "dispatch_no_language": {"language": "ko"},
    "dispatch_excluded": {},
    "dispatch_full": {},
    "dispatch_capacity": {},
}


@pytest.fixture
def ids(make):
    lawyer = make.lawyer(name="王律师")
    make.shift_type(code="night", name_en="Night", name_zh="夜班")
    make.update(LawFirm, lawyer.firm_id, name="辽宁诚信律师事务所")
    return {"{lawyer}": str(lawyer.id), "{city}": str(lawyer.city_id), "{firm}": lawyer.firm_id}


def _params(template: dict, ids: dict) -> dict:
    def fill(value):
        if isinstance(value, list):
            return [fill(v) for v in value]
        return ids.get(value, value) if isinstance(value, str) else value
    return {key: fill(value) for key, value in template.items()}


def test_every_code_the_engines_write_has_an_example():
    assert set(SENTENCES) | {"seat_short", "seat_over", "changed_duty"} == set(EXAMPLES)


@pytest.mark.parametrize("language", ["zh-CN", "en"])
def test_every_code_is_said_in_the_readers_language(app, ids, language):
    with app.test_request_context(headers={"Accept-Language": language}):
        speaker = Speaker(db.session, start=date(2026, 12, 7))
        for code, template in EXAMPLES.items():
            text = speaker({"code": code, "params": _params(template, ids), "text": "ENGLISH FALLBACK"})
            assert text and "ENGLISH FALLBACK" not in text and "%(" not in text, code
            assert code not in text or ("_" not in code and language == "en"), code
            if language == "zh-CN":
                # no English word is left: only names, numbers and punctuation besides Chinese
                assert not re.search(r"[A-Za-z]{2,}", text), (code, text)
                if "staff" in template:
                    assert "王律师" in text, (code, text)
        said = speaker({"code": "hard_minimum", "params": _params(EXAMPLES["hard_minimum"], ids), "text": ""})
        if language == "zh-CN":
            assert "2026-12-10" in said and "夜班" in said and "韩语" in said and "至少需要2人" in said
            assert speaker({"code": "changed_duty", "params": _params(EXAMPLES["changed_duty"], ids)}).endswith(
                "夜班 → 休息：50")
            assert str(PENALTY_RULES["seat short"]) == "空缺席位"
            assert speaker(Words("x", "dispatch_no_senior", risk="red").as_dict()).startswith("红色等级纠纷")
            assert "韩语" in speaker(Words("x", "dispatch_no_language", language="ko").as_dict())
        else:
            assert said.startswith("2026-12-10") and "Night" in said and "needs at least 2" in said


def test_plain_text_and_unknown_codes_are_shown_as_stored(app, ids):
    """A result stored before the codes (plain text) or a code this version does not know falls back to the text."""
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        speaker = Speaker(db.session)
        assert speaker("an older result") == "an older result"
        assert speaker({"code": "from_the_future", "params": {}, "text": "stored words"}) == "stored words"
        assert speaker({"code": "day_off", "params": {}, "text": "stored words"}) == "stored words"
        assert speaker({"code": "day_off", "params": {"staff": ids["{lawyer}"], "day": 2}}) == "王律师在第2天休息"


def test_stored_keeps_the_code_and_the_text():
    words = Words("A is off on Monday", "day_off", staff="A", day=0)
    assert stored(words) == {"code": "day_off", "params": {"staff": "A", "day": 0}, "text": "A is off on Monday"}
    assert stored("plain") == "plain"
