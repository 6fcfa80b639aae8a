"""The four registers a department keeps in its spreadsheets: law firms, lawyers, key projects and liaisons.

Each register names its key column (what an upsert matches on: a firm's name, a lawyer's licence number, a
project's code, a liaison's username), its columns in both languages, how a record reads as values (to compare
with a row, and to export) and how values are written onto a record. The import, the export, the template and the
add and edit pages all go through these, so a form and a spreadsheet row are checked by the same rules.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Callable

from flask_babel import force_locale
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from hotline import vocab
from hotline.models import City, FtzArea, KeyProject, LawFirm, Lawyer, User
from hotline.models.lawyer import LawyerArea, LawyerLanguage
from hotline.models.project import ProjectLanguage, ProjectNeed
from hotline.registers import columns as c
from hotline.registers.columns import Column


@dataclass
class Register:
    """One register: its key, its columns, and how records read and are written."""

    kind: str
    key: str
    columns: list[Column]
    load: Callable[[Session], list]
    key_of: Callable[[Any], str]
    values_of: Callable[[Any], dict]
    write: Callable[[Session, Any, dict], Any]
    defaults: dict = field(default_factory=dict)
    deactivate_field: str = "active"

    def column(self, key: str) -> Column:
        return next(col for col in self.columns if col.key == key)

    @property
    def required(self) -> list[Column]:
        return [col for col in self.columns if col.required]


# -- law firms --

def _firm_values(firm: LawFirm) -> dict:
    return {"name": firm.name, "city": firm.city_id, "active": firm.active}


def _copy(record, values: dict, attributes) -> None:
    """Set each (column key, attribute) the values name; a key the values do not hold is left as it is."""
    for key, attribute in attributes:
        if key in values:
            setattr(record, attribute, values[key])


def _write_firm(session: Session, firm: LawFirm | None, values: dict) -> LawFirm:
    if firm is None:
        firm = LawFirm(name=values["name"], city_id=values["city"])
        session.add(firm)
    _copy(firm, values, (("name", "name"), ("city", "city_id"), ("active", "active")))
    return firm


FIRMS = Register(
    kind="firms", key="name",
    columns=[
        Column("name", "Name", "律所名称", c.text(200), required=True),
        Column("city", "City", "所在城市", c.city, required=True, note_en="a city's name or code",
               note_zh="城市名称或代码"),
        Column("active", "Active", "是否有效", c.yes_no, note_en="yes or no; blank: yes", note_zh="是或否；空白为是"),
    ],
    load=lambda session: list(session.scalars(select(LawFirm).order_by(LawFirm.name))),
    key_of=lambda firm: firm.name, values_of=_firm_values, write=_write_firm, defaults={"active": True},
)


# -- lawyers --

LAWYER_NUMBERS = (
    # column key, attribute, English, Chinese, reader
    ("monthly_hours", "monthly_hours_available", "Counsel hours a month", "每月顾问服务小时", c.whole(0, 400)),
    ("max_projects", "max_projects", "Projects at most", "最多服务项目数", c.whole(0, 200)),
    ("max_duties", "max_duties_per_month", "Duties a month at most", "每月值班次数上限", c.whole(0, 62)),
    ("min_hours", "min_minutes_per_month", "Duty hours a month at least", "每月值班小时下限", c.hours_as_minutes(0, 333)),
    ("max_hours", "max_minutes_per_month", "Duty hours a month at most", "每月值班小时上限", c.hours_as_minutes(0, 333)),
    ("max_consecutive", "max_consecutive_days", "Days in a row at most", "最多连续值班天数", c.whole(1, 31)),
    ("min_days_off", "min_days_off_between", "Days off in a row at least", "至少连续休息天数", c.whole(0, 31)),
    ("max_weekends", "max_weekends", "Weekends a month at most", "每月周末值班上限", c.whole(0, 10)),
    ("max_consultations", "max_consultations_per_day", "Consultations a day at most", "每日咨询上限", c.whole(0, 48)),
)


def _lawyer_values(lawyer: Lawyer) -> dict:
    values = {"licence_no": lawyer.licence_no, "name": lawyer.name, "phone": lawyer.phone, "firm": lawyer.firm_id,
              "city": lawyer.city_id, "areas": {a.area: a.level for a in lawyer.areas},
              "languages": frozenset(lawyer.language_codes()), "ftz_team": lawyer.ftz_team,
              "on_duty_roster": lawyer.on_duty_roster, "account": lawyer.user_id, "active": lawyer.active}
    for key, attribute, *_ in LAWYER_NUMBERS:
        values[key] = getattr(lawyer, attribute)
    return values


def _write_lawyer(session: Session, lawyer: Lawyer | None, values: dict) -> Lawyer:
    if lawyer is None:
        lawyer = Lawyer(licence_no=values["licence_no"], areas=[], languages=[])
        session.add(lawyer)
    _copy(lawyer, values, (("licence_no", "licence_no"), ("name", "name"), ("phone", "phone"), ("firm", "firm_id"),
                           ("city", "city_id"), ("ftz_team", "ftz_team"), ("on_duty_roster", "on_duty_roster"),
                           ("account", "user_id"), ("active", "active")))
    _copy(lawyer, values, [(key, attribute) for key, attribute, *_ in LAWYER_NUMBERS])
    if "areas" in values:
        keep = {a.area: a for a in lawyer.areas}
        lawyer.areas = [LawyerArea(area=area, level=level) if area not in keep else _set(keep[area], level=level)
                        for area, level in sorted(values["areas"].items())]
    if "languages" in values:
        keep = {item.language: item for item in lawyer.languages}
        lawyer.languages = [keep.get(code) or LawyerLanguage(language=code) for code in sorted(values["languages"])]
    return lawyer


def _set(record, **values):
    for name, value in values.items():
        setattr(record, name, value)
    return record


LAWYERS = Register(
    kind="lawyers", key="licence_no",
    columns=[
        Column("licence_no", "Licence number", "执业证号", c.pattern(c.LICENCE, "bad_licence"), required=True),
        Column("name", "Name", "姓名", c.text(120), required=True),
        Column("phone", "Mobile", "手机号码", c.phone, required=True),
        Column("firm", "Law firm", "执业机构", c.firm, required=True, note_en="as named in the firms register",
               note_zh="与律所名录中的名称一致"),
        Column("city", "City", "所在城市", c.city, required=True),
        Column("areas", "Legal areas (level 1-3)", "业务领域（等级1-3）", c.areas_with_level, required=True,
               note_en="e.g. labour:3; company:2 (1 competent, 2 experienced, 3 expert)",
               note_zh="例如 劳动争议:3；公司商事:2（1胜任，2熟练，3专家）"),
        Column("languages", "Languages", "工作语言", c.languages, note_en="e.g. Mandarin; Korean",
               note_zh="例如 普通话；韩语"),
        Column("ftz_team", "FTZ team", "自贸区律师服务团成员", c.yes_no),
        Column("on_duty_roster", "Takes hotline duties", "参加热线值班", c.yes_no),
        *[Column(key, en, zh, reader) for key, _attribute, en, zh, reader in LAWYER_NUMBERS],
        Column("account", "Sign-in account", "登录账号", c.account, note_en="a lawyer account's username",
               note_zh="律师账号的用户名"),
        Column("active", "Active", "是否有效", c.yes_no),
    ],
    load=lambda session: list(session.scalars(select(Lawyer).options(
        selectinload(Lawyer.areas), selectinload(Lawyer.languages)).order_by(Lawyer.name))),
    key_of=lambda lawyer: lawyer.licence_no, values_of=_lawyer_values, write=_write_lawyer,
    defaults={"languages": frozenset({"zh"}), "ftz_team": False, "on_duty_roster": True, "monthly_hours": 0,
              "max_projects": 0, "max_duties": 8, "min_hours": 0, "max_hours": 2400, "max_consecutive": 3,
              "min_days_off": 1, "max_weekends": 2, "max_consultations": 6, "account": None, "active": True},
)


# -- key projects --

def _project_values(project: KeyProject) -> dict:
    needs = sorted(project.needs, key=lambda n: (not n.is_main, n.area))
    return {"code": project.code, "name": project.name, "city": project.city_id, "ftz_area": project.ftz_area_id,
            "sector": project.sector, "investment": Decimal(project.investment_wan).quantize(Decimal("0.01")),
            "priority": project.priority, "needs": tuple(n.area for n in needs),
            "languages": frozenset(l.language for l in project.languages),
            "hours": project.expected_monthly_hours, "investor": project.investor, "status": project.status}


def _write_project(session: Session, project: KeyProject | None, values: dict) -> KeyProject:
    if project is None:
        project = KeyProject(code=values["code"], needs=[], languages=[])
        session.add(project)
    _copy(project, values, (("code", "code"), ("name", "name"), ("city", "city_id"), ("ftz_area", "ftz_area_id"),
                            ("sector", "sector"), ("investment", "investment_wan"), ("priority", "priority"),
                            ("hours", "expected_monthly_hours"), ("investor", "investor"), ("status", "status")))
    if "needs" in values:
        keep = {n.area: n for n in project.needs}
        project.needs = [_set(keep[area], is_main=index == 0) if area in keep
                         else ProjectNeed(area=area, is_main=index == 0) for index, area in enumerate(values["needs"])]
    if "languages" in values:
        keep = {item.language: item for item in project.languages}
        project.languages = [keep.get(code) or ProjectLanguage(language=code) for code in sorted(values["languages"])]
    return project


PROJECTS = Register(
    kind="projects", key="code",
    columns=[
        Column("code", "Project code", "项目编号", c.pattern(c.PROJECT_CODE, "bad_code"), required=True),
        Column("name", "Project name", "项目名称", c.text(200), required=True),
        Column("city", "City", "所在城市", c.city, required=True),
        Column("ftz_area", "FTZ area", "自贸区片区", c.ftz_area, note_en="blank: outside the FTZ", note_zh="空白表示不在自贸区"),
        Column("sector", "Sector", "行业", c.sector, required=True),
        Column("investment", "Investment (10,000 yuan)", "投资额（万元）", c.amount(0, 1e12), required=True),
        Column("priority", "Priority (1-5)", "优先级（1-5）", c.whole(1, 5)),
        Column("needs", "Legal needs", "法律需求", c.areas, required=True,
               note_en="legal areas, the main one first", note_zh="业务领域，主要需求写在最前"),
        Column("languages", "Languages", "服务语言", c.languages),
        Column("hours", "Expected hours a month", "预计每月服务小时", c.whole(0, 400)),
        Column("investor", "Investor", "投资方", c.text(200)),
        Column("status", "Status", "状态", c.project_status, note_en="active, completed or suspended",
               note_zh="进行中、已完成或暂停"),
    ],
    load=lambda session: list(session.scalars(select(KeyProject).options(
        selectinload(KeyProject.needs), selectinload(KeyProject.languages)).order_by(KeyProject.code))),
    key_of=lambda project: project.code, values_of=_project_values, write=_write_project,
    defaults={"ftz_area": None, "priority": 3, "languages": frozenset({"zh"}), "hours": 4, "investor": "",
              "status": "active"},
    deactivate_field="status",
)


# -- liaisons --

def _liaison_values(user: User) -> dict:
    projects = getattr(user, "_project_ids", None)
    if projects is None:
        projects = _project_ids(Session.object_session(user), [user.id]).get(user.id, frozenset())
    return {"username": user.username, "name": user.name, "phone": user.phone, "email": user.email,
            "projects": projects, "active": user.active}


def _project_ids(session: Session | None, user_ids: list[int] | None = None) -> dict[int, frozenset[int]]:
    """The projects each liaison speaks for, in one query."""
    from hotline.models.project import project_liaisons

    if session is None:
        return {}
    query = select(project_liaisons.c.user_id, project_liaisons.c.project_id)
    if user_ids is not None:
        query = query.where(project_liaisons.c.user_id.in_([u for u in user_ids if u is not None]))
    found: dict[int, set[int]] = {}
    for user_id, project_id in session.execute(query):
        found.setdefault(user_id, set()).add(project_id)
    return {user_id: frozenset(ids) for user_id, ids in found.items()}


def _load_liaisons(session: Session) -> list[User]:
    users = list(session.scalars(select(User).where(User.role == "liaison").order_by(User.username)))
    links = _project_ids(session)
    for user in users:
        user._project_ids = links.get(user.id, frozenset())
    return users


def _write_liaison(session: Session, user: User | None, values: dict) -> User:
    from sqlalchemy import delete, insert

    from hotline.models.project import project_liaisons

    if user is None:
        # No one knows this password: the coordinator sets a first one, which the liaison must change.
        user = User(username=values["username"], role="liaison", must_change_password=True)
        user.set_password(secrets.token_urlsafe(32))
        session.add(user)
    _copy(user, values, [(key, key) for key in ("username", "name", "phone", "email", "active")])
    if "projects" in values:
        session.flush()
        now_linked = _project_ids(session, [user.id]).get(user.id, frozenset())
        wanted = values["projects"]
        if wanted - now_linked:
            session.execute(insert(project_liaisons), [{"project_id": pid, "user_id": user.id}
                                                       for pid in sorted(wanted - now_linked)])
        if now_linked - wanted:
            session.execute(delete(project_liaisons).where(project_liaisons.c.user_id == user.id,
                                                           project_liaisons.c.project_id.in_(now_linked - wanted)))
        user._project_ids = frozenset(wanted)
    return user


LIAISONS = Register(
    kind="liaisons", key="username",
    columns=[
        Column("username", "Username", "用户名", c.username, required=True),
        Column("name", "Name", "姓名", c.text(120), required=True),
        Column("phone", "Mobile", "手机号码", c.phone, required=True),
        Column("email", "Email", "电子邮箱", c.email),
        Column("projects", "Project codes", "联系的项目编号", c.project_codes,
               note_en="codes from the projects register", note_zh="项目名录中的项目编号"),
        Column("active", "Active", "是否有效", c.yes_no),
    ],
    load=_load_liaisons,
    key_of=lambda user: user.username, values_of=_liaison_values, write=_write_liaison,
    defaults={"email": None, "projects": frozenset(), "active": True},
)

REGISTERS = {r.kind: r for r in (FIRMS, LAWYERS, PROJECTS, LIAISONS)}


# -- values as a spreadsheet or a page shows them --

def shown(register: Register, key: str, value, language: str, names: "Names") -> str | int | float:
    """A value as its column's text, in the language of the headers (what an import reads back)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return ("是" if value else "否") if language.startswith("zh") else ("yes" if value else "no")
    if key == "city":
        return names.city(value, language)
    if key == "ftz_area":
        return names.ftz_area(value, language)
    if key == "firm":
        return names.firm(value)
    if key == "account":
        return names.username(value)
    if key == "sector":
        return names.label(vocab.SECTORS, value, language)
    if key == "status" and register.kind == "projects":
        return {"active": "进行中", "completed": "已完成", "suspended": "暂停"}[value] if language.startswith("zh") \
            else value
    if key == "areas" and isinstance(value, dict):
        return "; ".join(f"{names.label(vocab.LEGAL_AREAS, a, language)}:{level}" for a, level in sorted(value.items()))
    if key in ("needs",):
        return "; ".join(names.label(vocab.LEGAL_AREAS, a, language) for a in value)
    if key == "languages":
        return "; ".join(names.label(vocab.LANGUAGES, code, language) for code in sorted(value))
    if key == "projects":
        return "; ".join(sorted(names.project_code(pid) for pid in value))
    if key in ("min_hours", "max_hours"):
        hours = value / 60
        return int(hours) if hours == int(hours) else hours
    if isinstance(value, Decimal):
        return float(value)
    return value


