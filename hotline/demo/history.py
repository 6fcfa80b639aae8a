"""A month of demo hotline history: contacts, risks, referrals, disputes, and the services they produced."""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from hotline.demo.names import mobile, person
from hotline.demo.people import Demo
from hotline.models import Contact, FollowUp, OutboxMessage, Referral, RiskFlag
from hotline.services import servicelog

CONTACTS_PER_DAY = 185
AREA_WEIGHTS = {
    "labour": 18, "marriage_family": 15, "contracts_debts": 14, "housing_property": 9, "traffic": 7,
    "inheritance": 6, "land_rural": 6, "consumer": 5, "company": 4, "medical": 3, "administrative": 3,
    "criminal": 3, "legal_aid": 3, "construction": 2, "finance": 1, "ip": 1, "foreign_investment": 0.5,
    "notarization": 1, "judicial_appraisal": 0.5, "mediation": 2,
}
DISPUTE_AREAS = {"labour", "marriage_family", "contracts_debts", "housing_property", "land_rural", "traffic",
                 "inheritance", "consumer", "medical", "mediation", "construction"}
# Per 10,000 contacts; the department's figures put group petitions first, suicides last.
RISK_RATES = {"group_petition": 70, "civil_to_criminal": 40, "domestic_violence": 25, "group_fight": 8, "suicide": 5}
REFERRALS = {
    "legal_aid": "法律援助中心", "mediation": "人民调解委员会", "notary": "公证处", "court": "人民法院",
    "police": "公安机关 (110)", "petition": "信访局",
}
SUMMARIES = {
    "labour": "拖欠工资，询问劳动仲裁程序", "marriage_family": "离婚财产分割与抚养权咨询",
    "contracts_debts": "借款到期未还，咨询起诉流程", "housing_property": "物业费纠纷及维修责任",
    "traffic": "交通事故赔偿标准咨询", "inheritance": "父母遗产继承份额", "land_rural": "土地承包经营权流转纠纷",
    "consumer": "网购商品质量问题退换", "medical": "手术后遗症责任认定", "company": "股东出资及分红争议",
}
ADVICE = "已告知相关法律规定及维权途径，建议保留证据。"


def _received_times(rng: random.Random, start: datetime, days: int) -> list[datetime]:
    """Call arrival times: busiest mid-morning and early afternoon (Beijing time), fewer at weekends."""
    hours = [(8, 4), (9, 9), (10, 10), (11, 7), (12, 3), (13, 6), (14, 9), (15, 9), (16, 7), (17, 4), (18, 3),
             (19, 3), (20, 2), (21, 1), (22, 1), (7, 1)]
    times = []
    for day in range(days):
        day_start = start + timedelta(days=day)
        weekend = (day_start + timedelta(hours=8)).weekday() >= 5
        count = int(CONTACTS_PER_DAY * (0.6 if weekend else 1.08) * rng.uniform(0.9, 1.1))
        for _ in range(count):
            hour = rng.choices([h for h, _w in hours], weights=[w for _h, w in hours])[0]
            local = day_start + timedelta(hours=hour, seconds=rng.randrange(3600))
            times.append(local - timedelta(hours=8))  # Beijing time to UTC
    return sorted(times)


def load_history(session: Session, rng: random.Random, demo: Demo, now: datetime, days: int) -> int:
    """Contacts over the last `days` days with their risks, referrals, disputes and service records."""
    midnight_beijing = (now + timedelta(hours=8)).replace(hour=0, minute=0, second=0, microsecond=0)
    start = midnight_beijing - timedelta(days=days)
    areas, weights = list(AREA_WEIGHTS), list(AREA_WEIGHTS.values())
    city_ids = [city.id for city in demo.cities.values()]
    contact_rows, plans = [], []
    callers = [mobile(rng) for _ in range(4000)]
    for received in _received_times(rng, start.replace(tzinfo=timezone.utc), days):
        if received >= now:
            continue
        area = rng.choices(areas, weights)[0]
        recent = now - received < timedelta(hours=2)
        answered = rng.random() < 0.94
        wait = int(rng.expovariate(1 / 22)) if answered else int(rng.uniform(30, 180))
        duration = int(rng.uniform(150, 900)) if answered else 0
        is_dispute = area in DISPUTE_AREAS and rng.random() < 0.42
        risks = [flag for flag, rate in RISK_RATES.items() if rng.random() < rate / 10000]
        status = "closed"
        if recent:
            status = rng.choice(("new", "waiting", "in_progress", "closed", "closed"))
        elif not answered:
            status = "callback" if now - received < timedelta(days=1) else "closed"
        if risks and now - received < timedelta(days=2):
            status = "escalated"
        outcome = None
        if is_dispute:
            draw = rng.random()
            outcome = "not_mediated" if draw < 0.002 else ("failed" if draw < 0.009 else "success")
            if status != "closed":
                outcome = "pending"
        closed = status == "closed"
        contact_rows.append({
            "channel": rng.choices(("phone", "walk_in", "web", "letter"), (85, 8, 5, 2))[0],
            "caller_phone": rng.choice(callers), "caller_name": person(rng) if rng.random() < 0.7 else "",
            "language": rng.choices(("zh", "ko", "mn"), (97, 2, 1))[0], "city_id": rng.choice(city_ids),
            "legal_area": area, "urgency": "critical" if risks else rng.choices(("low", "normal", "high"), (20, 70, 10))[0],
            "summary": SUMMARIES.get(area, "法律咨询"), "advice": ADVICE if closed else "", "status": status,
            "assignee_id": rng.choice(demo.operator_ids), "received_at": received,
            "answered_at": received + timedelta(seconds=wait) if answered else None,
            "closed_at": received + timedelta(seconds=wait + duration + 60) if closed else None,
            "wait_seconds": wait, "duration_seconds": duration if answered else None,
            "callback_due_at": received + timedelta(hours=4) if status == "callback" else None,
            "is_dispute": is_dispute, "dispute_outcome": outcome,
        })
        plans.append((risks, answered, closed))
    session.execute(insert(Contact), contact_rows)
    contacts = list(session.scalars(select(Contact).order_by(Contact.received_at, Contact.id)))
    _risks_and_referrals(session, rng, demo, contacts, plans, now)
    _services(session, rng, demo, contacts, plans, now)
    return len(contacts)


