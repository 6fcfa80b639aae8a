"""Whose private calendar feed a token opens: the token is the only key, so it stops when the account stops."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline.models import Lawyer, User

MAX_TOKEN = 64


def lawyer_by_token(session: Session, token: str) -> Lawyer | None:
    """The lawyer whose feed this is, while the lawyer record and its lawyer's sign-in account are both active."""
    if not token or len(token) > MAX_TOKEN:
        return None
    return session.scalar(select(Lawyer).join(User, User.id == Lawyer.user_id).where(
        Lawyer.ical_token == token, Lawyer.active.is_(True), User.active.is_(True), User.role == "lawyer"))


def liaison_by_token(session: Session, token: str) -> User | None:
    """The liaison whose consultation feed this is, while the account is active and still a liaison's."""
    if not token or len(token) > MAX_TOKEN:
        return None
    return session.scalar(select(User).where(User.ical_token == token, User.active.is_(True), User.role == "liaison"))
