"""Demo law firms, lawyers, key projects and user accounts."""
from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy import insert, select
from sqlalchemy.orm import Session
from werkzeug.security import generate_password_hash

from hotline.demo.names import COMPANY_WORDS, FIRM_WORDS, FOREIGN_INVESTORS, PROJECT_WORDS, mobile, person
from hotline.models import (
    City,
    FtzArea,
    KeyProject,
    LawFirm,
    Lawyer,
    LawyerArea,
    LawyerLanguage,
    ProjectLanguage,
    ProjectNeed,
    User,
    project_liaisons,
)
from hotline.vocab import LEGAL_AREAS, SECTORS

DEMO_PASSWORD = "demo-12348"
PROJECT_COUNT = 2885
LAWYER_COUNT = 420
FTZ_LAWYERS = 160
FIRM_COUNT = 64

# Share of lawyers (and firms) by city: the provincial capital and Dalian have most of the bar.
CITY_WEIGHTS = {
    "shenyang": 30, "dalian": 26, "anshan": 6, "fushun": 4, "benxi": 3, "dandong": 4, "jinzhou": 4,
    "yingkou": 6, "fuxin": 2, "liaoyang": 3, "panjin": 3, "tieling": 2, "chaoyang": 2, "huludao": 3,
}
# What the FTZ team knows: commercial work first.
FTZ_AREAS_OF_LAW = ("company", "foreign_investment", "contracts_debts", "ip", "finance", "construction",
                    "labour", "administrative", "land_rural")
SECTOR_NEEDS = {
    "manufacturing": ("company", "labour", "ip", "contracts_debts"),
    "petrochemical": ("construction", "administrative", "company", "land_rural"),
    "logistics": ("contracts_debts", "company", "foreign_investment"),
    "energy": ("construction", "administrative", "land_rural", "finance"),
    "digital": ("ip", "company", "contracts_debts"),
    "biomedicine": ("ip", "company", "administrative"),
    "agriculture": ("land_rural", "contracts_debts", "labour"),
    "tourism": ("land_rural", "construction", "company"),
    "finance": ("finance", "company", "foreign_investment"),
    "infrastructure": ("construction", "administrative", "land_rural", "contracts_debts"),
}


@dataclass
class Demo:
    """Ids created so far, for the later steps."""

    cities: dict[str, City]
    admin_id: int = 0
    operator_ids: tuple[int, ...] = ()
    supervisor_ids: tuple[int, ...] = ()
    lawyer_ids: tuple[int, ...] = ()
    project_ids: tuple[int, ...] = ()


def _weighted_city(rng: random.Random) -> str:
    return rng.choices(list(CITY_WEIGHTS), weights=list(CITY_WEIGHTS.values()))[0]


def _user(username: str, name: str, role: str, password_hash: str, **extra) -> dict:
    return {"username": username, "name": name, "role": role, "password_hash": password_hash,
            "is_supervisor": False, "active": True, "must_change_password": False, **extra}


def load_users(session: Session, rng: random.Random, demo: Demo) -> None:
    """The coordinator, hotline operators (three supervisors) and the demo logins."""
    password_hash = generate_password_hash(DEMO_PASSWORD)
    rows = [_user("admin", "省厅协调员 刘静", "admin", password_hash, email="admin@12348.example.cn")]
    rows.append(_user("supervisor", "值班主管 王强", "operator", password_hash, is_supervisor=True, phone=mobile(rng)))
    rows.append(_user("operator", "话务员 陈晓", "operator", password_hash, phone=mobile(rng)))
    for index in range(1, 13):
        rows.append(_user(f"operator{index:02d}", person(rng), "operator", password_hash,
                          is_supervisor=index <= 2, phone=mobile(rng)))
    session.execute(insert(User), rows)
    # a coordinator of the Dalian bureau of justice, who sees and plans Dalian only
    session.execute(insert(User), [_user("bureau", "大连市局协调员 赵敏", "admin", password_hash,
                                         city_id=demo.cities["dalian"].id)])
    users = {u.username: u for u in session.scalars(select(User))}
    demo.admin_id = users["admin"].id
    demo.operator_ids = tuple(u.id for u in users.values() if u.role == "operator")
    demo.supervisor_ids = tuple(u.id for u in users.values() if u.is_supervisor)


