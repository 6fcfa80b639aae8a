"""A coordinator filters the dashboard by city, exports CSV, and prints the periodic report."""
from __future__ import annotations

from datetime import timedelta

import pytest

from hotline.models.types import PROVINCE_TZ, utcnow
from tests.browser.conftest import go_to, sign_in
from tests.stats.test_statistics import _ledger_entries

pytestmark = pytest.mark.browser


def test_coordinator_filters_exports_and_prints(page, live_server, make):
    admin = make.user("admin", locale="en")
    dalian = make.city(code="dalian", name_en="Dalian", name_zh="大连")
    other = make.city(code="anshan", name_en="Anshan", name_zh="鞍山")
    now = utcnow()
    for hours in (1, 2, 3):
        contact = make.contact(city_id=dalian.id, channel="phone", received_at=now - timedelta(hours=hours),
                               answered_at=now - timedelta(hours=hours), wait_seconds=10 * hours, is_dispute=True,
                               dispute_outcome="success" if hours < 3 else "failed")
    make.risk_flag(contact=contact, flag="suicide", prevented=True)
    make.contact(city_id=other.id, channel="phone", received_at=now - timedelta(hours=1), is_dispute=True)
    _ledger_entries(make, dalian, other, now)  # two Dalian entries (one mediated successfully, one failed), one Anshan
    local = now.astimezone(PROVINCE_TZ)  # the contacts are up to three hours old, so they may start yesterday
    first, last = (local - timedelta(hours=4)).date().isoformat(), local.date().isoformat()

    sign_in(page, live_server, admin.username)
    go_to(page, "Statistics")
    page.fill("input[name=first]", first)
    page.fill("input[name=last]", last)
    page.select_option("select[name=city_id]", str(dalian.id))
    page.click("[data-testid=filters] button:has-text('Show')")
    page.wait_for_url("**city_id=*")
    table = page.inner_text("[data-testid=contact-table]")
    assert "Contacts received\t3" in table
    ledger = page.inner_text("[data-testid=ledger-figures] [data-testid=ledger-table]")
    assert "Disputes found\t2" in ledger and "Mediated successfully\t1" in ledger
    assert page.evaluate("document.querySelectorAll('canvas').length") == 4

    with page.expect_download() as download:
        page.click("[data-testid=export-csv]")
    with open(download.value.path(), encoding="utf-8-sig") as handle:
        content = handle.read()
    assert "Dispute ledger,Disputes found,2" in content and "Dispute ledger,Disputes mediated,2" in content

    page.click("[data-testid=report-link]")
    page.wait_for_selector("[data-testid=report]")
    english = page.inner_text("[data-testid=report-ledger-en]")
    assert "2 disputes of every kind found by screening, 2 mediated and 1 mediated successfully, a success rate " \
           "of 50%" in english
    assert "1 domestic violence incident" in english
    page.evaluate("window.__printed = false; window.print = () => { window.__printed = true; }")
    page.click("[data-testid=print]")
    assert page.evaluate("window.__printed") is True
    page.emulate_media(media="print")
    assert not page.is_visible("[data-testid=filters]") and page.is_visible("[data-testid=report-table]")
    page.click("[data-testid=report-table] a[data-figure=answered]")
    assert "3 records" in page.inner_text("[data-testid=record-count]")
