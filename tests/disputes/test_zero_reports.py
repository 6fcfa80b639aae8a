"""Monthly zero reports: a township with nothing to report files one, once; the county and the city see who filed,
who had entries and who did neither."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from hotline.disputes.scope import Scope
from hotline.models import ZeroReport
from hotline.models.types import utcnow
from hotline.services import zero_reports
from hotline.services.zero_reports import ZeroRefused
from tests.disputes.world import entry, ledger, ledger_session as session, signed_in  # noqa: F401  (fixtures)
from tests.factories import NOW  # 2026-11-27 10:00 in Beijing

OCTOBER, NOVEMBER, DECEMBER = date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)


def _refused(code, *args, **kwargs):
    with pytest.raises(ZeroRefused) as refused:
        zero_reports.file(*args, **kwargs)
    assert refused.value.code == code
    return refused.value


def _count(make):
    return make.scalar(select(func.count()).select_from(ZeroReport))


def test_a_township_with_nothing_to_report_files_once(make, ledger, session):
    """The second filing is refused by the unique constraint (there is no look first that two filings at once
    could both pass)."""
    report = zero_reports.file(session, ledger["x_town"], OCTOBER, ledger["bureau_x_town"], NOW, "  all quiet ")
    session.commit()
    assert (report.org_unit_id, report.month, report.note) == (ledger["x_town"].id, OCTOBER, "all quiet")
    _refused("already_filed", session, ledger["x_town"], OCTOBER, ledger["bureau_x_town"], NOW)
    session.rollback()
    assert _count(make) == 1


def test_a_township_with_entries_that_month_has_something_to_report(make, ledger, session):
    entry(session, ledger["x_village"], at=datetime(2026, 10, 12, tzinfo=timezone.utc))
    refused = _refused("has_entries", session, ledger["x_town"], OCTOBER, None, NOW)
    assert refused.params == {"count": 1}
    zero_reports.file(session, ledger["x_town2"], OCTOBER, None, NOW)  # the other township had none
    session.commit()
    assert _count(make) == 1


def test_the_month_is_counted_in_beijing_time(ledger, session):
    # 16:30 UTC on 31 October is 00:30 on 1 November in Beijing: a November entry, not an October one
    entry(session, ledger["x_village"], at=datetime(2026, 10, 31, 16, 30, tzinfo=timezone.utc))
    _refused("has_entries", session, ledger["x_town"], NOVEMBER, None, NOW)
    zero_reports.file(session, ledger["x_town"], OCTOBER, None, NOW)


def test_only_a_township_past_or_present_month_may_be_reported(ledger, session):
    _refused("future_month", session, ledger["x_town"], DECEMBER, None, NOW)
    _refused("not_township", session, ledger["x"], OCTOBER, None, NOW)
    _refused("not_township", session, None, OCTOBER, None, NOW)
    _refused("bad_month", session, ledger["x_town"], None, None, NOW)
    _refused("note_too_long", session, ledger["x_town"], OCTOBER, None, NOW, "x" * 1001)
    zero_reports.file(session, ledger["x_town"], NOVEMBER, None, NOW)  # the month under way may be reported


def test_parse_month_takes_only_a_real_month():
    assert zero_reports.parse_month("2026-10") == OCTOBER
    assert [zero_reports.parse_month(text) for text in ("2026-13", "2026-1", "26-10", "", None, "2026-10-01")] == \
        [None] * 6


def test_the_overview_says_who_filed_who_registered_and_who_did_neither(ledger, session):
    zero_reports.file(session, ledger["x_town"], OCTOBER, None, NOW)
    session.commit()
    entry(session, ledger["x_town2"], at=datetime(2026, 10, 5, tzinfo=timezone.utc))
    city = zero_reports.overview(session, Scope(city_id=ledger["city"].id), OCTOBER)
    status = {row.township.id: row.status for row in city.rows}
    assert status == {ledger["x_town"].id: "filed", ledger["x_town2"].id: "registered", ledger["y_town"].id: "missing"}
    assert city.counts() == {"filed": 1, "registered": 1, "missing": 1, "contradicted": 0}
    county_y = zero_reports.overview(session, Scope(city_id=ledger["city"].id, path=ledger["y"].path), OCTOBER)
    assert [row.township.id for row in county_y.rows] == [ledger["y_town"].id]
    province = zero_reports.overview(session, Scope(), OCTOBER)
    assert len(province.rows) == 4 and province.counts()["missing"] == 2  # Y1 and Z1


def test_an_entry_of_the_month_registered_after_the_zero_report_contradicts_it(ledger, session):
    zero_reports.file(session, ledger["x_town"], OCTOBER, None, NOW)
    session.commit()
    found_in_october = datetime(2026, 10, 30, tzinfo=timezone.utc)
    entry(session, ledger["x_village"], at=found_in_october)
    [row] = [r for r in zero_reports.overview(session, Scope(city_id=ledger["city"].id, path=ledger["x"].path), OCTOBER).rows
             if r.township.id == ledger["x_town"].id]
    assert (row.status, row.entries) == ("contradicted", 1)


def _last_month() -> date:
    this = zero_reports.this_month(utcnow())
    return (this - timedelta(days=1)).replace(day=1)


def test_a_township_coordinator_files_on_the_page_and_a_second_filing_is_a_409(app, make, ledger):
    month = _last_month()
    client = signed_in(app, ledger["bureau_x_town"])
    page = client.get(f"/disputes/zero-reports?month={month:%Y-%m}").get_data(as_text=True)
    assert 'data-testid="file-form"' in page
    filed = client.post("/disputes/zero-reports", data={"month": f"{month:%Y-%m}", "note": "无矛盾纠纷"})
    assert filed.status_code == 302
    assert make.scalar(select(ZeroReport.note)) == "无矛盾纠纷"
    again = client.post("/disputes/zero-reports", data={"month": f"{month:%Y-%m}"})
    assert again.status_code == 409 and "already filed" in again.get_data(as_text=True)
    assert _count(make) == 1


def test_the_page_refuses_what_cannot_be_filed(app, make, ledger, session):
    month = _last_month()
    township = signed_in(app, ledger["bureau_x_town"])
    after_next = (zero_reports.this_month(utcnow()) + timedelta(days=40)).replace(day=1)
    assert township.post("/disputes/zero-reports", data={"month": f"{after_next:%Y-%m}"}).status_code == 400
    assert township.post("/disputes/zero-reports", data={"month": "October"}).status_code == 400
    entry(session, ledger["x_village"], at=datetime.combine(month + timedelta(days=3), datetime.min.time(),
                                                             timezone.utc))
    has = township.post("/disputes/zero-reports", data={"month": f"{month:%Y-%m}"})
    assert has.status_code == 409 and "something to report" in has.get_data(as_text=True)
    county = signed_in(app, ledger["bureau_x"])
    assert county.post("/disputes/zero-reports", data={"month": f"{month:%Y-%m}"}).status_code == 400
    assert township.get("/disputes/zero-reports?month=2026-13").status_code == 400
    assert _count(make) == 0


def test_the_city_sees_who_has_not_filed_and_a_county_only_its_townships(app, make, ledger):
    month = _last_month()
    make._add(ZeroReport(org_unit_id=ledger["x_town"].id, month=month, filed_at=utcnow()))
    city = signed_in(app, ledger["city_admin"]).get(f"/disputes/zero-reports?month={month:%Y-%m}")
    missing = city.get_data(as_text=True).split('data-testid="missing"')[1].split("</section>")[0]
    assert "Town X2" in missing and "Town Y1" in missing and "Town X1" not in missing and "Town Z1" not in missing
    county_y = signed_in(app, ledger["bureau_y"]).get(f"/disputes/zero-reports?month={month:%Y-%m}")
    text = county_y.get_data(as_text=True)
    assert "Town Y1" in text and "Town X1" not in text and "Town X2" not in text


def test_the_page_in_chinese_says_statuses_in_words(app, make, ledger):
    month = _last_month()
    make._add(ZeroReport(org_unit_id=ledger["x_town"].id, month=month, filed_at=utcnow()))
    page = signed_in(app, ledger["bureau_x"], "zh_Hans").get(f"/disputes/zero-reports?month={month:%Y-%m}")
    text = page.get_data(as_text=True)
    assert "已零报告" in text and "未报告" in text and ">missing<" not in text