def _risks_and_referrals(session, rng, demo, contacts, plans, now) -> None:
    """Risk flags (closed by a supervisor with a note unless recent) and referrals with their SMS."""
    flag_rows, referral_rows = [], []
    for contact, (risks, _answered, closed) in zip(contacts, plans):
        for flag in risks:
            open_flag = contact.status == "escalated"
            flag_rows.append({
                "contact_id": contact.id, "flag": flag, "raised_at": contact.received_at,
                "raised_by_id": contact.assignee_id, "follow_up_due_at": contact.received_at + timedelta(hours=24),
                "prevented": None if open_flag else rng.random() < 0.93,
                "closed_at": None if open_flag else contact.received_at + timedelta(hours=rng.randint(2, 30)),
                "closed_by_id": None if open_flag else rng.choice(demo.supervisor_ids),
                "close_note": "" if open_flag else "已联系当事人及属地，风险已化解。",
            })
        if closed and rng.random() < 0.12:
            target = rng.choices(list(REFERRALS), (30, 35, 8, 15, 4, 8))[0]
            referral_rows.append({
                "contact_id": contact.id, "target": target, "organisation": f"{REFERRALS[target]}",
                "note": "已短信告知地址和办理材料。", "created_at": contact.closed_at, "created_by_id": contact.assignee_id,
            })
    if flag_rows:
        session.execute(insert(RiskFlag), flag_rows)
    if referral_rows:
        session.execute(insert(Referral), referral_rows)
    session.add_all([
        OutboxMessage(kind="sms", to_number=mobile(rng), body="【12348】您的咨询已转人民调解委员会，请携带身份证前往。",
                      purpose="referral", status="sent", attempts=1, created_at=now - timedelta(hours=3),
                      sent_at=now - timedelta(hours=3)),
        OutboxMessage(kind="sms", to_number=mobile(rng), body="【12348】请对本次服务评分：回复1-5。",
                      purpose="survey", status="failed", attempts=3, last_error="Twilio credentials are not set",
                      created_at=now - timedelta(hours=1)),
    ])


def _services(session, rng, demo, contacts, plans, now) -> None:
    """A service record per answered contact, through the service log, and survey follow-ups for most."""
    entries = []
    for contact, (_risks, answered, closed) in zip(contacts, plans):
        if not (answered and closed):
            continue
        lawyer = rng.choice(demo.lawyer_ids) if rng.random() < 0.35 else None
        kind = "hotline"
        if contact.is_dispute and contact.dispute_outcome in ("success", "failed"):
            kind = "mediation"
        elif contact.channel == "walk_in":
            kind = "on_site"
        entries.append(servicelog.ServiceEntry(
            kind=kind, started_at=contact.answered_at, ended_at=contact.closed_at,
            provider_user_id=contact.assignee_id, provider_lawyer_id=lawyer, recipient_name=contact.caller_name,
            recipient_phone=contact.caller_phone, contact_id=contact.id, city_id=contact.city_id,
            legal_area=contact.legal_area, channel=contact.channel,
            outcome="调解成功" if contact.dispute_outcome == "success" else "已解答",
        ))
    records = servicelog.append_many(session, entries, now, follow_ups=False)  # a month of them, written below
    follow_rows = []
    for record in records:
        if rng.random() < 0.7:
            answered = rng.random() < 0.8
            follow_rows.append({
                "service_record_id": record.id, "recipient_phone": record.recipient_phone,
                "status": "answered" if answered else "sent", "due_at": record.ended_at + timedelta(hours=2),
                "sent_at": record.ended_at + timedelta(hours=2),
                "answered_at": record.ended_at + timedelta(hours=3) if answered else None,
                "score": rng.choices((5, 4, 3, 2, 1), (72, 20, 5, 2, 1))[0] if answered else None,
            })
    session.execute(insert(FollowUp), follow_rows)
