"""The operator console: recording, triage, actions, escalation, search, and the messages they send."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from hotline.models import Contact, ContactEvent, OutboxMessage, Referral, RiskFlag, ServiceRecord
from hotline.models.types import PROVINCE_TZ, utcnow
from tests.conftest import login
from tests.fakes import FakeTwilioHttp

EN = {"Accept-Language": "en"}
SID = "AC" + "0" * 32


@pytest.fixture
def fake():
    return FakeTwilioHttp()


@pytest.fixture
def staff(app_factory, make, fake):
    """An app with Twilio configured (fake HTTP), an operator and a supervisor with phones, signed-in clients."""
    app = app_factory(TWILIO_ACCOUNT_SID=SID, TWILIO_AUTH_TOKEN="t", TWILIO_FROM_NUMBER="+862412348")
    app.extensions["twilio_http_client"] = fake
    operator = make.user("operator", phone="+8613700000001")
    supervisor = make.user("operator", is_supervisor=True, phone="+8613700000002")
    clients = {}
    for key, user in (("operator", operator), ("supervisor", supervisor)):
        clients[key] = app.test_client()
        assert login(clients[key], user.username).status_code == 302
    return {"app": app, "operator_user": operator, "supervisor_user": supervisor, **clients}


def _sms_to(fake, number):
    return [r["data"]["Body"] for r in fake.requests if r["uri"].endswith("/Messages.json") and r["data"]["To"] == number]


def test_walk_in_with_suicide_risk_escalates_and_texts_supervisors(staff, make, fake):
    """A hand-recorded contact flagged for suicide risk is escalated, due in an hour, and every supervisor is texted."""
    response = staff["operator"].post("/contacts/new", data={
        "channel": "walk_in", "caller_phone": "138 0013 8000", "caller_name": "张三", "language": "zh", "city_id": "",
        "legal_area": "marriage_family", "urgency": "high", "risk_flags": ["suicide"], "summary": "离婚纠纷，情绪激动"})
    assert response.status_code == 302
    contact = make.scalar(select(Contact))
    assert contact.status == "escalated" and contact.urgency == "critical" and contact.caller_phone == "+8613800138000"
    flag = make.scalar(select(RiskFlag))
    assert flag.flag == "suicide" and flag.follow_up_due_at - flag.raised_at == timedelta(hours=1)
    texts = _sms_to(fake, "+8613700000002")
    assert len(texts) == 1 and "自杀风险" in texts[0] and contact.reference in texts[0]
    assert _sms_to(fake, "+8613700000001") == []  # plain operators are not alerted
    page = staff["supervisor"].get("/", headers=EN).get_data(as_text=True)
    assert "1 risk escalation needs a supervisor." in page


def test_bad_contact_forms_are_400_and_store_nothing(staff, make):
    """Unknown areas, flags, channels and bad numbers are refused with 400; nothing is written."""
    base = {"channel": "walk_in", "language": "zh", "urgency": "normal", "legal_area": "labour", "city_id": ""}
    for bad in ({"legal_area": "astrology"}, {"risk_flags": ["bad_mood"]}, {"channel": "pigeon"},
                {"caller_phone": "12"}, {"urgency": "whenever"}, {"city_id": "abc"}, {"city_id": "999"}):
        assert staff["operator"].post("/contacts/new", data=base | bad).status_code == 400, bad
    assert make.scalars(select(Contact.id)) == []


def test_triage_then_answer_and_close_logs_a_service(staff, make):
    """Triage records the area; closing with advice logs a hotline service provided by the operator."""
    contact = make.contact(status="waiting", legal_area=None, received_at=utcnow() - timedelta(minutes=2))
    client = staff["operator"]
    data = {"legal_area": "labour", "urgency": "normal", "language": "zh", "city_id": "", "summary": "欠薪"}
    assert client.post(f"/contacts/{contact.id}/triage", data=data).status_code == 302
    stored = make.get(Contact, contact.id)
    assert stored.legal_area == "labour" and stored.status == "in_progress" and stored.wait_seconds >= 120
    assert client.post(f"/contacts/{contact.id}/close", data={"advice": ""}).status_code == 400
    assert client.post(f"/contacts/{contact.id}/close", data={"advice": "申请劳动仲裁"}).status_code == 302
    record = make.scalar(select(ServiceRecord))
    assert record.kind == "hotline" and record.provider_user_id == staff["operator_user"].id and record.outcome == "申请劳动仲裁"
    assert make.get(Contact, contact.id).status == "closed"
    again = client.post(f"/contacts/{contact.id}/close", data={"advice": "again"}, headers=EN)
    assert again.status_code == 400 and "already closed" in again.get_data(as_text=True)


def test_callback_must_be_in_the_future(staff, make):
    """A callback is booked in Beijing time; one in the past is refused."""
    contact = make.contact(status="waiting")
    client = staff["operator"]
    past = (utcnow() - timedelta(hours=1)).astimezone(PROVINCE_TZ).strftime("%Y-%m-%dT%H:%M")
    assert client.post(f"/contacts/{contact.id}/callback", data={"due": past}).status_code == 400
    assert client.post(f"/contacts/{contact.id}/callback", data={"due": "tomorrow"}).status_code == 400
    future = (utcnow() + timedelta(hours=3)).astimezone(PROVINCE_TZ)
    assert client.post(f"/contacts/{contact.id}/callback", data={"due": future.strftime("%Y-%m-%dT%H:%M")}).status_code == 302
    stored = make.get(Contact, contact.id)
    assert stored.status == "callback" and stored.callback_due_at == future.replace(second=0, microsecond=0)


def test_referral_texts_the_caller_where_to_go(staff, make, fake):
    """Referring to legal aid stores the referral, texts the caller and logs a legal-aid referral."""
    contact = make.contact(status="in_progress", caller_phone="+8613800138000")
    response = staff["operator"].post(f"/contacts/{contact.id}/refer", data={
        "target": "legal_aid", "organisation": "沈阳市法律援助中心（和平区南京北街）", "note": "带身份证和工资条"})
    assert response.status_code == 302
    texts = _sms_to(fake, "+8613800138000")
    assert len(texts) == 1 and "沈阳市法律援助中心" in texts[0] and "带身份证和工资条" in texts[0]
    assert make.scalar(select(Referral.target)) == "legal_aid"
    assert make.scalar(select(ServiceRecord.kind)) == "legal_aid_referral"
    assert make.scalar(select(OutboxMessage.status)) == "sent"
    assert staff["operator"].post(f"/contacts/{contact.id}/refer", data={"target": "friend"}).status_code == 400


def test_put_through_rings_operator_lawyer_and_caller_from_the_hotline(staff, make, fake):
    """Put-through is three calls from the hotline number into one conference room: no personal number shown."""
    now = utcnow()
    period = make.period(status="published", starts_on=now.date(), ends_on=now.date())
    shift = make.shift(period=period, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1))
    lawyer = make.lawyer(areas=("labour",), phone="+8613900000001")
    make.duty(shift=shift, lawyer=lawyer)
    contact = make.contact(status="in_progress", legal_area="labour", caller_phone="+8613800138000")
    assert staff["operator"].post(f"/contacts/{contact.id}/put-through").status_code == 302
    calls = [r["data"] for r in fake.requests if r["uri"].endswith("/Calls.json")]
    room = f"https://hotline.example.cn/telephony/voice/conference?room=contact-{contact.id}"
    assert calls == [{"To": "+8613700000001", "From": "+862412348", "Url": room},
                     {"To": "+8613900000001", "From": "+862412348", "Url": room},
                     {"To": "+8613800138000", "From": "+862412348", "Url": room}]
    assert make.get(Contact, contact.id).lawyer_id == lawyer.id


def test_put_through_with_nobody_on_duty_is_refused(staff, make, fake):
    """With no qualified lawyer on duty the operator is told to book a callback; nothing is dialled."""
    contact = make.contact(status="in_progress", legal_area="labour")
    response = staff["operator"].post(f"/contacts/{contact.id}/put-through", headers=EN)
    assert response.status_code == 400 and "book a callback" in response.get_data(as_text=True)
    assert fake.requests == []


def test_numbers_are_masked_and_revealing_is_logged(staff, make):
    """Pages show masked numbers; showing the full number is logged with who did it."""
    contact = make.contact(caller_phone="+8613800138000")
    make.contact(caller_phone="+8613800138000", legal_area="traffic", received_at=contact.received_at - timedelta(days=3))
    page = staff["operator"].get(f"/contacts/{contact.id}", headers=EN).get_data(as_text=True)
    assert "+86 138****8000" in page and "+8613800138000" not in page and "Traffic accidents" in page
    revealed = staff["operator"].post(f"/contacts/{contact.id}/reveal").get_data(as_text=True)
    assert "+8613800138000" in revealed
    event = make.scalar(select(ContactEvent).where(ContactEvent.kind == "number_revealed"))
    assert event.user_id == staff["operator_user"].id and event.contact_id == contact.id


def test_supervisor_closes_escalation_with_a_note(staff, make):
    """Only a supervisor closes an escalation, with a note; 'prevented' is recorded for the report."""
    flag = make.risk_flag(flag="group_petition", contact=make.contact(status="escalated"))
    assert staff["operator"].post(f"/escalations/{flag.id}/close", data={"note": "x"}).status_code == 403
    assert staff["supervisor"].post(f"/escalations/{flag.id}/close", data={"note": " "}).status_code == 400
    response = staff["supervisor"].post(f"/escalations/{flag.id}/close", data={"note": "已与街道联系，劝返", "prevented": "y"})
    assert response.status_code == 302
    stored = make.get(RiskFlag, flag.id)
    assert stored.closed_at and stored.prevented and stored.closed_by_id == staff["supervisor_user"].id
    assert make.get(Contact, flag.contact_id).status == "in_progress"
    assert staff["supervisor"].post(f"/escalations/{flag.id}/close", data={"note": "again"}).status_code == 400
    assert staff["supervisor"].post("/escalations/99999/close", data={"note": "x"}).status_code == 404


def test_escalation_list_and_queue(staff, make):
    """The escalation list and the console's live queue show open items with masked numbers."""
    now = utcnow()
    make.contact(status="waiting", caller_phone="+8613800138000", legal_area="labour")
    make.contact(status="callback", callback_due_at=now + timedelta(minutes=30))
    make.contact(status="callback", callback_due_at=now + timedelta(days=2))
    make.risk_flag(flag="group_fight", contact=make.contact(status="escalated"), follow_up_due_at=now + timedelta(hours=4))
    data = staff["operator"].get("/console/queue.json").get_json()
    assert [c["caller"] for c in data["waiting"]] == ["+86 138****8000"]
    assert len(data["callbacks"]) == 1 and [e["flag"] for e in data["escalations"]] == ["group_fight"]
    assert "Group fight" in staff["operator"].get("/escalations", headers=EN).get_data(as_text=True)
    assert "+86 138****8000" in staff["operator"].get("/console", headers=EN).get_data(as_text=True)


