"""A quarter of the demo's dispute ledger, the last full quarter before today: every entry walks its lifecycle with
the same events services.disputes.act writes (the same steps from the same states, the same data), written in
bulk. Its report reproduces the department's quarterly figures: 排查出各类矛盾纠纷2.6万余件，调解纠纷25958件，调解成功
25779件，调解成功率99%。有效防止民间纠纷引发的自杀3起，防止“民转刑”案件42件，防止群体性上访98件，防止群体性械斗6件。"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import SimpleNamespace

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.demo.bulk import analyze, insert_rows
from hotline.demo.names import mobile, person
from hotline.models import (
    City, Dispute, DisputeEvent, DisputeParty, DisputeRisk, MediationCommittee, Mediator, OrgUnit,
)
from hotline.models.types import PROVINCE_TZ
from hotline.disputes import wording
from hotline.services import dispute_figures, statistics
from hotline.services.dispute_deadlines import Entry, next_moments
from hotline.services.disputes import CITY_NUMBERS, TRANSITIONS, event_columns


@dataclass(frozen=True)
class Seed:
    """The quarter's figures the history is built to give."""

    found: int = 26412
    mediated: int = 25958
    succeeded: int = 25779
    prevented: dict = field(default_factory=lambda: {"suicide": 3, "civil_to_criminal": 42, "group_petition": 98,
                                                     "group_fight": 6})
    not_prevented: dict = field(default_factory=lambda: {"civil_to_criminal": 1, "group_petition": 1})
    still_at_risk: int = 6  # open entries whose risk is still open
    rejected: int = 70
    withdrawn: int = 48
    transferred: int = 36


SOURCES = {"screening": 55, "hotline": 18, "walk_in": 12, "police": 5, "web": 3, "court": 3, "petition": 3, "api": 1}
TYPES = {"neighbour": 22, "family": 20, "land": 12, "contract": 12, "property": 10, "labour": 9, "traffic": 6,
         "medical": 3, "other": 6}
SUMMARIES = {"neighbour": "宅基地边界及排水沟引发邻里纠纷", "family": "离婚后子女抚养费给付纠纷", "land": "土地承包经营权流转纠纷",
             "contract": "民间借贷到期未还", "property": "物业费及维修责任纠纷", "labour": "拖欠农民工工资",
             "traffic": "交通事故损害赔偿", "medical": "手术后遗症责任认定", "other": "其他民间纠纷"}
RISK_LEVEL = {"suicide": "red", "group_fight": "red", "civil_to_criminal": "orange", "group_petition": "orange"}
RISK_PEOPLE = {"suicide": (1, 1), "civil_to_criminal": (1, 3), "group_petition": (5, 40), "group_fight": (10, 60)}
MEASURES = {"suicide": "落实专人稳控，联系家属陪护", "civil_to_criminal": "约谈双方，派出所介入稳控",
            "group_petition": "领导包案，召开听证会", "group_fight": "公安、司法所联合驻村稳控"}
AGENCIES = ("人民法院", "劳动人事争议仲裁委员会", "信访局", "公安机关")
REFERRALS = ("人民法院诉讼服务中心", "劳动人事争议仲裁委员会", "法律援助中心")


def last_full_quarter(now: datetime):
    """The last calendar quarter that has ended, in Beijing time: (first day, last day)."""
    return statistics.last_full_quarter(now.astimezone(PROVINCE_TZ).date())


