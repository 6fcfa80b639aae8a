"""Clients of the integration API (other call centres), each with its own revocable token."""
from __future__ import annotations

import hashlib
from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from hotline.extensions import db
from hotline.models.types import UTCDateTime, utcnow


def token_digest(token: str) -> str:
    """Only a SHA-256 of each token is stored; the token itself is shown once at creation."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


class ApiClient(db.Model):
    """A system allowed to call /api/v1."""

    __tablename__ = "api_clients"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
