"""User accounts and their roles."""
from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.security import check_password_hash, generate_password_hash

from hotline.extensions import db
from hotline.models.types import UTCDateTime, one_of, utcnow
from hotline.vocab import ROLES


class User(UserMixin, db.Model):
    """Someone who signs in: a coordinator (admin), an operator, a lawyer or a project liaison."""

    __tablename__ = "users"
    __table_args__ = (
        one_of("role", ROLES),
        CheckConstraint("is_supervisor = false OR role = 'operator'", name="supervisor_is_operator"),
        one_of("locale", ("en", "zh_Hans"), name="locale_valid"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(200))
    phone: Mapped[str | None] = mapped_column(String(20))
    role: Mapped[str] = mapped_column(String(16))
    is_supervisor: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    locale: Mapped[str | None] = mapped_column(String(16))
    password_hash: Mapped[str] = mapped_column(String(256))
    must_change_password: Mapped[bool] = mapped_column(default=False)
    # Part of every session and remember-me cookie: raising it (sign-out, new password) ends them all.
    session_version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ical_token: Mapped[str | None] = mapped_column(String(64), unique=True)  # a liaison's consultation feed
    # A coordinator of one city bureau of justice sees and plans only that city; None: the province.
    city_id: Mapped[int | None] = mapped_column(ForeignKey("cities.id"), index=True)
    # A bureau coordinator (role bureau) of a city's county or township sees that org unit and everything below it.
    org_unit_id: Mapped[int | None] = mapped_column(ForeignKey("org_units.id"), index=True)

    def set_password(self, password: str) -> None:
        """Store a salted hash of the password, never the password."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        """True when the password matches the stored hash."""
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        """The id kept in the session and the remember-me cookie: the user and their session version."""
        return f"{self.id}:{self.session_version}"

    @property
    def is_active(self) -> bool:  # type: ignore[override]
        """Flask-Login refuses deactivated accounts."""
        return self.active

    def has_role(self, *roles: str) -> bool:
        """True when the user's role is one of roles."""
        return self.role in roles

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"