class _Walk:
    """One entry's history, step by step, each step checked against the ledger's transitions."""

    def __init__(self, now: datetime, user_id: int | None):
        self.now, self.user_id = now, user_id
        self.state: str | None = None
        self.events: list[dict] = []
        self.stopped = False

    def step(self, action: str, at: datetime, data: dict | None = None, reason: str = "") -> bool:
        """Take a step at `at` (none at all after `now`: a walk stops at the present)."""
        if self.stopped or at > self.now:
            self.stopped = True
            return False
        if action == "register":
            before, after = None, "registered"
        else:
            sources, target = TRANSITIONS[action]
            assert self.state in sources, (action, self.state)
            before, after = self.state, target or self.state
        self.state = after
        data = data or {}
        self.events.append({"seq": len(self.events) + 1, "action": action, "from_state": before, "to_state": after,
                            "at": at, "user_id": self.user_id, "reason": reason, "data": data,
                            **event_columns(action, at, data)})
        return True


def _hours(rng, low, high) -> timedelta:
    return timedelta(hours=rng.uniform(low, high))


class _Places:
    """Villages and communities with their committee, the township's and the county's key committee above them."""

    def __init__(self, session: Session):
        units = {u.id: u for u in session.scalars(select(OrgUnit))}
        committees = {(c.org_unit_id, c.kind): c for c in session.scalars(select(MediationCommittee))}
        self.mediators: dict[int, int] = {}
        for mediator_id, committee_id in session.execute(select(Mediator.id, Mediator.committee_id).order_by(Mediator.id)):
            self.mediators.setdefault(committee_id, mediator_id)
        self.cities = {c.id: c for c in session.scalars(select(City))}
        self.villages = []
        for unit in units.values():
            if unit.kind not in ("village", "community"):
                continue
            town = units[unit.parent_id]
            self.villages.append((unit, committees[(unit.id, unit.kind)], committees[(town.id, "township")],
                                  committees[(town.parent_id, "county_key")]))
        self.villages.sort(key=lambda place: place[0].id)


def _plan(seed: Seed) -> list[str]:
    """What becomes of each entry found in the quarter."""
    failed = seed.mediated - seed.succeeded
    others = seed.found - seed.mediated - seed.rejected - seed.withdrawn - seed.transferred
    assert others >= seed.still_at_risk, "the seed leaves no entries open"
    return (["succeed"] * seed.succeeded + ["fail"] * failed + ["reject"] * seed.rejected
            + ["withdraw"] * seed.withdrawn + ["transfer"] * seed.transferred + ["open"] * others)


def _risks(seed: Seed, fates: list[str], rng) -> dict[int, tuple[str, bool | None]]:
    """Entry index -> (risk kind, prevented; None while still open)."""
    mediated = [i for i, fate in enumerate(fates) if fate in ("succeed", "fail")]
    still_open = [i for i, fate in enumerate(fates) if fate == "open"]
    closing = [(kind, True) for kind, n in seed.prevented.items() for _ in range(n)]
    closing += [(kind, False) for kind, n in seed.not_prevented.items() for _ in range(n)]
    chosen = rng.sample(mediated, len(closing))
    risks = dict(zip(chosen, closing))
    for index in rng.sample(still_open, seed.still_at_risk):
        risks[index] = (rng.choice(("civil_to_criminal", "group_petition")), None)
    return risks