class Names:
    """Names of the records values point to, read once for an export or a page."""

    def __init__(self, session: Session) -> None:
        self.cities = {city.id: city for city in session.scalars(select(City))}
        self.areas = {area.id: area for area in session.scalars(select(FtzArea))}
        self.firms = dict(session.execute(select(LawFirm.id, LawFirm.name)).all())
        self.users = dict(session.execute(select(User.id, User.username)).all())
        self.projects = dict(session.execute(select(KeyProject.id, KeyProject.code)).all())
        self._labels: dict = {}

    def city(self, city_id, language):
        city = self.cities.get(city_id)
        return city.name("zh" if language.startswith("zh") else "en") if city else ""

    def ftz_area(self, area_id, language):
        area = self.areas.get(area_id)
        return area.name("zh" if language.startswith("zh") else "en") if area else ""

    def firm(self, firm_id):
        return self.firms.get(firm_id, "")

    def username(self, user_id):
        return self.users.get(user_id, "")

    def project_code(self, project_id):
        return self.projects.get(project_id, str(project_id))

    def label(self, vocabulary: dict, code: str, language: str) -> str:
        locale = "zh_Hans" if language.startswith("zh") else "en"
        key = (id(vocabulary), locale)
        if key not in self._labels:
            with force_locale(locale):
                self._labels[key] = {k: str(v) for k, v in vocabulary.items()}
        return self._labels[key].get(code, code)
