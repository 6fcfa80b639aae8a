"""Mediation sessions with the parties (on site, by phone, by video) and the follow-up visits after them.

A session is scheduled only while its entry is in mediation. By video it opens a Twilio room and texts each party
with a phone a one-time link to the public join page: only the SHA-256 of the link's token is kept, the link opens
once, and never after the session has ended, been held or been cancelled. By phone the mediator's phone rings first
and then each party's, every call from the hotline number into one conference, so nobody sees another's number.
Holding a session writes a `session` event and one service record (chain version 2, linked to the entry); a
follow-up visit writes a `follow_up` event and one record of its own. Each function adds and flushes in the caller's
transaction; a refusal raises DisputeRefused (or LinkRefused) before anything is kept.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Callable

from itsdangerous import BadSignature, Signer
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hotline.models import Dispute, DisputeParty, DisputeSession, DisputeSessionLink, Mediator, ServiceRecord
from hotline.services import disputes, servicelog
from hotline.services.consult import when
from hotline.services.disputes import SESSION_MODES, DisputeRefused
from hotline.telephony import consultations as phone_video
from hotline.telephony import gateway

LONGEST = timedelta(hours=8)  # one sitting; a longer mediation is several sessions
FURTHEST = timedelta(days=180)
CALL_EARLY = timedelta(minutes=15)  # the mediator may start the calls this long before the hour
STAFF_SEATS = 3  # room places besides the parties: the mediator, a duty lawyer, a coordinator
JOIN_SALT = "dispute-session-join"
LONGEST_TOKEN = 200
PURPOSE = "mediation_session"

# The parties' texts are Chinese, as every SMS the hotline sends.
VIDEO_SMS = ("【12348】{name}您好：您的纠纷（{number}）定于{when}进行视频调解。届时请用手机点击链接参加，"
             "链接仅限本人使用一次，调解结束后失效：{url}")
PHONE_SMS = "【12348】{name}您好：您的纠纷（{number}）定于{when}进行电话调解，届时12348热线将给您来电，请注意接听。"
ON_SITE_SMS = "【12348】{name}您好：您的纠纷（{number}）定于{when}在{place}进行调解，请准时参加。"
CANCELLED_SMS = "【12348】{name}您好：原定于{when}的纠纷调解（{number}）已取消，调解员将另行与您联系。"

# The service log's legal area and channel for a mediated dispute.
AREA_OF_TYPE = {"family": "marriage_family", "land": "land_rural", "property": "housing_property",
                "labour": "labour", "medical": "medical", "traffic": "traffic", "contract": "contracts_debts"}
CHANNEL_OF_MODE = {"on_site": "walk_in", "phone": "phone", "video": "web"}


class LinkRefused(Exception):
    """A party's join link that does not open: unknown (or forged), used, or ended."""

    def __init__(self, code: str, link: DisputeSessionLink | None = None):
        super().__init__(code)
        self.code = code
        self.link = link  # the used link, so its own browser may rejoin


@dataclass(frozen=True)
class Reach:
    """How sessions reach the parties: Twilio, the key that signs join links, and the public addresses of the join
    page and of the phone conference's instructions (party id, or None for the mediator)."""

    twilio: gateway.TwilioSettings
    secret_key: str
    join_url: Callable[[str], str]
    call_url: Callable[[DisputeSession, int | None], str]


def room_name(session_id: int) -> str:
    """The unique name of a session's video room (and of its phone conference)."""
    return f"mediation-{session_id}"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _need(condition: bool, code: str) -> None:
    if not condition:
        raise DisputeRefused(code)


def _locked(session: Session, dispute: Dispute) -> Dispute:
    """The entry, locked for the transaction (FOR UPDATE on PostgreSQL)."""
    return session.scalar(select(Dispute).where(Dispute.id == dispute.id).with_for_update()) or dispute


def mediators_of(session: Session, dispute: Dispute) -> list[Mediator]:
    """The active mediators of the entry's committee (who may lead its sessions)."""
    if dispute.committee_id is None:
        return []
    return list(session.scalars(select(Mediator).where(Mediator.committee_id == dispute.committee_id,
                                                       Mediator.active.is_(True)).order_by(Mediator.name)))