def load(session: Session, seed_number: int, now: datetime, user_id: int | None, seed: Seed = Seed()) -> str:
    """Write the quarter's ledger; returns the sentence the demo prints (counted back from what was written)."""
    rng = random.Random(seed_number * 104729 + 7)
    first, last = last_full_quarter(now)
    q0 = datetime.combine(first, datetime.min.time(), PROVINCE_TZ)
    q1 = datetime.combine(last + timedelta(days=1), datetime.min.time(), PROVINCE_TZ)
    places = _Places(session)
    fates = _plan(seed)
    rng.shuffle(fates)
    risks = _risks(seed, fates, rng)
    numbers: dict[tuple[int, int], int] = {}
    entries, walks, extras = [], [], []
    sources, source_weights = list(SOURCES), list(SOURCES.values())
    types, type_weights = list(TYPES), list(TYPES.values())
    for index, fate in enumerate(fates):
        unit, village_committee, town_committee, county_key = rng.choice(places.villages)
        risk = risks.get(index)
        latest = q1 - timedelta(days=18) if fate in ("succeed", "fail") else q1 - timedelta(hours=1)
        registered = q0 + (latest - q0) * rng.random()
        if fate == "open" and rng.random() < 0.7:
            registered = q1 - timedelta(days=20) * rng.random() - timedelta(hours=1)  # still in hand at the end
        registered = registered.replace(microsecond=0)
        level = RISK_LEVEL[risk[0]] if risk else rng.choices(("blue", "yellow"), (7, 3))[0]
        committee = county_key if risk else (village_committee if rng.random() < 0.8 else town_committee)
        walk = _Walk(now, user_id)
        source = rng.choices(sources, source_weights)[0]
        walk.step("register", registered, {"risk_level": "blue", "source": source})
        at = registered + _hours(rng, 0.5, 20)
        if fate != "reject":
            walk.step("accept", at)
        risk_row = None
        if risk:
            kind = risk[0]
            people = rng.randint(*RISK_PEOPLE[kind])
            at += _hours(rng, 0.2, 2)
            walk.step("risk_open", at, {"kind": kind, "people": people, "measure": MEASURES[kind],
                                        "level_from": "blue", "level_to": "orange"})
            risk_row = {"kind": kind, "people": people, "opened_at": at, "closed_at": None, "prevented": None}
        if fate == "reject":
            walk.step("reject", at + _hours(rng, 0.5, 4), {"referral": rng.choice(REFERRALS)})
        else:
            at += _hours(rng, 0.5, 4)
            walk.step("assess", at, {"risk_level": level})
            if level in ("red", "orange"):
                targets = ["city_bureau", "province_dept"] if level == "red" else ["county_bureau"]
                for whom in targets:
                    walk.step("report", at + _hours(rng, 0.5, 5), {"level": whom, "note": "已电话报告并报送台账"})
            at += _hours(rng, 1, 24)
            open_until = rng.choice(("assessed", "dispatched", "in_mediation")) if fate == "open" else None
            if open_until != "assessed":
                walk.step("dispatch", at, {"committee_id": committee.id})
                at += _hours(rng, 1, 24)
                mediator = places.mediators.get(committee.id)
                if open_until != "dispatched":
                    walk.step("committee_accept", at, {"committee_id": committee.id, "mediator_id": mediator})
                    at += timedelta(days=rng.uniform(1, 8))
                    walk.step("session", at, {"mode": rng.choices(("on_site", "phone", "video"), (80, 12, 8))[0],
                                              "record": "双方到场陈述，调解员释法说理"})
                    at += timedelta(days=rng.uniform(0, 4))
                    _conclude(walk, fate, at, rng, risk, risk_row)
        state = walk.state
        city = places.cities[unit.city_id]
        year = registered.astimezone(PROVINCE_TZ).year
        numbers[(city.id, year)] = numbers.get((city.id, year), 0) + 1
        dispatched = any(e["action"] == "dispatch" for e in walk.events)
        accepted = any(e["action"] == "committee_accept" for e in walk.events)
        entries.append({
            "number": f"纠{CITY_NUMBERS.get(city.code, f'{city.id:04d}')}-{year}-{numbers[(city.id, year)]:05d}",
            "source": source, "found_at": registered - _hours(rng, 0, 6), "org_unit_id": unit.id,
            "city_id": unit.city_id, "place": "", "dispute_type": rng.choices(types, type_weights)[0],
            "summary": "", "people_involved": rng.randint(2, 6), "amount": rng.choice((None, rng.randrange(500, 200000, 100))),
            "language": "zh", "risk_level": "blue" if fate == "reject" else level, "state": state,
            "responsible_user_id": user_id, "committee_id": committee.id if dispatched else None,
            "mediator_id": places.mediators.get(committee.id) if accepted else None, "created_at": registered,
            "last_event_at": walk.events[-1]["at"],
        })
        entries[-1]["summary"] = SUMMARIES[entries[-1]["dispute_type"]]
        walks.append(walk)
        extras.append(risk_row)
        held = [SimpleNamespace(**risk_row)] if risk_row else []
        entries[-1]["next_due_at"], entries[-1]["next_action_at"] = next_moments(
            Entry(entries[-1]["risk_level"], held, state), [SimpleNamespace(**event) for event in walk.events])
    _write(session, rng, entries, walks, extras)
    counted = dispute_figures.figures(session, first, last, None, now)
    return (f"Dispute ledger: {len(entries):,} entries and {sum(len(w.events) for w in walks):,} events; "
            f"{first:%Y-%m-%d} – {last:%Y-%m-%d}: {wording.sentence_zh(counted)}")


