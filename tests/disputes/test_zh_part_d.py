"""The dispatch, deadline-board, zero-report and job pages with a ledger behind them, read in Chinese: no phrase
the catalogue translates shows in English and no stored code shows where a word belongs."""
from __future__ import annotations

import re
from datetime import timedelta

from hotline.models import ZeroReport
from hotline.models.types import utcnow
from hotline.services import disputes, zero_reports
from tests.disputes.world import entry, ledger, ledger_session as session, signed_in  # noqa: F401  (fixtures)
from tests.web.test_zh_everywhere import SAME_IN_BOTH, _codes, _english_phrases, visible_text


def test_part_d_pages_in_chinese_show_no_english_and_no_codes(app, make, ledger, session):
    now = utcnow()
    entry(session, ledger["x_village"], level="red", at=now - timedelta(hours=30))
    entry(session, ledger["x_village"], language="ko", at=now - timedelta(hours=2))
    changed = entry(session, ledger["x_village"], at=now - timedelta(hours=1))
    late = entry(session, ledger["x_village"], state="registered", at=now - timedelta(days=3))
    disputes.act(session, entry(session, ledger["x_village"], level="orange", at=now - timedelta(hours=5)),
                 "risk_open", kind="civil_to_criminal", people=3, now=now - timedelta(hours=4))
    session.commit()
    client = signed_in(app, ledger["bureau_x"], "zh_Hans")
    job = client.post("/disputes/dispatch/run", data={"time_limit": "600"}).location.rsplit("/", 1)[1]
    disputes.act(session, changed, "withdraw", reason="双方自行和解", now=now)
    session.commit()
    client.post(f"/disputes/dispatch/plans/{job}/publish")
    month = (zero_reports.this_month(now) - timedelta(days=1)).replace(day=1)
    make._add(ZeroReport(org_unit_id=ledger["x_town2"].id, month=month, filed_at=now))
    township = signed_in(app, ledger["bureau_x_town"], "zh_Hans")
    pages = {
        "dispatch": client.get("/disputes/dispatch"),
        "job": client.get(f"/jobs/{job}"),
        "plan": client.get(f"/disputes/dispatch/plans/{job}"),
        "board": client.get("/disputes/deadlines"),
        "zero": client.get(f"/disputes/zero-reports?month={month:%Y-%m}"),
        "township": township.get(f"/disputes/zero-reports?month={month:%Y-%m}"),
        "refused": township.post("/disputes/zero-reports", data={"month": "2100-01"}),
    }
    assert late.number in pages["board"].get_data(as_text=True)
    phrases, codes = _english_phrases(), _codes()
    code_pattern = re.compile(r"(?<![\w/.@-])(" + "|".join(sorted(map(re.escape, codes), key=len, reverse=True))
                              + r")(?![\w/.@-])")
    found = []
    for name, response in pages.items():
        assert response.status_code in (200, 400), name
        text = visible_text(response.get_data(as_text=True))
        found += [(name, "english", p) for p in phrases if p in text and p not in SAME_IN_BOTH]
        found += [(name, "code", m.group(1)) for m in code_pattern.finditer(text)]
    assert not found, found
    assert "已超期" in visible_text(pages["board"].get_data(as_text=True))
    assert "方案生成后该纠纷已有新的处理记录" in visible_text(pages["plan"].get_data(as_text=True))
