"""Factories for every model: `make.lawyer(city=..., areas=["labour"])` adds a valid row with overrides."""
from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta, timezone

from werkzeug.security import generate_password_hash

from hotline import models as m
from hotline.services import servicelog

NOW = datetime(2026, 11, 27, 2, 0, tzinfo=timezone.utc)
PASSWORD = "correct horse battery"
# A cheap hash keeps the suite fast; production uses werkzeug's default.
PASSWORD_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


class Factory:
    """Creates rows in the given session; each method takes overrides for any column."""

    def __init__(self, session):
        self.session = session
        self._seq = itertools.count(1)

    def _add(self, obj):
        """Add and commit one row, then end the transaction so no lock outlives the call (SQLite)."""
        self.session.add(obj)
        self.session.commit()
        self.session.close()
        return obj

    def get(self, model, ident):
        """A fresh copy of a row, read in a transaction that is closed again at once."""
        try:
            return self.session.get(model, ident, populate_existing=True)
        finally:
            self.session.close()

    def update(self, model, ident, **values):
        """Change a row behind the app's back (as another process would) and commit."""
        obj = self.session.get(model, ident)
        for name, value in values.items():
            setattr(obj, name, value)
        self.session.commit()
        self.session.close()
        return obj

    def scalar(self, statement):
        """One value from a short read transaction."""
        try:
            return self.session.scalar(statement)
        finally:
            self.session.close()

    def scalars(self, statement) -> list:
        """All values from a short read transaction."""
        try:
            return list(self.session.scalars(statement))
        finally:
            self.session.close()

    def n(self) -> int:
        """A number unique within this factory."""
        return next(self._seq)

    def user(self, role: str = "operator", **over) -> m.User:
        n = self.n()
        values = {"username": f"{role}{n}", "name": f"{role.title()} {n}", "role": role, "password_hash": PASSWORD_HASH}
        return self._add(m.User(**(values | over)))

    def city(self, **over) -> m.City:
        n = self.n()
        values = {"code": f"city{n}", "name_en": f"City {n}", "name_zh": f"城市{n}", "latitude": 41.0, "longitude": 123.0}
        return self._add(m.City(**(values | over)))

    def ftz_area(self, **over) -> m.FtzArea:
        n = self.n()
        city = over.pop("city", None) or self.city()
        return self._add(m.FtzArea(**({"code": f"ftz{n}", "name_en": f"Area {n}", "name_zh": f"片区{n}", "city_id": city.id} | over)))

    def firm(self, **over) -> m.LawFirm:
        city = over.pop("city", None) or self.city()
        return self._add(m.LawFirm(**({"name": f"Firm {self.n()}", "city_id": city.id} | over)))

    def lawyer(self, areas=("labour",), languages=("zh",), **over) -> m.Lawyer:
        n = self.n()
        firm = over.pop("firm", None) or self.firm()
        city = over.pop("city", None)
        values = {"name": f"Lawyer {n}", "licence_no": f"L{n:08d}", "phone": f"+861380000{n:04d}",
                  "city_id": city.id if city else firm.city_id, "firm_id": firm.id}
        lawyer = m.Lawyer(**(values | over))
        lawyer.areas = [m.LawyerArea(area=area, level=2) for area in areas]
        lawyer.languages = [m.LawyerLanguage(language=language) for language in languages]
        return self._add(lawyer)

    def unavailability(self, **over) -> m.Unavailability:
        lawyer = over.pop("lawyer", None) or self.lawyer()
        values = {"lawyer_id": lawyer.id, "starts_at": NOW, "ends_at": NOW + timedelta(days=1), "reason": "court"}
        return self._add(m.Unavailability(**(values | over)))

    def project(self, needs=("company",), languages=("zh",), liaisons=(), **over) -> m.KeyProject:
        n = self.n()
        city = over.pop("city", None) or self.city()
        values = {"code": f"P-{n:05d}", "name": f"Project {n}", "city_id": city.id, "sector": "manufacturing",
                  "investment_wan": 1000, "priority": 3}
        project = m.KeyProject(**(values | over))
        project.needs = [m.ProjectNeed(area=area, is_main=index == 0) for index, area in enumerate(needs)]
        project.languages = [m.ProjectLanguage(language=language) for language in languages]
        project.liaisons = [self.session.merge(user, load=False) for user in liaisons]
        return self._add(project)

    def conflict(self, **over) -> m.Conflict:
        lawyer = over.pop("lawyer", None) or self.lawyer()
        project = over.pop("project", None) or self.project()
        return self._add(m.Conflict(**({"lawyer_id": lawyer.id, "project_id": project.id} | over)))

    def counsel(self, **over) -> m.CounselAssignment:
        project = over.pop("project", None) or self.project()
        lawyer = over.pop("lawyer", None) or self.lawyer()
        values = {"project_id": project.id, "lawyer_id": lawyer.id, "role": "primary", "started_at": NOW}
        return self._add(m.CounselAssignment(**(values | over)))

    def match_plan(self, **over) -> m.MatchPlan:
        return self._add(m.MatchPlan(**over))

    def match_plan_item(self, **over) -> m.MatchPlanItem:
        plan = over.pop("plan", None) or self.match_plan()
        project = over.pop("project", None) or self.project()
        values = {"plan_id": plan.id, "project_id": project.id, "primary_lawyer_id": self.lawyer().id,
                  "backup_lawyer_id": self.lawyer().id, "cost": 1.0}
        return self._add(m.MatchPlanItem(**(values | over)))

    def shift_type(self, **over) -> m.ShiftType:
        n = self.n()
        values = {"code": f"S{n}", "name_en": f"Shift {n}", "name_zh": f"班次{n}", "kind": "hotline",
                  "starts": time(8, 30), "ends": time(12, 0), "minutes": 210}
        return self._add(m.ShiftType(**(values | over)))

    def succession(self, **over) -> m.ShiftSuccession:
        values = {"preceding_id": self.shift_type().id, "following_id": self.shift_type().id}
        return self._add(m.ShiftSuccession(**(values | over)))

    def holiday(self, **over) -> m.PublicHoliday:
        values = {"day": date(2027, 1, 1) + timedelta(days=self.n()), "name_en": "Holiday", "name_zh": "假日"}
        return self._add(m.PublicHoliday(**(values | over)))

    def period(self, **over) -> m.DutyPeriod:
        values = {"name": f"Period {self.n()}", "starts_on": date(2026, 12, 1), "ends_on": date(2026, 12, 31)}
        return self._add(m.DutyPeriod(**(values | over)))

    def shift(self, **over) -> m.Shift:
        period = over.pop("period", None) or self.period()
        shift_type = over.pop("shift_type", None) or self.shift_type()
        day = over.pop("day", period.starts_on)
        starts = datetime.combine(day, shift_type.starts, tzinfo=timezone(timedelta(hours=8)))
        values = {"period_id": period.id, "day": day, "shift_type_id": shift_type.id, "starts_at": starts,
                  "ends_at": starts + timedelta(minutes=shift_type.minutes)}
        return self._add(m.Shift(**(values | over)))

    def seat(self, **over) -> m.SeatRequirement:
        shift = over.pop("shift", None) or self.shift()
        return self._add(m.SeatRequirement(**({"shift_id": shift.id, "seats": 2} | over)))

    def duty(self, **over) -> m.DutyAssignment:
        shift = over.pop("shift", None) or self.shift()
        lawyer = over.pop("lawyer", None) or self.lawyer()
        return self._add(m.DutyAssignment(**({"shift_id": shift.id, "lawyer_id": lawyer.id} | over)))

    def duty_request(self, **over) -> m.DutyRequest:
        lawyer = over.pop("lawyer", None) or self.lawyer()
        values = {"lawyer_id": lawyer.id, "kind": "day_off", "day": date(2026, 12, 24)}
        return self._add(m.DutyRequest(**(values | over)))

    def contact(self, **over) -> m.Contact:
        values = {"channel": "phone", "caller_phone": "+8613800138000", "legal_area": "labour", "received_at": NOW}
        return self._add(m.Contact(**(values | over)))

    def org_unit(self, kind: str = "county", parent: m.OrgUnit | None = None, **over) -> m.OrgUnit:
        """An org unit under `parent` (or at the top of a city), with its id path set."""
        n = self.n()
        city = over.pop("city", None)
        city_id = parent.city_id if parent else (city or self.city()).id
        values = {"code": f"unit{n}", "kind": kind, "name_zh": f"单位{n}", "name_en": f"Unit {n}", "city_id": city_id,
                  "parent_id": parent.id if parent else None, "latitude": 39.0, "longitude": 121.6}
        unit = m.OrgUnit(**(values | over))
        self.session.add(unit)
        self.session.flush()
        unit.path = f"{parent.path if parent else '/'}{unit.id}/"
        return self._add(unit)

    def committee(self, org_unit: m.OrgUnit | None = None, **over) -> m.MediationCommittee:
        n = self.n()
        unit = org_unit or self.org_unit()
        values = {"code": f"committee{n}", "name_zh": f"调委会{n}", "name_en": f"Committee {n}", "kind": "township",
                  "level": 1, "org_unit_id": unit.id, "city_id": unit.city_id, "capacity": 10,
                  "director_phone": f"+861390000{n:04d}"}
        return self._add(m.MediationCommittee(**(values | over)))

    def mediator(self, committee: m.MediationCommittee | None = None, **over) -> m.Mediator:
        committee = committee or self.committee()
        return self._add(m.Mediator(**({"committee_id": committee.id, "name": f"Mediator {self.n()}"} | over)))

    def risk_flag(self, **over) -> m.RiskFlag:
        contact = over.pop("contact", None) or self.contact()
        return self._add(m.RiskFlag(**({"contact_id": contact.id, "flag": "suicide", "raised_at": NOW} | over)))

    def referral(self, **over) -> m.Referral:
        contact = over.pop("contact", None) or self.contact()
        return self._add(m.Referral(**({"contact_id": contact.id, "target": "legal_aid"} | over)))

    def contact_event(self, **over) -> m.ContactEvent:
        contact = over.pop("contact", None) or self.contact()
        return self._add(m.ContactEvent(**({"contact_id": contact.id, "kind": "triaged", "at": NOW} | over)))

    def slot(self, **over) -> m.ConsultationSlot:
        lawyer = over.pop("lawyer", None) or self.lawyer()
        starts = over.pop("starts_at", NOW + timedelta(days=1, minutes=30 * self.n()))
        values = {"lawyer_id": lawyer.id, "mode": "video", "starts_at": starts, "ends_at": starts + timedelta(minutes=30)}
        return self._add(m.ConsultationSlot(**(values | over)))

    def counsel_request(self, **over) -> m.CounselRequest:
        project = over.pop("project", None) or self.project()
        liaison = over.pop("liaison", None) or self.user("liaison")
        values = {"project_id": project.id, "liaison_id": liaison.id, "legal_area": "company", "mode": "video"}
        return self._add(m.CounselRequest(**(values | over)))

    def request_window(self, **over) -> m.RequestWindow:
        request = over.pop("request", None) or self.counsel_request()
        values = {"request_id": request.id, "starts_at": NOW, "ends_at": NOW + timedelta(hours=4)}
        return self._add(m.RequestWindow(**(values | over)))

    def attachment(self, **over) -> m.Attachment:
        request = over.pop("request", None) or self.counsel_request()
        values = {"request_id": request.id, "filename": "contract.pdf", "content_type": "application/pdf",
                  "size_bytes": 1024, "sha256": "a" * 64}
        return self._add(m.Attachment(**(values | over)))

    def booking(self, **over) -> m.Booking:
        slot = over.pop("slot", None) or self.slot()
        request = over.pop("request", None) or self.counsel_request()
        values = {"request_id": request.id, "slot_id": slot.id, "lawyer_id": slot.lawyer_id, "mode": slot.mode,
                  "starts_at": slot.starts_at, "ends_at": slot.ends_at}
        return self._add(m.Booking(**(values | over)))

    def service(self, now: datetime = NOW, **over) -> m.ServiceRecord:
        values = {"kind": "hotline", "started_at": now - timedelta(minutes=10), "ended_at": now, "outcome": "answered"}
        record = servicelog.append(self.session, servicelog.ServiceEntry(**(values | over)), now)
        self.session.commit()
        self.session.close()
        return record

    def follow_up(self, **over) -> m.FollowUp:
        record = over.pop("record", None) or self.service()
        return self._add(m.FollowUp(**({"service_record_id": record.id, "due_at": NOW} | over)))

    def outbox(self, **over) -> m.OutboxMessage:
        values = {"kind": "sms", "to_number": "+8613800138000", "body": "hello"}
        return self._add(m.OutboxMessage(**(values | over)))

    def api_client(self, token: str = "secret-token", **over) -> m.ApiClient:
        from hotline.models.apiclient import token_digest

        values = {"name": f"Client {self.n()}", "token_sha256": token_digest(token),
                  "scopes": "bookings contacts escalate on-duty"}
        return self._add(m.ApiClient(**(values | over)))

    def job(self, **over) -> m.Job:
        return self._add(m.Job(**({"kind": "roster_solve"} | over)))