def test_search_by_number_name_area_status_and_date(staff, make):
    """Search narrows contacts by each filter; a reversed date range is a 400."""
    now = utcnow()
    make.contact(caller_phone="+8613800138000", caller_name="王五", legal_area="labour", status="closed",
                 received_at=now)
    make.contact(caller_phone="+8613911112222", caller_name="赵六", legal_area="traffic", status="waiting",
                 received_at=now - timedelta(days=10))
    client = staff["operator"]

    def found(**args):
        page = client.post("/contacts", data=args, headers=EN).get_data(as_text=True)
        return ("王五" in page, "赵六" in page)

    assert found(q="138 0013 8000") == (True, False)
    assert found(q="2222") == (False, True)
    assert found(q="赵") == (False, True)
    assert found(area="labour") == (True, False)
    assert found(status="waiting") == (False, True)
    today = now.astimezone(PROVINCE_TZ).date()
    assert found(date_from=today.isoformat()) == (True, False)
    assert client.post("/contacts", data={"date_from": "2026-12-10", "date_to": "2026-12-01"}).status_code == 400
    assert client.post("/contacts", data={"date_from": "yesterday"}).status_code == 400
    # Without a number or name the filters also work as a link (GET), and a number in the URL is ignored.
    assert client.get("/contacts", query_string={"status": "waiting"}, headers=EN).get_data(as_text=True).count("赵六") == 1
    assert "王五" in client.get("/contacts", query_string={"q": "2222"}, headers=EN).get_data(as_text=True)


