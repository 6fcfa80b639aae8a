"""The demo's people's mediation: in each of the 14 cities three districts or counties, four townships or streets in
each, five villages or communities in each township; a committee in every village, community and township, and in
every county a key-and-difficult committee, two industry committees and rooms at the court, the police and the
petition office; two mediators each, some of them duty lawyers."""
from __future__ import annotations

import random

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.demo.names import mobile, person
from hotline.models import City, Lawyer, MediationCommittee, Mediator, OrgUnit, User

COUNTY_SUFFIXES = ("区", "区", "县")
TOWN_WORDS = ("城关", "新兴", "长青", "和平", "胜利", "红旗", "东风", "向阳", "兴隆", "太平", "永安", "富民")
VILLAGE_WORDS = ("前屯", "后屯", "东沟", "西岭", "南湾", "北台", "大营", "小河", "柳树", "杨家", "李家", "王家")
INDUSTRY = (("medical", "医疗纠纷"), ("traffic", "交通事故纠纷"), ("labour", "劳动争议"), ("property", "物业纠纷"))
STATIONED = (("court", "驻法院"), ("police", "驻公安"), ("petition", "驻信访"))


def load(session: Session, seed: int) -> str:
    """Add the org units, committees and mediators; returns the sentence the demo prints."""
    rng = random.Random(seed * 7919 + 19)
    lawyers = list(session.scalars(select(Lawyer.id).order_by(Lawyer.id)))
    counts = {"units": 0, "committees": 0, "mediators": 0}
    number = 0

    def unit(city: City, kind: str, code: str, zh: str, en: str, parent: OrgUnit | None, lat: float, lon: float):
        row = OrgUnit(code=code, kind=kind, name_zh=zh, name_en=en, city_id=city.id,
                      parent_id=parent.id if parent else None, latitude=lat, longitude=lon)
        session.add(row)
        session.flush()
        row.path = f"{parent.path if parent else '/'}{row.id}/"
        counts["units"] += 1
        return row

    def committee(city: City, place: OrgUnit, kind: str, level: int, zh: str, en: str, **over):
        nonlocal number
        number += 1
        row = MediationCommittee(code=f"TWH{number:05d}", name_zh=zh, name_en=en, kind=kind, level=level,
                                 org_unit_id=place.id, city_id=city.id,
                                 director_phone=mobile(rng), **over)
        session.add(row)
        session.flush()
        for seat in range(2):
            lawyer_id = rng.choice(lawyers) if lawyers and seat == 1 and rng.random() < 0.3 else None
            session.add(Mediator(committee_id=row.id, name=person(rng), lawyer_id=lawyer_id,
                                 phone=mobile(rng)))
            counts["mediators"] += 1
        counts["committees"] += 1

    for city in session.scalars(select(City).order_by(City.id)):
        for c in range(3):
            lat, lon = city.latitude + rng.uniform(-0.3, 0.3), city.longitude + rng.uniform(-0.3, 0.3)
            suffix = COUNTY_SUFFIXES[c]
            county = unit(city, "county", f"{city.code}-c{c + 1}", f"{city.name_zh}第{c + 1}{suffix}",
                          f"{city.name_en} {'County' if suffix == '县' else 'District'} {c + 1}", None, lat, lon)
            committee(city, county, "county_key", 2, f"{county.name_zh}重大疑难纠纷人民调解委员会",
                      f"{county.name_en} key and difficult disputes committee", senior=True, capacity=40)
            for kind, zh in rng.sample(INDUSTRY, 2):
                committee(city, county, kind, 2, f"{county.name_zh}{zh}人民调解委员会",
                          f"{county.name_en} {kind} committee", dispute_types=kind, capacity=25,
                          senior=rng.random() < 0.5)
            for kind, zh in STATIONED:
                committee(city, county, kind, 2, f"{county.name_zh}{zh}人民调解工作室",
                          f"{county.name_en} mediation room ({kind})", senior=True, capacity=20)
            for t in range(4):
                word = TOWN_WORDS[(c * 4 + t) % len(TOWN_WORDS)]
                town = unit(city, "township", f"{county.code}-t{t + 1}", f"{word}{'街道' if suffix == '区' else '镇'}",
                            f"{'Street' if suffix == '区' else 'Township'} {c + 1}-{t + 1}", county,
                            lat + rng.uniform(-0.08, 0.08), lon + rng.uniform(-0.08, 0.08))
                committee(city, town, "township", 1, f"{town.name_zh}人民调解委员会", f"{town.name_en} committee",
                          senior=rng.random() < 0.3, capacity=12,
                          languages="zh,ko" if city.code in ("dandong", "shenyang") and t == 0 else "zh")
                for v in range(5):
                    kind = "community" if suffix == "区" else "village"
                    name = f"{VILLAGE_WORDS[(t * 5 + v) % len(VILLAGE_WORDS)]}{'社区' if kind == 'community' else '村'}"
                    place = unit(city, kind, f"{town.code}-v{v + 1}", name,
                                 f"{'Community' if kind == 'community' else 'Village'} {c + 1}-{t + 1}-{v + 1}", town,
                                 town.latitude + rng.gauss(0, 0.02), town.longitude + rng.gauss(0, 0.02))
                    committee(city, place, kind, 0, f"{town.name_zh}{name}人民调解委员会", f"{place.name_en} committee",
                              capacity=5)
    _ledger_logins(session, rng)
    return (f"Mediation: {counts['units']} counties, townships and villages; {counts['committees']} committees "
            f"with {counts['mediators']} mediators.")


def _ledger_logins(session: Session, rng: random.Random) -> None:
    """The ledger's demo logins in Dalian: a district's bureau coordinator (`county`), a street's (`township`), and a
    mediator of that street's committee (`mediator`)."""
    from werkzeug.security import generate_password_hash

    from hotline.demo.people import DEMO_PASSWORD, _user

    password_hash = generate_password_hash(DEMO_PASSWORD)
    district = session.scalar(select(OrgUnit).where(OrgUnit.code == "dalian-c1"))
    street = session.scalar(select(OrgUnit).where(OrgUnit.code == "dalian-c1-t1"))
    if district is None or street is None:
        return
    rows = [_user("county", f"{district.name_zh}司法局协调员 孙丽", "bureau", password_hash, phone=mobile(rng),
                  city_id=district.city_id, org_unit_id=district.id),
            _user("township", f"{street.name_zh}司法所所长 周涛", "bureau", password_hash, phone=mobile(rng),
                  city_id=street.city_id, org_unit_id=street.id),
            _user("mediator", f"{street.name_zh}人民调解员 吴芳", "mediator", password_hash, phone=mobile(rng))]
    session.add_all(User(**row) for row in rows)
    session.flush()
    mediator_user = session.scalar(select(User).where(User.username == "mediator"))
    committee = session.scalar(select(MediationCommittee).where(MediationCommittee.org_unit_id == street.id,
                                                                MediationCommittee.kind == "township"))
    member = session.scalar(select(Mediator).where(Mediator.committee_id == committee.id).order_by(Mediator.id))
    member.user_id, member.name, member.phone = mediator_user.id, mediator_user.name, mediator_user.phone
