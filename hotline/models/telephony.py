"""Telephony callbacks already handled: Twilio (or anyone replaying its signed requests) may send the same
callback again, and a replay must change nothing."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hotline.extensions import db
from hotline.models.types import UTCDateTime, utcnow


class WebhookReceipt(db.Model):
    """One callback event of one call or message (its SID), handled once; replays get the same answer."""

    __tablename__ = "webhook_receipts"
    __table_args__ = (UniqueConstraint("sid", "event"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sid: Mapped[str] = mapped_column(String(64))
    event: Mapped[str] = mapped_column(String(120))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    response: Mapped[str | None] = mapped_column(Text)