def load_firms_and_lawyers(session: Session, rng: random.Random, demo: Demo) -> None:
    """Law firms across the cities and their lawyers, 160 of them on the FTZ team; 'lawyer' signs in as one."""
    firm_rows, names = [], set()
    for index in range(FIRM_COUNT):
        city = list(CITY_WEIGHTS)[index] if index < len(CITY_WEIGHTS) else _weighted_city(rng)
        name = ""
        for _attempt in range(50):
            prefix = rng.choice((demo.cities[city].name_zh, "辽宁"))
            name = f"{prefix}{rng.choice(FIRM_WORDS)}律师事务所"
            if name not in names:
                break
        else:
            name = f"{demo.cities[city].name_zh}第{index}律师事务所"
        names.add(name)
        firm_rows.append({"name": name, "city_id": demo.cities[city].id})
    session.execute(insert(LawFirm), firm_rows)
    firms = list(session.scalars(select(LawFirm).order_by(LawFirm.id)))
    firms_by_city: dict[int, list[LawFirm]] = {}
    for firm in firms:
        firms_by_city.setdefault(firm.city_id, []).append(firm)

    lawyer_rows, area_rows, language_rows = [], [], []
    for index in range(LAWYER_COUNT):
        ftz = index < FTZ_LAWYERS
        city_code = rng.choice(("shenyang", "dalian", "yingkou", "shenyang", "dalian")) if ftz else _weighted_city(rng)
        city = demo.cities[city_code]
        firm = rng.choice(firms_by_city.get(city.id) or firms)
        lawyer_rows.append({
            "name": person(rng), "licence_no": f"1210{2010 + index % 15}{index:06d}", "phone": mobile(rng),
            "city_id": city.id, "firm_id": firm.id, "ftz_team": ftz, "active": True,
            "max_duties_per_month": rng.choice((6, 8, 8, 10)), "min_minutes_per_month": 0,
            "max_minutes_per_month": rng.choice((1800, 2400, 3000)), "max_consecutive_days": rng.choice((3, 4, 5)),
            "min_days_off_between": 1, "max_weekends": rng.choice((1, 2, 2, 3)),
            "monthly_hours_available": rng.randrange(120, 210, 10) if ftz else 0,
            "max_projects": rng.randrange(40, 61) if ftz else 0,
        })
    session.execute(insert(Lawyer), lawyer_rows)
    lawyers = list(session.scalars(select(Lawyer).order_by(Lawyer.id)))
    # A follow-up visit after mediation is a kind of service, not an area a lawyer practises (the database refuses it).
    general = [area for area in LEGAL_AREAS if area not in ("notarization", "judicial_appraisal", "mediation_follow_up")]
    for lawyer in lawyers:
        pool = FTZ_AREAS_OF_LAW if lawyer.ftz_team else general
        for area in rng.sample(pool, rng.randint(3, 5) if lawyer.ftz_team else rng.randint(2, 4)):
            area_rows.append({"lawyer_id": lawyer.id, "area": area, "level": rng.choice((1, 2, 2, 3))})
        languages = {"zh"}
        chances = {"en": 0.5, "ko": 0.3, "ja": 0.25, "ru": 0.2} if lawyer.ftz_team else {"ko": 0.06, "mn": 0.02, "en": 0.05}
        for language, chance in chances.items():
            if rng.random() < chance:
                languages.add(language)
        language_rows += [{"lawyer_id": lawyer.id, "language": code} for code in sorted(languages)]
    session.execute(insert(LawyerArea), area_rows)
    session.execute(insert(LawyerLanguage), language_rows)
    demo.lawyer_ids = tuple(lawyer.id for lawyer in lawyers)

    # The demo lawyer login is an FTZ-team lawyer in Shenyang; a few more lawyers can sign in too.
    password_hash = session.scalar(select(User.password_hash).where(User.id == demo.admin_id))
    shenyang_ftz = next(l for l in lawyers if l.ftz_team and l.city_id == demo.cities["shenyang"].id)
    others = [l for l in lawyers[FTZ_LAWYERS:FTZ_LAWYERS + 20]]
    for username, lawyer in [("lawyer", shenyang_ftz)] + [(f"lawyer{i:02d}", l) for i, l in enumerate(others, 1)]:
        session.execute(insert(User), [_user(username, lawyer.name, "lawyer", password_hash, phone=lawyer.phone)])
        lawyer.user_id = session.scalar(select(User.id).where(User.username == username))
    session.flush()


