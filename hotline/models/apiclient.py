"""Clients of the integration API (other call centres, the province's project platform), each with its own
revocable token, the scopes it was given and, for bookings, the liaisons it acts for."""
from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hotline.extensions import db
from hotline.models.types import UTCDateTime, utcnow

# The liaisons on whose counsel requests a client with the "bookings" scope may list slots and book.
api_client_liaisons = Table(
    "api_client_liaisons",
    db.metadata,
    Column("api_client_id", ForeignKey("api_clients.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


def token_digest(token: str) -> str:
    """Only a SHA-256 of each token is stored; the token itself is shown once at creation."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class ApiClient(db.Model):
    """A system allowed to call /api/v1 within its scopes."""

    __tablename__ = "api_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    # A client acting for one city's systems: its contacts belong to that city, its on-duty answers are that city's.
    city_id: Mapped[int | None] = mapped_column(ForeignKey("cities.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    # Space-separated codes of vocab.API_SCOPES; a client may do nothing it was not given.
    scopes: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    liaisons = relationship("User", secondary=api_client_liaisons, order_by="User.username")

    @property
    def scope_set(self) -> frozenset[str]:
        """The scopes as a set."""
        return frozenset(self.scopes.split())

    def may(self, scope: str) -> bool:
        """True when the client was given this scope."""
        return scope in self.scope_set
