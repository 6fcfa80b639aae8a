"""The figures come from the records: the demo province's report equals a direct count, and every page and
export shows the same numbers."""
from __future__ import annotations

import re

import io
import math
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from hotline.extensions import db
from hotline.models import City, Contact, Dispute, FollowUp, RiskFlag, ServiceRecord
from hotline.models.types import PROVINCE_TZ, utcnow
from hotline.services import statistics
from hotline.stats.report import Report
from tests.conftest import login


def _local_day(moment: datetime) -> date:
    return moment.astimezone(PROVINCE_TZ).date()


def test_the_demo_province_report_matches_a_direct_count_of_the_records(app, runner, make):
    assert runner.invoke(args=["demo", "--no-plans", "--no-ledger"]).exit_code == 0
    today = utcnow().astimezone(PROVINCE_TZ).date()
    first, last = today - timedelta(days=365), today
    city = make.scalar(select(City).where(City.code == "dalian"))
    for city_id in (None, city.id):
        filters = statistics.Filters(first, last, city_id=city_id)
        with app.app_context():
            found = statistics.figures(db.session, filters)
            report = Report(filters, found, db.session.get(City, city_id) if city_id else None)
            sentence = report.sentence_en()
        contacts = [c for c in make.scalars(select(Contact)) if first <= _local_day(c.received_at) <= last
                    and (city_id is None or c.city_id == city_id)]
        ids = {c.id for c in contacts}
        assert found.contacts == len(contacts) > 0
        assert sum(count for _day, count in found.per_day) == found.contacts
        assert [day for day, _count in found.per_day] == filters.days()
        assert found.answered == sum(1 for c in contacts if c.channel == "phone" and c.answered_at is not None)
        assert found.disputes == sum(1 for c in contacts if c.is_dispute) > 0
        assert found.mediated == sum(1 for c in contacts if c.dispute_outcome in ("success", "failed"))
        assert found.mediated_successfully == sum(1 for c in contacts if c.dispute_outcome == "success")
        flags = [f for f in make.scalars(select(RiskFlag)) if f.contact_id in ids and f.prevented]
        for kind in statistics.PREVENTED_TYPES:
            assert found.prevented[kind] == sum(1 for f in flags if f.flag == kind)
        waits = sorted(c.wait_seconds for c in contacts if c.answered_at is not None and c.wait_seconds is not None)
        assert found.p90_wait == waits[math.ceil(0.9 * len(waits)) - 1]  # nearest rank
        assert found.average_wait == pytest.approx(sum(waits) / len(waits))
        services = [s for s in make.scalars(select(ServiceRecord)) if first <= _local_day(s.started_at) <= last
                    and (city_id is None or s.city_id == city_id)]
        assert sum(found.services.values()) == len(services) > 0
        scores = {f.service_record_id: f.score for f in make.scalars(select(FollowUp))
                  if f.status in ("answered", "called_back") and f.score is not None}
        rated = [scores[s.id] for s in services if s.id in scores]
        assert found.ratings == len(rated)
        assert (found.satisfaction is None) == (not rated)
        assert f"{found.contacts:,} contacts received and {found.answered:,} calls answered" in sentence


def test_approximately_follows_the_departments_style():
    assert statistics.approximately(26412) == "26,000+"
    assert statistics.approximately(9999) == "9,999"
    assert statistics.approximately_zh(26412) == "2.6万余" and statistics.approximately_zh(20000) == "2万"
    assert statistics.approximately_zh(20412) == "2万余" and statistics.approximately_zh(9999) == "9999"
    assert statistics.approximately_zh(125958) == "12.5万余"
    assert statistics.quarter_of(date(2026, 11, 27)) == (date(2026, 10, 1), date(2026, 12, 31))


@pytest.fixture
def small_province(make):
    """Three contacts and two services in Dalian this week, one contact in Shenyang."""
    dalian = make.city(code="dalian", name_en="Dalian", name_zh="大连")
    shenyang = make.city(code="shenyang", name_en="Shenyang", name_zh="沈阳")
    now = utcnow()
    answered = make.contact(city_id=dalian.id, channel="phone", received_at=now - timedelta(hours=3),
                            answered_at=now - timedelta(hours=3), wait_seconds=12, is_dispute=True,
                            dispute_outcome="success")
    make.risk_flag(contact=answered, flag="group_petition", prevented=True)
    make.contact(city_id=dalian.id, channel="phone", received_at=now - timedelta(hours=2), is_dispute=True,
                 dispute_outcome="failed")
    make.contact(city_id=dalian.id, channel="web", received_at=now - timedelta(hours=1))
    make.contact(city_id=shenyang.id, channel="phone", received_at=now - timedelta(hours=1))
    record = make.service(now=now, kind="hotline", city_id=dalian.id, started_at=now - timedelta(hours=3),
                          contact_id=answered.id)
    make.follow_up(service_record_id=record.id, status="answered", score=4)
    _ledger_entries(make, dalian, shenyang, now)
    return {"dalian": dalian, "shenyang": shenyang}


