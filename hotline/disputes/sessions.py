"""Mediation sessions with the parties and follow-up visits, on the ledger's blueprint: schedule, hold, cancel,
start the phone calls, join the video room (staff signed in; a party through the one-time link texted to them),
and the panel the entry page includes (templates/disputes/_sessions.html, with `dispute` in its context)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from flask import current_app, flash, jsonify, redirect, render_template, session as browser, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import func, select

from hotline import jobs
from hotline.auth.access import city_scoped, public, roles_required
from hotline.disputes.scope import LEDGER_ROLES, current_scope, dispute_or_404
from hotline.disputes.session_forms import FollowUpForm, HoldForm, ScheduleForm
from hotline.disputes.views import bp
from hotline.extensions import db
from hotline.formkit import choices
from hotline.models import Dispute, DisputeSession, DisputeSessionLink, Mediator
from hotline.models.types import PROVINCE_TZ, utcnow
from hotline.outbox import sms_note
from hotline.services import dispute_sessions
from hotline.services.dispute_sessions import CALL_EARLY, LinkRefused
from hotline.services.disputes import DisputeRefused
from hotline.telephony import consultations as phone_video

FOLLOW_UP_STATES = ("succeeded", "failed", "transferred", "following_up")
# Refusals because of where the entry or session stands (409); every other refusal is about the input (400).
CONFLICTS = {"not_from_state", "session_needs_mediation", "session_not_scheduled", "session_not_started",
             "session_not_now"}
JOINED = "mediation_links"  # the links this browser has opened: it may rejoin after a dropped connection

REFUSALS = {
    "session_needs_mediation": lambda: _("Sessions can be scheduled only while the entry is in mediation."),
    "bad_mode": lambda: _("Choose on site, by phone or by video."),
    "session_ends_before_start": lambda: _("The end must be after the start."),
    "session_too_long": lambda: _("A session lasts at most 8 hours; schedule a longer mediation as several "
                                  "sessions."),
    "session_too_far": lambda: _("A session can be scheduled at most 180 days ahead."),
    "session_in_past": lambda: _("A session by phone or video must still be ahead; only an on-site session can be "
                                 "entered after it took place."),
    "mediator_not_of_committee": lambda: _("Choose an active mediator of the committee that took the entry."),
    "parties_need_phones": lambda: _("No party has a phone number, so a session by phone or video cannot reach "
                                     "anyone."),
    "session_not_scheduled": lambda: _("This session has already been held or cancelled."),
    "session_not_started": lambda: _("A session can be recorded as held once it has started."),
    "record_required": lambda: _("Write down what happened in the session."),
    "note_required": lambda: _("Write down what the follow-up visit found."),
    "bad_kept": lambda: _("Choose whether the agreement is being kept."),
    "session_not_by_phone": lambda: _("This session is not by phone."),
    "session_not_now": lambda: _("The calls can be started from 15 minutes before the session until its end."),
    "mediator_phone_required": lambda: _("The session's mediator has no phone number to ring first."),
}
NOT_FROM_STATE = {
    "session": lambda: _("The entry is no longer in mediation, so no session can be recorded on it."),
    "follow_up": lambda: _("A follow-up visit is recorded once the mediation has ended (successfully, without "
                           "success, or by a transfer)."),
}
LINK_GONE = {
    "unknown": lambda: _("This link is not valid. Please check that the whole link from the text message was "
                         "opened, or call 12348."),
    "used": lambda: _("This link has already been used to join the session, and it works only once. If you "
                      "were cut off, please call 12348 or your mediator."),
    "ended": lambda: _("This mediation session has ended or was cancelled, so the link no longer works."),
}


def _reach() -> dispute_sessions.Reach:
    """Twilio, the link-signing key and the public addresses the parties are sent to."""
    base = current_app.config["PUBLIC_BASE_URL"]
    return dispute_sessions.Reach(
        twilio=jobs.twilio_settings(current_app), secret_key=current_app.config["SECRET_KEY"],
        join_url=lambda token: base + url_for("disputes.join", token=token),
        call_url=lambda sitting, party: base + url_for("telephony.mediation_join", session_id=sitting.id,
                                                       party=party))


def _back(dispute_id: int):
    return redirect(url_for("disputes.entry", dispute_id=dispute_id, _anchor="sessions"))


def _refused(dispute: Dispute, refused: DisputeRefused, action: str | None = None):
    """The refusal in the reader's words, on a page of its own with the way back; nothing was kept."""
    db.session.rollback()
    if refused.code == "not_from_state":
        message = NOT_FROM_STATE.get(action, NOT_FROM_STATE["session"])()
    else:
        message = REFUSALS.get(refused.code, REFUSALS["session_not_scheduled"])()
    return _problem(dispute, [message], 409 if refused.code in CONFLICTS else 400)