def test_search_pages_are_posted_too(staff, make):
    """Later pages of a search by number are buttons of the posted form: the number stays out of every URL."""
    for _ in range(51):
        make.contact(caller_phone="+8613800138000", caller_name="王五")
    client = staff["operator"]
    first = client.post("/contacts", data={"q": "13800138000"}, headers=EN).get_data(as_text=True)
    assert 'name="page" value="2"' in first and "13800138000" not in first.split("<main")[1].split("</form>")[1]
    second = client.post("/contacts", data={"q": "13800138000", "page": "2"}, headers=EN).get_data(as_text=True)
    assert "Page 2 of 2" in second


def test_a_search_by_number_leaves_no_number_in_the_access_log(app_factory, users, make, caplog):
    """Through a real server: the search by number is a POST, so the request lines the server logs hold no part
    of the number, while the results page shows the (masked) caller."""
    import http.cookiejar
    import logging
    import urllib.parse
    import urllib.request

    from tests.conftest import serve
    from tests.factories import PASSWORD

    make.contact(caller_phone="+8613800138000", caller_name="王五")
    app = app_factory(PUBLIC_BASE_URL="http://127.0.0.1")  # plain HTTP: cookies without the Secure flag
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    with caplog.at_level(logging.INFO, logger="werkzeug"), serve(app) as base:
        form = urllib.parse.urlencode({"username": users["operator"].username, "password": PASSWORD}).encode()
        opener.open(base + "/login", data=form)
        page = opener.open(base + "/contacts", data=urllib.parse.urlencode({"q": "138 0013 8000"}).encode())
        body = page.read().decode()
    assert "王五" in body
    requests = [record.getMessage() for record in caplog.records if "/contacts" in record.getMessage()]
    assert any("POST /contacts" in line for line in requests)
    assert not any(digits in line for line in requests for digits in ("138", "0013", "8000"))