def _mediator(session: Session, dispute: Dispute, mediator_id: int | None) -> Mediator | None:
    """The session's mediator: the one chosen, else the entry's; refused unless an active member of its committee."""
    chosen = mediator_id if mediator_id is not None else dispute.mediator_id
    if chosen is None:
        return None
    mediator = session.get(Mediator, chosen)
    _need(mediator is not None and mediator.active and mediator.committee_id == dispute.committee_id,
          "mediator_not_of_committee")
    return mediator


def schedule(session: Session, dispute: Dispute, *, mode: str, starts_at: datetime, ends_at: datetime,
             mediator_id: int | None, user, now: datetime, reach: Reach) -> DisputeSession:
    """Schedule a session of an entry in mediation and tell each party with a phone (by video: their one-time link).

    An on-site session may be entered after the fact (to record it); phone and video sessions must still be ahead.
    Raises DisputeRefused, or the telephony's NotConfigured / TelephonyFailed when the video room cannot be opened
    (the caller rolls back: nothing is kept, no text is queued).
    """
    dispute = _locked(session, dispute)
    _need(dispute.state == "in_mediation", "session_needs_mediation")
    _need(mode in SESSION_MODES, "bad_mode")
    _need(ends_at > starts_at, "session_ends_before_start")
    _need(ends_at - starts_at <= LONGEST, "session_too_long")
    _need(starts_at <= now + FURTHEST, "session_too_far")
    _need(mode == "on_site" or ends_at > now, "session_in_past")
    mediator = _mediator(session, dispute, mediator_id)
    reachable = [party for party in dispute.parties if party.phone]
    _need(mode == "on_site" or bool(reachable), "parties_need_phones")
    sitting = DisputeSession(dispute_id=dispute.id, mode=mode, starts_at=starts_at, ends_at=ends_at,
                             state="scheduled", mediator_id=getattr(mediator, "id", None),
                             created_by_id=getattr(user, "id", None), created_at=now)
    session.add(sitting)
    session.flush()
    if mode == "video":
        sitting.room_name = room_name(sitting.id)
        phone_video.open_room(reach.twilio, sitting.room_name, len(dispute.parties) + STAFF_SEATS)
    if mode == "on_site" and ends_at <= now:
        return sitting  # recorded after the fact: nobody is invited to a past sitting
    values = {"number": dispute.number, "when": when(starts_at),
              "place": dispute.place or (dispute.committee.name_zh if dispute.committee else "调解室")}
    for party in reachable:
        if mode == "video":
            token = Signer(reach.secret_key, salt=JOIN_SALT).sign(secrets.token_urlsafe(18)).decode("ascii")
            session.add(DisputeSessionLink(session_id=sitting.id, party_id=party.id, token_hash=token_hash(token),
                                           expires_at=ends_at, created_at=now))
            body = VIDEO_SMS.format(name=party.name, url=reach.join_url(token), **values)
        else:
            body = (PHONE_SMS if mode == "phone" else ON_SITE_SMS).format(name=party.name, **values)
        gateway.queue_sms(session, party.phone, body, PURPOSE, now)
    session.flush()
    return sitting


def cancel(session: Session, sitting: DisputeSession, user, now: datetime) -> None:
    """Cancel a scheduled session: its links stop working and the parties invited are told."""
    _need(sitting.state == "scheduled", "session_not_scheduled")
    sitting.state = "cancelled"
    dispute = sitting.dispute
    if sitting.ends_at > now:
        for party in dispute.parties:
            if party.phone:
                gateway.queue_sms(session, party.phone, CANCELLED_SMS.format(
                    name=party.name, when=when(sitting.starts_at), number=dispute.number), PURPOSE, now)
    session.flush()


def _provider(session: Session, dispute: Dispute, sitting: DisputeSession | None, user) -> dict:
    """Who gave the service: the mediator's duty lawyer when the mediator is one, else the user recording it."""
    mediator_id = (sitting.mediator_id if sitting else None) or dispute.mediator_id
    mediator = session.get(Mediator, mediator_id) if mediator_id else None
    if mediator is not None and mediator.lawyer_id is not None:
        return {"provider_lawyer_id": mediator.lawyer_id}
    return {"provider_user_id": getattr(user, "id", None)}


def _recipients(dispute: Dispute) -> str:
    """The parties, as the service log names a record's recipient."""
    return "、".join(party.name for party in dispute.parties if party.name.strip())[:120]