def _problem(dispute: Dispute, messages: list[str], status: int):
    return render_template("disputes/session_refused.html", dispute=dispute, messages=messages), status


def _form_errors(form) -> list[str]:
    return [f"{form[name].label.text}: {error}" for name, errors in form.errors.items() for error in errors]


def _telephony_down(dispute: Dispute, error: Exception, video: bool):
    db.session.rollback()
    if isinstance(error, phone_video.NotConfigured):
        message = (_("Video is not set up on this server (no Twilio credentials). Please choose on site or by "
                     "phone.") if video else
                   _("Phone calls are not set up on this server (no Twilio credentials)."))
        return _problem(dispute, [message], 503)
    return _problem(dispute, [_("The video service did not answer: %(reason)s", reason=str(error)) if video else
                              _("The phone service did not answer: %(reason)s", reason=str(error))], 502)


def _local(day, moment) -> datetime:
    return datetime.combine(day, moment).replace(tzinfo=PROVINCE_TZ).astimezone(timezone.utc)


def _schedule_form(dispute: Dispute, bound: bool = True) -> ScheduleForm:
    """The schedule form with the committee's mediators; unbound for the panel (the page may answer another POST)."""
    form = ScheduleForm() if bound else ScheduleForm(formdata=None)
    form.mediator_id.choices = choices([(m.id, m.name) for m in dispute_sessions.mediators_of(db.session, dispute)],
                                       blank=_("The entry's mediator"))
    return form


def _sitting_or_404(session_id: int) -> tuple[DisputeSession, Dispute]:
    sitting = db.get_or_404(DisputeSession, session_id)
    return sitting, dispute_or_404(sitting.dispute_id)


@bp.route("/<int:dispute_id>/sessions", methods=["POST"])
@roles_required(*LEDGER_ROLES)
@city_scoped
def schedule_session(dispute_id: int):
    """Schedule a session with the parties; by video, each party with a phone is texted a one-time link."""
    dispute = dispute_or_404(dispute_id)
    form = _schedule_form(dispute)
    if not form.validate_on_submit():
        return _problem(dispute, _form_errors(form), 400)
    try:
        dispute_sessions.schedule(db.session, dispute, mode=form.mode.data,
                                  starts_at=_local(form.day.data, form.starts.data),
                                  ends_at=_local(form.day.data, form.ends.data), mediator_id=form.mediator_id.data,
                                  user=current_user, now=utcnow(), reach=_reach())
    except DisputeRefused as refused:
        return _refused(dispute, refused)
    except (phone_video.NotConfigured, phone_video.TelephonyFailed) as error:
        return _telephony_down(dispute, error, video=True)
    db.session.commit()
    flash(_("Session scheduled.") + " " + sms_note(), "success")
    return _back(dispute.id)


@bp.route("/sessions/<int:session_id>/hold", methods=["POST"])
@roles_required(*LEDGER_ROLES)
@city_scoped
def hold_session(session_id: int):
    """Record a session as held: an event on the entry and one record in the service log."""
    sitting, dispute = _sitting_or_404(session_id)
    form = HoldForm()
    if not form.validate_on_submit():
        return _problem(dispute, _form_errors(form), 400)
    try:
        record = dispute_sessions.hold(db.session, sitting, form.record.data, current_user, utcnow())
    except DisputeRefused as refused:
        return _refused(dispute, refused, "session")
    db.session.commit()
    flash(_("Session recorded as held (service record #%(seq)d).", seq=record.seq), "success")
    return _back(dispute.id)


