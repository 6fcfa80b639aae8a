"""The one way out: SMS and calls go to the outbox, then through Twilio's REST client when credentials are set.

Without credentials a message is held in the outbox (admins see it); a failed send is retried with back-off and
shown as failed after the last attempt, never dropped.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from twilio.base.exceptions import TwilioException
from twilio.rest import Client

from hotline.jobs import mark_outbox_pending
from hotline.models import OutboxMessage

RETRY_DELAYS = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2))
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1


@dataclass(frozen=True)
class TwilioSettings:
    """Credentials and sender; http_client replaces Twilio's HTTP layer in tests; the API key signs video tokens."""

    account_sid: str | None
    auth_token: str | None
    from_number: str | None
    public_base_url: str
    http_client: Any = None
    api_key_sid: str | None = None
    api_key_secret: str | None = None

    @classmethod
    def from_config(cls, config, http_client=None) -> "TwilioSettings":
        """Read the settings from the app config."""
        return cls(config.get("TWILIO_ACCOUNT_SID"), config.get("TWILIO_AUTH_TOKEN"),
                   config.get("TWILIO_FROM_NUMBER"), config["PUBLIC_BASE_URL"], http_client,
                   config.get("TWILIO_API_KEY_SID"), config.get("TWILIO_API_KEY_SECRET"))

    @property
    def configured(self) -> bool:
        """True when messages can really be sent."""
        return bool(self.account_sid and self.auth_token and self.from_number)

    @property
    def video_configured(self) -> bool:
        """True when video rooms can be created and access tokens signed."""
        return bool(self.account_sid and self.auth_token and self.api_key_sid and self.api_key_secret)

    def client(self) -> Client:
        """A Twilio REST client (with the injected HTTP client, if any)."""
        return Client(self.account_sid, self.auth_token, http_client=self.http_client)


def queue_sms(session: Session, to: str, body: str, purpose: str, now: datetime) -> OutboxMessage:
    """Put an SMS in the outbox; it is sent by deliver()."""
    message = OutboxMessage(kind="sms", to_number=to, body=body, purpose=purpose, status="queued",
                            created_at=now, next_attempt_at=now)
    session.add(message)
    session.flush()
    mark_outbox_pending(session)
    return message


def queue_call(session: Session, to: str, twiml_url: str, purpose: str, now: datetime) -> OutboxMessage:
    """Put a call in the outbox; when answered, Twilio fetches its instructions from twiml_url."""
    message = OutboxMessage(kind="call", to_number=to, body=twiml_url, purpose=purpose, status="queued",
                            created_at=now, next_attempt_at=now)
    session.add(message)
    session.flush()
    mark_outbox_pending(session)
    return message


def deliver(session: Session, message: OutboxMessage, settings: TwilioSettings, now: datetime) -> None:
    """Send one queued message now, recording the outcome on it."""
    if not settings.configured:
        message.status = "held"
        message.last_error = "Twilio credentials are not set; the message waits in the outbox."
        return
    message.attempts += 1
    try:
        client = settings.client()
        if message.kind == "sms":
            sent = client.messages.create(to=message.to_number, from_=settings.from_number, body=message.body)
        else:
            sent = client.calls.create(to=message.to_number, from_=settings.from_number, url=message.body)
    except (TwilioException, OSError) as error:
        message.last_error = str(error)[:2000]
        if message.attempts >= MAX_ATTEMPTS:
            message.status = "failed"
            message.next_attempt_at = None
        else:
            message.status = "queued"
            message.next_attempt_at = now + RETRY_DELAYS[message.attempts - 1]
        return
    message.status = "sent"
    message.provider_sid = sent.sid
    message.sent_at = now
    message.last_error = ""
    message.next_attempt_at = None


def deliver_due(session: Session, settings: TwilioSettings, now: datetime, limit: int = 50) -> int:
    """Send every queued message whose time has come; returns how many were tried.

    Rows are claimed with FOR UPDATE SKIP LOCKED on PostgreSQL, so several workers never send one twice.
    """
    query = (
        select(OutboxMessage)
        .where(OutboxMessage.status == "queued", OutboxMessage.next_attempt_at <= now)
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    messages = list(session.scalars(query))
    for message in messages:
        deliver(session, message, settings, now)
    session.flush()
    return len(messages)


def resend(session: Session, message: OutboxMessage, now: datetime) -> None:
    """Put a held or failed message back in the queue (an admin's retry)."""
    message.status = "queued"
    message.attempts = 0
    message.next_attempt_at = now
    session.flush()
    mark_outbox_pending(session)


def redirect_live_call(settings: TwilioSettings, call_sid: str, twiml_url: str) -> None:
    """Move a call in progress to new instructions (e.g. into a conference). Raises TwilioException on failure."""
    settings.client().calls(call_sid).update(url=twiml_url, method="POST")
