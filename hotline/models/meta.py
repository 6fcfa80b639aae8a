"""Facts about the database itself, such as when the demo province was loaded into it."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hotline.extensions import db
from hotline.models.types import UTCDateTime, utcnow

DEMO_LOADED_AT = "demo_loaded_at"


class DatabaseFact(db.Model):
    """A named fact about this database (key and value)."""

    __tablename__ = "database_facts"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