@bp.route("/sessions/<int:session_id>/cancel", methods=["POST"])
@roles_required(*LEDGER_ROLES)
@city_scoped
def cancel_session(session_id: int):
    """Cancel a scheduled session; its links stop working and the parties are told."""
    sitting, dispute = _sitting_or_404(session_id)
    try:
        dispute_sessions.cancel(db.session, sitting, current_user, utcnow())
    except DisputeRefused as refused:
        return _refused(dispute, refused)
    db.session.commit()
    flash(_("Session cancelled.") + " " + sms_note(), "success")
    return _back(dispute.id)


@bp.route("/sessions/<int:session_id>/call", methods=["POST"])
@roles_required(*LEDGER_ROLES)
@city_scoped
def call_session(session_id: int):
    """Start a session by phone: the mediator's phone rings, then each party's, all from the hotline number."""
    sitting, dispute = _sitting_or_404(session_id)
    try:
        placed = dispute_sessions.call(db.session, sitting, _reach(), utcnow())
    except DisputeRefused as refused:
        return _refused(dispute, refused)
    except (phone_video.NotConfigured, phone_video.TelephonyFailed) as error:
        return _telephony_down(dispute, error, video=False)
    flash(_("The mediator's phone rings now, then the parties' (%(count)d calls). Nobody sees another's number.",
            count=placed), "success")
    return _back(dispute.id)


@bp.route("/sessions/<int:session_id>/video-token", methods=["POST"])
@roles_required(*LEDGER_ROLES)
@city_scoped
def session_video_token(session_id: int):
    """A short-lived token for the session's video room (JSON), for the mediator or a coordinator."""
    sitting, dispute = _sitting_or_404(session_id)
    now = utcnow()
    if sitting.mode != "video" or sitting.state != "scheduled" or now >= sitting.ends_at:
        return jsonify(error=_("This is not a scheduled video session.")), 409
    who = "mediator" if current_user.role == "mediator" else "staff"
    return _room_token(sitting, dispute, f"{who}-{current_user.id}", now)


def _room_token(sitting: DisputeSession, dispute: Dispute, identity: str, now: datetime, link=None):
    """Open the room (Twilio closes an empty one) and sign a token for it that lasts until the session ends."""
    settings = jobs.twilio_settings(current_app)
    seconds = max(60, int((sitting.ends_at - now).total_seconds()))
    try:
        phone_video.open_room(settings, sitting.room_name, len(dispute.parties) + dispute_sessions.STAFF_SEATS)
        token = phone_video.access_token(settings, identity, sitting.room_name, ttl_seconds=seconds)
    except phone_video.NotConfigured:
        return jsonify(error=_("Video is not set up on this server. Please call 12348.")), 503
    except phone_video.TelephonyFailed as failure:
        return jsonify(error=_("The video service did not answer: %(reason)s", reason=str(failure))), 502
    if link is not None:
        try:
            if link.used_at is None:
                dispute_sessions.use_link(db.session, link, now)
        except LinkRefused:
            db.session.rollback()
            return jsonify(error=LINK_GONE["used"]()), 410
        db.session.commit()
        browser[JOINED] = sorted(set(browser.get(JOINED, [])) | {link.id})[-20:]
    return jsonify(token=token, room=sitting.room_name)


@bp.route("/<int:dispute_id>/follow-up", methods=["POST"])
@roles_required(*LEDGER_ROLES)
@city_scoped
def follow_up(dispute_id: int):
    """Record a follow-up visit: whether the agreement is kept, on the entry and in the service log."""
    dispute = dispute_or_404(dispute_id)
    form = FollowUpForm()
    if not form.validate_on_submit():
        return _problem(dispute, _form_errors(form), 400)
    try:
        dispute_sessions.follow_up(db.session, dispute, current_user, form.note.data, form.kept_value(), utcnow())
    except DisputeRefused as refused:
        return _refused(dispute, refused, "follow_up")
    db.session.commit()
    flash(_("Follow-up visit recorded."), "success")
    return _back(dispute.id)