def load_projects(session: Session, rng: random.Random, demo: Demo) -> None:
    """Exactly 2,885 key projects, most in the three FTZ areas, with needs, languages and liaisons."""
    areas = {area.code: area for area in session.scalars(select(FtzArea))}
    placement = [("shenyang", "shenyang", 0.30), ("dalian", "dalian", 0.32), ("yingkou", "yingkou", 0.13)]
    rows, need_rows, language_rows = [], [], []
    others = [code for code in CITY_WEIGHTS]
    for index in range(PROJECT_COUNT):
        draw, area_code, city_code = rng.random(), None, None
        cumulative = 0.0
        for city, area, share in placement:
            cumulative += share
            if draw < cumulative:
                city_code, area_code = city, area
                break
        if city_code is None:
            city_code = rng.choice(others)
        city = demo.cities[city_code]
        sector = rng.choice(list(SECTORS))
        foreign = rng.random() < (0.35 if area_code else 0.12)
        language = rng.choice(("ko", "ja", "en", "en", "ru")) if foreign else None
        investor = rng.choice(FOREIGN_INVESTORS[language]) if language else f"{rng.choice(COMPANY_WORDS)}集团"
        name = f"{city.name_zh}{rng.choice(COMPANY_WORDS)}{rng.choice(PROJECT_WORDS[sector])}项目"
        rows.append({
            "code": f"LN-{2026 if index % 4 else 2025}-{index + 1:04d}", "name": name, "city_id": city.id,
            "ftz_area_id": areas[area_code].id if area_code else None, "sector": sector,
            "investment_wan": round(rng.lognormvariate(10.3, 1.0), 2), "priority": rng.choices((1, 2, 3, 4, 5), (5, 20, 40, 25, 10))[0],
            "expected_monthly_hours": rng.choice((1, 2, 2, 3, 3, 4, 6)), "investor": investor, "status": "active",
        })
        needs = rng.sample(SECTOR_NEEDS[sector], rng.randint(1, min(3, len(SECTOR_NEEDS[sector]))))
        if foreign and "foreign_investment" not in needs and rng.random() < 0.5:
            needs.append("foreign_investment")
        need_rows.append([(area, position == 0) for position, area in enumerate(needs)])
        language_rows.append(["zh"] + ([language] if language else []))
    session.execute(insert(KeyProject), rows)
    project_ids = list(session.scalars(select(KeyProject.id).order_by(KeyProject.id)))
    session.execute(insert(ProjectNeed), [
        {"project_id": pid, "area": area, "is_main": main} for pid, needs in zip(project_ids, need_rows) for area, main in needs
    ])
    session.execute(insert(ProjectLanguage), [
        {"project_id": pid, "language": code} for pid, codes in zip(project_ids, language_rows) for code in codes
    ])
    demo.project_ids = tuple(project_ids)
    _load_liaisons(session, rng, demo)


def _load_liaisons(session: Session, rng: random.Random, demo: Demo) -> None:
    """One liaison account per few projects; 'liaison' looks after six projects in Dalian and Shenyang."""
    password_hash = session.scalar(select(User.password_hash).where(User.id == demo.admin_id))
    projects = list(demo.project_ids)
    rows, links, index, position = [], [], 0, 0
    while position < len(projects):
        index += 1
        size = 6 if index == 1 else rng.randint(4, 9)
        username = "liaison" if index == 1 else f"liaison{index:03d}"
        rows.append(_user(username, f"项目联络员 {person(rng)}", "liaison", password_hash, phone=mobile(rng)))
        links.append(projects[position:position + size])
        position += size
    session.execute(insert(User), rows)
    ids = dict(session.execute(select(User.username, User.id).where(User.role == "liaison")).all())
    session.execute(insert(project_liaisons), [
        {"project_id": pid, "user_id": ids[row["username"]]} for row, group in zip(rows, links) for pid in group
    ])
