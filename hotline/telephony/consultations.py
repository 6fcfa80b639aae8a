"""Booked consultations through Twilio: a two-person video room per booking, access tokens to join it, and a
phone call that rings the lawyer and then the liaison through the hotline number.

Thin wrappers: no request globals, no database writes; callers store the SIDs they get back.
"""
from __future__ import annotations

from twilio.base.exceptions import TwilioException
from twilio.jwt.access_token import AccessToken
from twilio.jwt.access_token.grants import VideoGrant

from hotline.telephony.gateway import TwilioSettings

ROOM_EXISTS = 53113  # Twilio's error code when an in-progress room already has this unique name
ROOM_TYPE = "group"
MAX_PARTICIPANTS = 2  # the lawyer and the liaison


class NotConfigured(Exception):
    """Twilio credentials needed for this action are not set."""


class TelephonyFailed(Exception):
    """Twilio refused the request or could not be reached; the message is short enough to show."""


def room_name(booking_id: int) -> str:
    """The unique name of a booking's video room."""
    return f"consult-{booking_id}"


def _require_video(settings: TwilioSettings) -> None:
    if not settings.video_configured:
        raise NotConfigured("Video is not configured: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN, "
                            "TWILIO_API_KEY_SID and TWILIO_API_KEY_SECRET.")


def _failed(error: Exception) -> TelephonyFailed:
    """A short, showable message for a Twilio or network error."""
    if isinstance(error, OSError):
        return TelephonyFailed("Twilio could not be reached; please try again.")
    status = getattr(error, "status", None)
    code = getattr(error, "code", None)
    detail = ", ".join(str(part) for part in (status, code) if part is not None)
    return TelephonyFailed(f"Twilio refused the request ({detail})." if detail else "Twilio refused the request.")


def ensure_room(settings: TwilioSettings, booking_id: int) -> str:
    """Create the booking's group room (or find it if already in progress); returns the room SID."""
    return open_room(settings, room_name(booking_id), MAX_PARTICIPANTS)


def open_room(settings: TwilioSettings, name: str, max_participants: int) -> str:
    """Create a group room with this unique name (or find it if already in progress); returns the room SID.

    Twilio closes an empty room after a few minutes, so callers open it again whenever someone joins."""
    # A room nobody can join is no use, so the API key is required here too.
    _require_video(settings)
    try:
        rooms = settings.client().video.v1.rooms
        try:
            return rooms.create(unique_name=name, type=ROOM_TYPE, max_participants=max_participants).sid
        except TwilioException as error:
            if getattr(error, "code", None) != ROOM_EXISTS:
                raise
            return rooms(name).fetch().sid
    except (TwilioException, OSError) as error:
        raise _failed(error) from error


def access_token(settings: TwilioSettings, identity: str, room: str, ttl_seconds: int = 3600) -> str:
    """A signed JWT letting `identity` (e.g. "lawyer-12") join `room` for ttl_seconds."""
    _require_video(settings)
    token = AccessToken(settings.account_sid, settings.api_key_sid, settings.api_key_secret,
                        identity=identity, ttl=ttl_seconds, grants=[VideoGrant(room=room)])
    return token.to_jwt()


def connect_call(settings: TwilioSettings, lawyer_phone: str, twiml_url: str) -> str:
    """Ring the lawyer from the hotline number; once answered, twiml_url dials the liaison. Returns the call SID.
    (Mediation by phone rings the mediator and each party this way, each into one conference.)"""
    if not settings.configured:
        raise NotConfigured("Calls are not configured: set TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN and "
                            "TWILIO_FROM_NUMBER.")
    try:
        return settings.client().calls.create(to=lawyer_phone, from_=settings.from_number, url=twiml_url).sid
    except (TwilioException, OSError) as error:
        raise _failed(error) from error