def _party_link(token: str, now: datetime) -> DisputeSessionLink:
    """The link behind the token, also when this browser already used it; raises LinkRefused otherwise."""
    try:
        return dispute_sessions.find_link(db.session, token, current_app.config["SECRET_KEY"], now)
    except LinkRefused as refused:
        if refused.code == "used" and refused.link is not None and refused.link.id in browser.get(JOINED, []):
            return refused.link
        raise


def _gone(refused: LinkRefused):
    return render_template("disputes/join_gone.html", message=LINK_GONE[refused.code]()), \
        404 if refused.code == "unknown" else 410


@bp.route("/join/<token>")
@public
def join(token: str):
    """A party's page for a video session, opened from the text message; opening it spends nothing (the link is
    used when the party joins the room)."""
    try:
        link = _party_link(token, utcnow())
    except LinkRefused as refused:
        return _gone(refused)
    sitting = link.session
    committee = sitting.dispute.committee
    return render_template("disputes/join.html", sitting=sitting, party=link.party, committee=committee,
                           token_url=url_for("disputes.join_token", token=token),
                           video_ready=jobs.twilio_settings(current_app).video_configured)


@bp.route("/join/<token>/video-token", methods=["POST"])
@public
def join_token(token: str):
    """The party joins: the link is spent and a token for the session's room, for this party only, is returned."""
    now = utcnow()
    try:
        link = _party_link(token, now)
    except LinkRefused as refused:
        return jsonify(error=LINK_GONE[refused.code]()), 404 if refused.code == "unknown" else 410
    sitting = link.session
    return _room_token(sitting, sitting.dispute, dispute_sessions.party_identity(link.party), now, link=link)


@dataclass
class Panel:
    """What the entry page's sessions panel shows and offers to the signed-in user."""

    sessions: list[DisputeSession]
    links: dict[int, tuple[int, int]]  # session id -> (links sent, links used)
    mediators: dict[int, str]
    can_act: bool
    can_schedule: bool
    can_follow_up: bool
    now: datetime
    call_from: timedelta = CALL_EARLY
    video_ready: bool = False
    phone_ready: bool = False
    live_video: DisputeSession | None = None
    forms: dict = field(default_factory=dict)


def panel(dispute: Dispute) -> Panel:
    """The sessions of an entry with what the user may do with them (a template global: mediation_panel)."""
    now = utcnow()
    sessions = list(db.session.scalars(select(DisputeSession).where(DisputeSession.dispute_id == dispute.id)
                                       .order_by(DisputeSession.starts_at.desc(), DisputeSession.id.desc())))
    ids = [s.id for s in sessions]
    links = {sid: (sent, used) for sid, sent, used in db.session.execute(
        select(DisputeSessionLink.session_id, func.count(), func.count(DisputeSessionLink.used_at))
        .where(DisputeSessionLink.session_id.in_(ids)).group_by(DisputeSessionLink.session_id))} if ids else {}
    mediator_ids = {s.mediator_id for s in sessions if s.mediator_id}
    mediators = {m.id: m.name for m in db.session.scalars(select(Mediator).where(Mediator.id.in_(mediator_ids)))} \
        if mediator_ids else {}
    can_act = current_user.is_authenticated and current_user.role in LEDGER_ROLES and current_scope().allows(dispute)
    settings = jobs.twilio_settings(current_app)
    live = next((s for s in sessions if s.mode == "video" and s.state == "scheduled"
                 and s.starts_at - CALL_EARLY <= now < s.ends_at), None)
    return Panel(sessions=sessions, links=links, mediators=mediators, can_act=can_act,
                 can_schedule=can_act and dispute.state == "in_mediation",
                 can_follow_up=can_act and dispute.state in FOLLOW_UP_STATES, now=now,
                 video_ready=settings.video_configured, phone_ready=settings.configured,
                 live_video=live if can_act else None,
                 forms={"schedule": _schedule_form(dispute, bound=False) if can_act else None,
                        "hold": HoldForm(formdata=None), "follow_up": FollowUpForm(formdata=None)})


bp.add_app_template_global(panel, "mediation_panel")