def hold(session: Session, sitting: DisputeSession, record: str, user, now: datetime) -> ServiceRecord:
    """Record a session as held: a `session` event on the entry and one service record linked to it."""
    _need(sitting.state == "scheduled", "session_not_scheduled")
    _need(now >= sitting.starts_at, "session_not_started")
    record = (record or "").strip()
    _need(bool(record), "record_required")
    dispute = sitting.dispute
    disputes.act(session, dispute, "session", user, now=now, mode=sitting.mode, record=record)
    sitting.state = "held"
    sitting.record = record
    entry = servicelog.ServiceEntry(
        kind="mediation", started_at=sitting.starts_at, ended_at=min(now, sitting.ends_at),
        recipient_name=_recipients(dispute), city_id=dispute.city_id,
        legal_area=AREA_OF_TYPE.get(dispute.dispute_type, "mediation"), channel=CHANNEL_OF_MODE[sitting.mode],
        outcome=record, dispute_id=dispute.id, **_provider(session, dispute, sitting, user))
    service = servicelog.append(session, entry, now)
    sitting.service_record_id = service.id
    session.flush()
    return service


def follow_up(session: Session, dispute: Dispute, user, note: str, kept: bool | None,
              now: datetime) -> ServiceRecord:
    """A follow-up visit (回访): whether the agreement is kept, as a `follow_up` event and one service record."""
    _need(kept is None or isinstance(kept, bool), "bad_kept")
    event = disputes.act(session, dispute, "follow_up", user, now=now, note=note, kept=kept)
    entry = servicelog.ServiceEntry(
        kind="mediation_follow_up", started_at=now, ended_at=now, recipient_name=_recipients(dispute),
        city_id=dispute.city_id, legal_area=AREA_OF_TYPE.get(dispute.dispute_type, "mediation"),
        outcome=event.data["note"], dispute_id=dispute.id, provider_user_id=getattr(user, "id", None))
    return servicelog.append(session, entry, now)


def call(session: Session, sitting: DisputeSession, reach: Reach, now: datetime) -> int:
    """Start a session by phone: ring the mediator, then each party, every call from the hotline number into the
    session's conference. Returns how many calls were placed; writes nothing."""
    _need(sitting.mode == "phone", "session_not_by_phone")
    _need(sitting.state == "scheduled", "session_not_scheduled")
    _need(sitting.starts_at - CALL_EARLY <= now < sitting.ends_at, "session_not_now")
    mediator = session.get(Mediator, sitting.mediator_id) if sitting.mediator_id else None
    _need(mediator is not None and bool(mediator.phone), "mediator_phone_required")
    phone_video.connect_call(reach.twilio, mediator.phone, reach.call_url(sitting, None))
    placed = 1
    for party in sitting.dispute.parties:
        if party.phone:
            phone_video.connect_call(reach.twilio, party.phone, reach.call_url(sitting, party.id))
            placed += 1
    return placed


def find_link(session: Session, token: str, secret_key: str, now: datetime) -> DisputeSessionLink:
    """The party's link behind a token, if it may still open; raises LinkRefused("unknown" / "ended" / "used").
    Reads only: opening the page changes nothing (link previews in messaging apps open it too)."""
    if not token or len(token) > LONGEST_TOKEN:
        raise LinkRefused("unknown")
    try:
        Signer(secret_key, salt=JOIN_SALT).unsign(token)
    except BadSignature:
        raise LinkRefused("unknown") from None
    link = session.scalar(select(DisputeSessionLink).where(DisputeSessionLink.token_hash == token_hash(token)))
    if link is None:
        raise LinkRefused("unknown")
    if link.session.state != "scheduled" or now >= link.expires_at:
        raise LinkRefused("ended")
    if link.used_at is not None:
        raise LinkRefused("used", link)
    return link


def use_link(session: Session, link: DisputeSessionLink, now: datetime) -> None:
    """Spend the link (joining the room); a second use, even at the same moment, raises LinkRefused("used")."""
    claimed = session.execute(update(DisputeSessionLink).where(
        DisputeSessionLink.id == link.id, DisputeSessionLink.used_at.is_(None)).values(used_at=now)
        .execution_options(synchronize_session=False)).rowcount
    if claimed != 1:
        raise LinkRefused("used")
    session.refresh(link)


def party_identity(party: DisputeParty) -> str:
    """A party's name in the video room (the page shows "a party", never a phone number)."""
    return f"party-{party.id}"
