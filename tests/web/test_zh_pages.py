"""Pages in Chinese show words, not codes or English: job titles and statuses, outbox kinds and statuses, and the
words the outside review found mistranslated."""
from __future__ import annotations

import re

from hotline.models import Job, OutboxMessage

ZH = {"Accept-Language": "zh-CN"}


def _text(html: str) -> str:
    """The page's visible text, roughly: tags, scripts and attribute values dropped."""
    html = re.sub(r"<(script|style|template)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


def test_job_pages_name_the_job_and_its_status_in_chinese(as_role, make):
    """A re-plan is titled as one (not "matching"), and its status is a word."""
    job = make._add(Job(kind="roster_replan", status="failed", params_json="{}", error=""))
    text = _text(as_role("admin").get(f"/jobs/{job.id}", headers=ZH).get_data(as_text=True))
    assert "重新排班中" in text and "匹配中" not in text and "失败" in text
    assert "failed" not in text and "roster_replan" not in text


def test_the_outbox_shows_kinds_and_statuses_as_words(as_role, make):
    """Purposes and statuses of outgoing messages read as Chinese words; the recipient column is not "截止日期"."""
    make._add(OutboxMessage(kind="sms", to_number="+8613800138000", body="x", purpose="duty_published", status="held"))
    text = _text(as_role("admin").get("/admin/outbox/", headers=ZH).get_data(as_text=True))
    assert "排班表发布" in text and "暂存" in text and "收件人" in text and "截止日期" not in text
    assert "duty_published" not in text and " held " not in text


def test_period_and_holiday_names_are_not_a_persons_name(as_role, make):
    """"Name" of a period or a holiday is 名称, not 姓名 (a person's name); counsel requests are not duty requests."""
    admin = as_role("admin")
    assert "周期名称" in _text(admin.get("/duty/periods", headers=ZH).get_data(as_text=True))
    holidays = _text(admin.get("/duty/holidays", headers=ZH).get_data(as_text=True))
    assert "节假日" in holidays and "姓名" not in holidays


def test_a_failed_jobs_page_says_why_in_words_and_keeps_the_detail_folded(as_role, make):
    """The exception text of a failed job is no sentence for a coordinator: the page says what to do in Chinese,
    the stored text waits under "技术细节" for the administrator; known endings are said in words."""
    admin = as_role("admin")
    failed = make._add(Job(kind="match_solve", status="failed", params_json="{}",
                           error="OverflowError: date value out of range"))
    page = admin.get(f"/jobs/{failed.id}", headers=ZH).get_data(as_text=True)
    shown = _text(re.sub(r"<details\b.*?</details>", " ", page, flags=re.S))
    assert "任务因意外错误而中止" in shown and "OverflowError" not in shown
    assert "技术细节" in page and "OverflowError: date value out of range" in page
    cancelled = make._add(Job(kind="roster_solve", status="cancelled", params_json="{}",
                              error="cancelled by a coordinator"))
    text = _text(admin.get(f"/jobs/{cancelled.id}", headers=ZH).get_data(as_text=True))
    assert "已由协调员取消" in text and "cancelled by" not in text and "技术细节" not in text
    state = admin.get(f"/jobs/{cancelled.id}.json", headers=ZH).get_json()
    assert state["error"] == "已由协调员取消。"