def _ledger_entries(make, dalian, shenyang, now):
    """The ledger: two Dalian entries an hour ago, one mediated successfully after a prevented domestic-violence
    risk; one Shenyang entry."""
    from hotline.models import DisputeEvent
    from hotline.services.disputes import TRANSITIONS, event_columns

    def entry(city, steps):
        steps = [("register", {"source": "screening", "risk_level": "blue"})] + steps
        states = ["registered"]
        for action, _data in steps[1:]:
            states.append(TRANSITIONS[action][1] or states[-1])
        unit = make.org_unit("county", city=city)
        dispute = make._add(Dispute(number=f"纠-{make.n()}", source="screening", found_at=now, org_unit_id=unit.id,
                                    city_id=city.id, dispute_type="family", summary="x", state=states[-1],
                                    created_at=now - timedelta(minutes=59),
                                    last_event_at=now - timedelta(minutes=60 - len(steps))))
        for seq, ((action, data), before, after) in enumerate(zip(steps, [None] + states, states), 1):
            at = now - timedelta(minutes=60 - seq)
            make._add(DisputeEvent(dispute_id=dispute.id, seq=seq, action=action, from_state=before, to_state=after,
                                   at=at, data=data, **event_columns(action, at, data)))

    entry(dalian, [("risk_close", {"kind": "domestic_violence", "prevented": True, "people": 3}),
                   ("succeed", {"agreement_form": "oral", "terms": "x", "performance_date": None})])
    entry(dalian, [("fail", {"guidance": "x"})])
    entry(shenyang, [])


def _window() -> tuple[str, str]:
    """First and last day of the small province's records: up to three hours old, so they may start yesterday."""
    now = utcnow().astimezone(PROVINCE_TZ)
    return (now - timedelta(hours=4)).date().isoformat(), now.date().isoformat()


def _admin(app, make):
    client = app.test_client()
    assert login(client, make.user("admin", locale="en").username).status_code == 302
    return client


def test_the_dashboard_filters_by_city_and_links_each_figure_to_its_records(app, make, small_province):
    client = _admin(app, make)
    page = client.get("/stats/").get_data(as_text=True)
    assert "Contacts received" in page
    first, last = _window()
    args = f"first={first}&last={last}&city_id={small_province['dalian'].id}"
    dalian = client.get(f"/stats/?{args}")
    assert dalian.status_code == 200
    with app.app_context():
        found = statistics.figures(db.session, statistics.Filters(date.fromisoformat(first), date.fromisoformat(last),
                                                                  city_id=small_province["dalian"].id))
    assert (found.contacts, found.disputes, found.mediated, found.mediated_successfully) == (3, 2, 2, 1)
    assert found.prevented["group_petition"] == 1 and found.satisfaction == 4.0
    records = client.get(f"/stats/records/disputes?{args}").get_data(as_text=True)
    assert "2 records" in records
    assert client.get(f"/stats/records/astrology?{args}").status_code == 404
    assert client.get("/stats/?first=2026-13-01&last=2026-01-01").status_code == 400
    assert client.get("/stats/?first=2026-05-01&last=2026-01-01").status_code == 400
    assert client.get("/stats/?first=2024-01-01&last=2026-01-01").status_code == 400
    assert client.get(f"/stats/?first={first}&last={last}&city_id=abc").status_code == 400
    assert client.get(f"/stats/?first={first}&last={last}&legal_area=astrology").status_code == 400


def test_exports_carry_the_figures_shown(app, make, small_province):
    from openpyxl import load_workbook

    client = _admin(app, make)
    first, last = _window()
    args = f"first={first}&last={last}&city_id={small_province['dalian'].id}"
    csv_text = client.get(f"/stats/export.csv?{args}").get_data(as_text=True)
    assert csv_text.startswith("\ufeffSection,Item,Value")
    assert "Dispute ledger,Disputes found,2" in csv_text and "Dispute ledger,Mediated successfully,1" in csv_text
    assert "Dispute ledger,Success rate (%),50.0" in csv_text
    workbook = load_workbook(io.BytesIO(client.get(f"/stats/export.xlsx?{args}").data))
    values = {(row[0], row[1]): row[2] for row in workbook.active.iter_rows(values_only=True)}
    assert values[("Dispute ledger", "Disputes mediated")] == 2 and values[("Contacts", "Contacts received")] == 3
    assert values[("Dispute ledger", "Prevented: domestic violence incidents (people)")] == 3
    assert client.get("/stats/export.csv?first=x").status_code == 400


def test_the_report_reads_as_the_department_writes_it_in_both_languages_and_as_pdf(app, make, small_province):
    client = _admin(app, make)
    first, last = _window()
    args = f"first={first}&last={last}&city_id={small_province['dalian'].id}"
    page = client.get(f"/stats/report?{args}").get_data(as_text=True)
    assert ("大连排查出各类矛盾纠纷2件，调解纠纷2件，调解成功1件，调解成功率50%。有效防止民间纠纷引发的自杀0起，"
            "防止“民转刑”案件0件，防止群体性上访0件，防止群体性械斗0件，防止家庭暴力事件1件。") in page
    assert ("Dalian: 2 disputes of every kind found by screening, 2 mediated and 1 mediated successfully, a success "
            "rate of 50%. Effectively prevented 0 suicides arising from civil disputes, 0 civil disputes turning "
            "criminal, 0 group petitions, 0 group fights and 1 domestic violence incident.") in page
    assert "/stats/records/contacts?" in page and re.search(r'data-figure="succeeded">(<a [^>]*>)?1<', page)
    pdf = client.get(f"/stats/report.pdf?{args}")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF") and pdf.mimetype == "application/pdf"