def _conclude(walk: _Walk, fate: str, at: datetime, rng, risk, risk_row) -> None:
    """Mediation's end (success, failure, transfer, withdrawal, or still in hand), the risk closed, follow-up."""
    if risk and risk[1] is not None and fate == "succeed":  # the risk is closed as the agreement is reached
        walk.step("risk_close", at, {"kind": risk[0], "prevented": risk[1], "people": risk_row["people"]})
        risk_row.update(closed_at=at, prevented=risk[1])
        at += timedelta(hours=1)
    if fate == "succeed":
        performance = (at + timedelta(days=rng.randint(0, 20))).astimezone(PROVINCE_TZ).date() \
            if rng.random() < 0.4 else None
        walk.step("succeed", at, {"agreement_form": rng.choices(("written", "oral"), (85, 15))[0],
                                  "terms": "双方自愿达成调解协议，按期履行", "judicial_confirmation": rng.random() < 0.05,
                                  "performance_date": performance.isoformat() if performance else None})
        visit = at + timedelta(days=rng.uniform(2, 14))
        if walk.step("follow_up", visit, {"note": "电话回访，协议已履行", "kept": True}) and not risk \
                and rng.random() < 0.8:
            walk.step("close", visit + timedelta(days=rng.uniform(0, 3)))
    elif fate == "fail":
        walk.step("fail", at, {"guidance": "告知当事人可向人民法院起诉或申请仲裁"})
        if risk and risk[1] is not None:
            closed = at + timedelta(hours=rng.uniform(1, 40))
            walk.step("risk_close", closed, {"kind": risk[0], "prevented": risk[1], "people": risk_row["people"]})
            risk_row.update(closed_at=closed, prevented=risk[1])
    elif fate == "transfer":
        walk.step("transfer", at, {"agency": rng.choice(AGENCIES)})
    elif fate == "withdraw":
        walk.step("withdraw", at, {}, reason="当事人自行和解，申请撤回")


def _write(session: Session, rng, entries: list[dict], walks: list[_Walk], risks: list[dict | None]) -> None:
    """Insert the entries, their parties, risks and events in bulk (COPY on PostgreSQL; the ORM's bulk path would
    return ids row by row)."""
    insert_rows(session, Dispute.__table__, entries)
    by_number = dict(session.execute(select(Dispute.number, Dispute.id)).all())  # the demo's are the only entries
    parties, risk_rows, events = [], [], []
    for entry, walk, risk in zip(entries, walks, risks):
        dispute_id = by_number[entry["number"]]
        parties += [{"dispute_id": dispute_id, "name": person(rng), "phone": mobile(rng), "role": role}
                    for role in ("申请人", "被申请人")]
        if risk is not None:
            risk_rows.append({"dispute_id": dispute_id, **risk})
        events += [{"dispute_id": dispute_id, **event} for event in walk.events]
    for table, rows in ((DisputeParty, parties), (DisputeRisk, risk_rows), (DisputeEvent, events)):
        insert_rows(session, table.__table__, rows)
    analyze(session, Dispute.__table__, DisputeEvent.__table__, DisputeRisk.__table__)