def test_overdue_callbacks_and_escalations_are_marked_overdue(as_role, make):
    """A callback due yesterday and an escalation past its follow-up time say "overdue by ..." on the operator's
    home page, the console, the contact page and the escalations list; one due later does not."""
    from datetime import timedelta

    from hotline.models.types import utcnow

    now = utcnow()
    late = make.contact(status="callback", callback_due_at=now - timedelta(days=1))
    make.contact(status="callback", callback_due_at=now + timedelta(minutes=30))
    make.risk_flag(contact=late, follow_up_due_at=now - timedelta(hours=3))
    supervisor = as_role("supervisor")
    for path in ("/", "/console", f"/contacts/{late.id}", "/escalations"):
        page = supervisor.get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)
        assert 'data-overdue="1"' in page and "overdue by" in page, path
    soon = supervisor.get("/console", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert soon.count('data-overdue="1"') == 2  # the late callback and the late escalation, not the coming one


def test_the_home_page_and_the_console_count_the_same_queue(as_role, make):
    """Callers waiting, callbacks due (within two hours, or overdue) and open escalations: the same numbers on the
    operator's home page and on the console, beyond the lists' length too."""
    import re
    from datetime import timedelta

    from hotline.models.types import utcnow

    now = utcnow()
    for _ in range(3):
        make.contact(status="waiting")
    make.contact(status="callback", callback_due_at=now + timedelta(minutes=90))
    make.contact(status="callback", callback_due_at=now - timedelta(hours=5))
    for _ in range(22):  # more than the home page lists
        make.risk_flag(follow_up_due_at=now + timedelta(hours=1))
    client = as_role("supervisor")
    home = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    console = client.get("/console", headers={"Accept-Language": "en"}).get_data(as_text=True)

    def stat(label):
        return int(re.search(r'stat-value[^>]*>\s*(\d+)\s*</div>\s*<div class="stat-label">' + label, home).group(1))

    def badge(name):
        return int(re.search(rf'id="count-{name}">(\d+)<', console).group(1))

    assert stat("callers waiting") == badge("waiting") == 3 + 22  # each flag's contact waits too
    assert stat("callbacks due") == badge("callbacks") == 2
    assert stat("open escalations") == badge("escalations") == 22
    totals = client.get("/console/queue.json").get_json()["totals"]
    assert totals == {"waiting": 25, "callbacks": 2, "escalations": 22}


def test_an_empty_contact_form_is_refused(as_role, make):
    """Posting the new-contact form with nothing said about the matter is a 400 naming the summary; nothing kept."""
    from sqlalchemy import func, select

    from hotline.models import Contact

    operator = as_role("operator")
    for summary in ("", "   "):
        response = operator.post("/contacts/new", data={"channel": "walk_in", "urgency": "normal", "language": "zh",
                                                        "summary": summary}, headers={"Accept-Language": "en"})
        assert response.status_code == 400 and "Write what the caller asked about" in response.get_data(as_text=True)
    assert make.scalar(select(func.count(Contact.id))) == 0


def test_put_through_shows_whom_it_will_ring_and_rings_that_lawyer(staff, make, fake):
    """The contact page names the lawyer a put-through will ring (and who is next) before anything rings; the
    button rings that lawyer; if they went off duty meanwhile, nothing rings and the page shows the new choice."""
    now = utcnow()
    period = make.period(status="published", starts_on=now.date(), ends_on=now.date())
    shift = make.shift(period=period, starts_at=now - timedelta(hours=1), ends_at=now + timedelta(hours=1))
    first = make.lawyer(areas=("labour",), phone="+8613900000001", name="Gao First")
    second = make.lawyer(areas=("labour",), phone="+8613900000002", name="Lin Second")
    make.duty(shift=shift, lawyer=first)
    make.duty(shift=shift, lawyer=second)
    contact = make.contact(status="in_progress", legal_area="labour", caller_phone="+8613800138000")
    operator = staff["operator"]
    page = operator.get(f"/contacts/{contact.id}", headers=EN).get_data(as_text=True)
    shown = page.split('data-testid="will-ring"')[1].split("</p>")[0]
    assert "Gao First" in shown and "Lin Second" in shown and fake.requests == []
    from hotline.models import Lawyer

    make.update(Lawyer, first.id, active=False)  # off duty before the operator clicks
    refused = operator.post(f"/contacts/{contact.id}/put-through", data={"lawyer_id": first.id}, headers=EN)
    assert refused.status_code == 400 and "no longer on duty" in refused.get_data(as_text=True)
    assert fake.requests == []
    done = operator.post(f"/contacts/{contact.id}/put-through", data={"lawyer_id": second.id}, headers=EN,
                         follow_redirects=True)
    assert "Lin Second" in done.get_data(as_text=True) and "Twilio is placing the calls" in done.get_data(as_text=True)
    assert make.get(Contact, contact.id).lawyer_id == second.id


def test_the_on_duty_page_gives_the_routers_answer_now_and_for_the_next_shift(as_role, make, on_duty):
    """Operators see who would be rung now for an area, language and city, in the router's order (the same
    service), and who is on the next shift; bad filters are 400."""
    from hotline.extensions import db  # noqa: F401
    from hotline.services import duty_lookup  # noqa: F401

    now = utcnow()
    lawyers = on_duty["lawyers"]
    from hotline.models import DutyPeriod

    later = make.shift(period=make.get(DutyPeriod, on_duty["shift"].period_id),
                       shift_type=make.shift_type(kind="hotline"), starts_at=now + timedelta(hours=3),
                       ends_at=now + timedelta(hours=6))
    make.duty(shift=later, lawyer=on_duty["off_duty"])
    operator = as_role("operator")
    page = operator.get(f"/on-duty?area=labour&language=zh&city_id={on_duty['shenyang'].id}",
                        headers=EN).get_data(as_text=True)
    now_list = page.split('data-testid="on-duty-now"')[1].split("</ol>")[0]
    order = [lawyers[key].name for key in ("labour_seat", "same_city", "neighbour", "korean")]
    positions = [now_list.index(name) for name in order]
    assert positions == sorted(positions) and lawyers["other_area"].name not in now_list
    assert on_duty["off_duty"].name in page.split('data-testid="on-duty-next"')[1].split("</ol>")[0]
    korean = operator.get("/on-duty?language=ko", headers=EN).get_data(as_text=True)
    assert lawyers["korean"].name in korean and lawyers["labour_seat"].name not in korean.split("on-duty-next")[0]
    for bad in ("area=astrology", "language=xx", "city_id=999999", "city_id=²"):
        assert operator.get(f"/on-duty?{bad}", headers=EN).status_code == 400, bad
    assert as_role("lawyer").get("/on-duty").status_code == 403


def test_every_history_line_says_who_did_what_in_the_readers_language(as_role, make, users):
    """History lines name the operator (or the hotline system for the voice menu) and render codes as words:
    no "triaged labour/critical" or "put_through lawyer 18 (seat)", in English or in Chinese."""
    lawyer = make.lawyer(name="Gao Lawyer")
    contact = make.contact(status="in_progress")
    make.contact_event(contact=contact, kind="menu_choice", detail="labour/zh")
    make.contact_event(contact=contact, kind="triaged", detail="labour/critical", user_id=users["operator"].id)
    make.contact_event(contact=contact, kind="put_through", detail=f"lawyer {lawyer.id} (seat)",
                       user_id=users["operator"].id)
    operator = as_role("operator")
    english = operator.get(f"/contacts/{contact.id}", headers=EN).get_data(as_text=True)
    lines = english.split('data-testid="history"')[1].split("</ul>")[0]
    assert f"{users['operator'].name}</strong> · Triaged: Labour · Critical" in lines
    assert "Put through to: Gao Lawyer (on the seat for this area)" in lines
    assert "Hotline system</strong> · Chose in the voice menu: Labour · Mandarin" in lines
    assert "labour/critical" not in lines and "put_through" not in lines
    chinese = operator.get(f"/contacts/{contact.id}", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    zh_lines = chinese.split('data-testid="history"')[1].split("</ul>")[0]
    assert "劳动" in zh_lines and "Triaged" not in zh_lines and "Hotline system" not in zh_lines