def test_the_lawyer_filter_is_a_search_that_tells_namesakes_apart(as_role, make):
    """No 420-entry list: a licence number or a unique name finds the lawyer (the suggestions read "name (licence)"
    and are accepted as typed); a shared name asks for the licence number; an unknown one says so; both with 400."""
    first = make.lawyer(name="王伟", licence_no="21010200001")
    make.lawyer(name="王伟", licence_no="21020200002")
    only = make.lawyer(name="赵敏", licence_no="21030200003")
    admin = as_role("admin")
    period = "first=2026-10-01&last=2026-12-31"
    page = admin.get(f"/stats/?{period}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<datalist id="lawyer-names">' in page and "王伟 (21010200001)" in page and "<select" not in \
        page.split('name="lawyer"')[0].rsplit("<label", 1)[-1]
    for typed in ("21010200001", "王伟 (21010200001)"):
        found = admin.get(f"/stats/?{period}&lawyer={typed}", headers={"Accept-Language": "en"})
        assert found.status_code == 200 and f"lawyer_id={first.id}" in found.get_data(as_text=True)
    assert f"lawyer_id={only.id}" in admin.get(f"/stats/?{period}&lawyer=赵敏").get_data(as_text=True)
    namesakes = admin.get(f"/stats/?{period}&lawyer=王伟", headers={"Accept-Language": "en"})
    assert namesakes.status_code == 400 and "licence number" in namesakes.get_data(as_text=True)
    unknown = admin.get(f"/stats/?{period}&lawyer=nobody", headers={"Accept-Language": "en"})
    assert unknown.status_code == 400 and "No lawyer has this name" in unknown.get_data(as_text=True)
    linked = admin.get(f"/stats/records/contacts?{period}&lawyer_id={first.id}", headers={"Accept-Language": "en"})
    assert linked.status_code == 200 and "王伟 (21010200001)" in linked.get_data(as_text=True)


def test_the_daily_chart_stops_at_today(as_role, make):
    """The current quarter's chart has a point for each day up to today, none for the days still to come."""
    import json

    today = utcnow().astimezone(PROVINCE_TZ).date()
    first, last = statistics.quarter_of(today)
    page = as_role("admin").get(f"/stats/?first={first}&last={last}").get_data(as_text=True)
    charts = json.loads(page.split('<script type="application/json" id="chart-data">')[1].split("</script>")[0])
    labels = charts["per_day"]["labels"]
    assert len(labels) == (today - first).days + 1 and labels[-1] == today.strftime("%m-%d")


def test_prevented_domestic_violence_is_counted_and_shown(app, make, small_province):
    """A domestic-violence flag the hotline closed as prevented counts on the dashboard among the hotline's."""
    contact = make.scalars(select(Contact))[0]
    make.risk_flag(contact=contact, flag="domestic_violence", prevented=True)
    client = _admin(app, make)
    first, last = _window()
    dashboard = client.get(f"/stats/?first={first}&last={last}").get_data(as_text=True)
    assert "prevented%3Adomestic_violence" in dashboard or "prevented:domestic_violence" in dashboard


def test_the_chinese_sentence_writes_large_totals_as_the_department_does(app):
    """Above ten thousand a total reads 2.6万余件; other counts are exact, without thousands separators."""
    from datetime import date as day

    from hotline.services.dispute_figures import LedgerFigures
    from hotline.stats.report import Report

    found = statistics.Figures(contacts=26412, answered=12345)
    ledger = LedgerFigures(day(2026, 10, 1), day(2026, 12, 31), "province", {
        "found": 26001, "mediated": 25958, "succeeded": 25779, "prevented:suicide": 3,
        "prevented:civil_to_criminal": 42, "prevented:group_petition": 98, "prevented:group_fight": 6})
    report = Report(statistics.Filters(day(2026, 10, 1), day(2026, 12, 31)), found, None, ledger=ledger)
    sentence = report.sentence_zh()
    assert "受理来电来访2.6万余件" in sentence and "接听电话12345个" in sentence
    assert report.ledger_zh() == (
        "2026-10-01 – 2026-12-31，全省排查出各类矛盾纠纷2.6万余件，调解纠纷25958件，调解成功25779件，调解成功率99%。"
        "有效防止民间纠纷引发的自杀3起，防止“民转刑”案件42件，防止群体性上访98件，防止群体性械斗6件。")
    assert report.ledger_en() == (
        "2026-10-01 – 2026-12-31, the province: 26,000+ disputes of every kind found by screening, 25,958 mediated "
        "and 25,779 mediated successfully, a success rate of 99%. Effectively prevented 3 suicides arising from "
        "civil disputes, 42 civil disputes turning criminal, 98 group petitions and 6 group fights.")
