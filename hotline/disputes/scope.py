"""Who sees which part of the ledger.

A province coordinator sees every entry; a city's coordinator (an admin with a city) and a city-level bureau
coordinator see their city; a county or township bureau coordinator sees their org unit and everything below it; a
mediator sees what is dispatched to their committee. The same scope keys published reports ("province", "city:3",
"unit:/12/340/").
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort
from flask_login import current_user
from sqlalchemy import Select, select

from hotline.extensions import db
from hotline.models import Dispute, MediationCommittee, Mediator, OrgUnit

LEDGER_ROLES = ("admin", "bureau", "mediator")
PLANNERS = ("admin", "bureau")  # who register, assess, dispatch and report


@dataclass(frozen=True)
class Scope:
    """A part of the ledger: everything (all None), a city, an org unit's subtree, or one committee's entries."""

    city_id: int | None = None
    path: str | None = None
    committee_id: int | None = None

    @property
    def key(self) -> str:
        if self.committee_id is not None:
            return f"committee:{self.committee_id}"
        if self.path is not None:
            return f"unit:{self.path}"
        if self.city_id is not None:
            return f"city:{self.city_id}"
        return "province"

    @property
    def is_province(self) -> bool:
        return self.city_id is None and self.path is None and self.committee_id is None

    def disputes(self, query: Select) -> Select:
        """Keep a query over Dispute to this scope."""
        if self.committee_id is not None:
            query = query.where(Dispute.committee_id == self.committee_id)
        if self.city_id is not None:
            query = query.where(Dispute.city_id == self.city_id)
        if self.path is not None:
            query = query.where(Dispute.org_unit_id.in_(select(OrgUnit.id).where(OrgUnit.path.startswith(self.path))))
        return query

    def org_units(self, query: Select) -> Select:
        """Keep a query over OrgUnit to this scope (a mediator's: none)."""
        if self.committee_id is not None:
            return query.where(False)
        if self.city_id is not None:
            query = query.where(OrgUnit.city_id == self.city_id)
        if self.path is not None:
            query = query.where(OrgUnit.path.startswith(self.path))
        return query

    def committees(self, query: Select) -> Select:
        """Keep a query over MediationCommittee to those serving in this scope (a city's or a subtree's own)."""
        if self.committee_id is not None:
            return query.where(MediationCommittee.id == self.committee_id)
        if self.city_id is not None:
            query = query.where(MediationCommittee.city_id == self.city_id)
        if self.path is not None:
            query = query.where(MediationCommittee.org_unit_id.in_(
                select(OrgUnit.id).where(OrgUnit.path.startswith(self.path))))
        return query

    def allows(self, dispute: Dispute) -> bool:
        if self.committee_id is not None and dispute.committee_id != self.committee_id:
            return False
        if self.city_id is not None and dispute.city_id != self.city_id:
            return False
        if self.path is not None:
            unit = dispute.org_unit or db.session.get(OrgUnit, dispute.org_unit_id)
            return (unit.path or "").startswith(self.path)
        return True

    def allows_unit(self, unit: OrgUnit) -> bool:
        if self.committee_id is not None:
            return False
        if self.city_id is not None and unit.city_id != self.city_id:
            return False
        return self.path is None or (unit.path or "").startswith(self.path)


NOTHING = Scope(committee_id=-1)


def scope_of(user) -> Scope:
    """The part of the ledger a user sees."""
    if user.role == "admin":
        return Scope(city_id=user.city_id)
    if user.role == "bureau":
        if user.org_unit_id is not None:
            unit = db.session.get(OrgUnit, user.org_unit_id)
            return Scope(city_id=unit.city_id, path=unit.path)
        return Scope(city_id=user.city_id) if user.city_id is not None else NOTHING
    if user.role == "mediator":
        committee = db.session.scalar(select(Mediator.committee_id).where(
            Mediator.user_id == user.id, Mediator.active.is_(True)))
        return Scope(committee_id=committee) if committee is not None else NOTHING
    return NOTHING


def current_scope() -> Scope:
    return scope_of(current_user)


def dispute_or_404(dispute_id: int) -> Dispute:
    """An entry the signed-in user may see; 404 for anything else, as if it did not exist."""
    dispute = db.get_or_404(Dispute, dispute_id)
    if not current_scope().allows(dispute):
        abort(404)
    return dispute


def is_planner() -> bool:
    return current_user.role in PLANNERS
