"""Accounts: creating, editing, deactivating users, passwords and signing in."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.models import MediationCommittee, Mediator, OrgUnit, User


class AccountError(ValueError):
    """A change to an account that cannot be made; the message is shown to the coordinator."""


@dataclass
class AccountData:
    """The editable fields of an account."""

    username: str
    name: str
    role: str
    email: str | None = None
    phone: str | None = None
    is_supervisor: bool = False
    active: bool = True
    locale: str | None = None
    city_id: int | None = None  # a coordinator's city bureau; None: the province
    org_unit_id: int | None = None  # a bureau coordinator's county or township
    committee_id: int | None = None  # a mediator's committee


def _apply(user: User, data: AccountData) -> None:
    """Copy account data onto a user, keeping the supervisor flag for operators only."""
    user.username = data.username.strip()
    user.name = data.name.strip()
    user.role = data.role
    user.email = data.email or None
    user.phone = data.phone or None
    user.is_supervisor = bool(data.is_supervisor) and data.role == "operator"
    user.active = data.active
    user.locale = data.locale or None
    user.city_id = data.city_id if data.role in ("admin", "bureau") else None
    user.org_unit_id = data.org_unit_id if data.role == "bureau" else None


def _check(session: Session, data: AccountData) -> None:
    """A bureau coordinator covers a city, county or township; a mediator belongs to a committee."""
    if data.role == "bureau":
        if data.org_unit_id is not None:
            unit = session.get(OrgUnit, data.org_unit_id)
            if unit is None or unit.kind not in ("county", "township"):
                raise AccountError("bad_org_unit")
            data.city_id = unit.city_id
        elif data.city_id is None:
            raise AccountError("bureau_needs_place")
    if data.role == "mediator" and (data.committee_id is None or session.get(MediationCommittee, data.committee_id) is None):
        raise AccountError("mediator_needs_committee")


def _link_mediator(session: Session, user: User, data: AccountData) -> None:
    """A mediator's account is the committee member who signs in: one Mediator row carries the user's id."""
    member = session.scalar(select(Mediator).where(Mediator.user_id == user.id))
    if data.role != "mediator":
        if member is not None:
            member.user_id = None
        return
    if member is None:
        session.add(Mediator(committee_id=data.committee_id, name=user.name, phone=user.phone, user_id=user.id))
    else:
        member.committee_id, member.name, member.active = data.committee_id, user.name, True


def _username_taken(session: Session, username: str, except_id: int | None = None) -> bool:
    """True when another account already uses this username (case-insensitive)."""
    query = select(User.id).where(func.lower(User.username) == username.strip().lower())
    if except_id is not None:
        query = query.where(User.id != except_id)
    return session.execute(query).first() is not None


def create_user(session: Session, data: AccountData, password: str) -> User:
    """Create an account with its first password."""
    if _username_taken(session, data.username):
        raise AccountError("username_taken")
    _check(session, data)
    user = User()
    _apply(user, data)
    user.set_password(password)
    session.add(user)
    session.flush()
    _link_mediator(session, user, data)
    session.flush()
    return user


def update_user(session: Session, user: User, data: AccountData, acting: User) -> User:
    """Edit an account; coordinators cannot lock themselves out."""
    if _username_taken(session, data.username, except_id=user.id):
        raise AccountError("username_taken")
    if user.id == acting.id and (not data.active or data.role != "admin"):
        raise AccountError("cannot_demote_self")
    _check(session, data)
    _apply(user, data)
    session.flush()
    _link_mediator(session, user, data)
    session.flush()
    return user


def reset_password(session: Session, user: User, password: str, *, must_change: bool) -> None:
    """Set a new password, ending every session and remember-me cookie made with the old one; when a coordinator
    sets it, the user must change it at next sign-in."""
    user.set_password(password)
    user.must_change_password = must_change
    end_sessions(session, user)


def end_sessions(session: Session, user: User) -> None:
    """End every session of the user, on every device, remember-me cookies included (their id carries the
    version this raises)."""
    user.session_version = User.session_version + 1  # in SQL, so two sign-outs at once both count
    session.flush()
    session.refresh(user, ["session_version"])


def authenticate(session: Session, username: str, password: str, now: datetime) -> User | None:
    """The active user with these credentials, recording the sign-in, or None."""
    user = session.execute(
        select(User).where(func.lower(User.username) == username.strip().lower())
    ).scalar_one_or_none()
    if user is None or not user.active or not user.check_password(password):
        return None
    user.last_login_at = now
    session.flush()
    return user
