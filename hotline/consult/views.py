"""The liaison portal and the consultation pages: request counsel, book, reschedule, cancel, join, record, rate."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, Response, abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from hotline import jobs
from hotline.auth.access import city_scoped, public, require_city, roles_required
from hotline.consult.forms import CancelForm, OutcomeForm, RatingForm, RequestForm
from hotline.duty.views import renew_feed
from hotline.extensions import db
from hotline.formkit import choices, whole_number
from hotline.models import Attachment, Booking, CounselRequest, KeyProject, Lawyer, ServiceRecord, User
from hotline.models.types import PROVINCE_TZ, utcnow
from hotline.outbox import sms_note
from hotline.services import attachments, consult, feeds, ical, slots
from hotline.telephony import consultations as phone_video

bp = Blueprint("consult", __name__)
# File names are shown without control or text-direction characters, so an old stored name cannot disguise a file.
bp.add_app_template_filter(attachments.visible_name, "visible_name")

MESSAGES = {
    "not_your_project": lambda: _("You are not a liaison of that project."),
    "no_window": lambda: _("Give at least one time window that suits you."),
    "window_order": lambda: _("The end must be after the start."),
    "window_past": lambda: _("A time window has already passed."),
    "request_closed": lambda: _("This request is already booked, completed or withdrawn."),
    "no_slot": lambda: _("That slot does not exist any more."),
    "taken": lambda: _("Sorry, that slot has just been taken. Please choose another one."),
    "too_soon": lambda: _("That slot starts too soon to be booked."),
    "wrong_mode": lambda: _("That slot is for the other kind of consultation."),
    "unsuitable": lambda: _("That lawyer does not give counsel in this legal area."),
    "conflict": lambda: _("That lawyer has a conflict of interest with this project."),
    "outside_windows": lambda: _("That slot is outside the time windows of the request."),
    "unavailable": lambda: _("The lawyer is not available at that time."),
    "daily_cap": lambda: _("The lawyer has no more consultations free that day."),
    "not_booked": lambda: _("This consultation is no longer booked."),
    "too_late": lambda: _("A consultation cannot be moved or cancelled within two hours of its start. "
                          "Please call 12348 if you cannot attend."),
    "same_slot": lambda: _("Choose a different slot."),
    "bad_outcome": lambda: _("Choose what happened."),
    "not_started": lambda: _("The outcome can be recorded once the consultation has started."),
    "bad_score": lambda: _("Give a rating from 1 to 5."),
    "not_completed": lambda: _("Only a completed consultation can be rated."),
}
FILE_MESSAGES = {
    "too_many": lambda name: _("Attach at most %(count)d files.", count=attachments.MAX_FILES),
    "bad_type": lambda name: _("%(name)s: only PDF, JPEG, PNG, Word (.docx), Excel (.xlsx) and text files are "
                               "accepted.", name=name),
    "bad_content": lambda name: _("%(name)s: the file's content does not match its type.", name=name),
    "too_big": lambda name: _("%(name)s: a file may be at most %(mb)d MB.", name=name,
                              mb=current_app.config["ATTACHMENT_MAX_BYTES"] // (1024 * 1024)),
    "empty": lambda name: _("%(name)s: the file is empty.", name=name),
    "bad_name": lambda name: _("%(name)s: the file name contains control or text-direction characters, which can "
                               "disguise what a file is. Please rename the file and attach it again.", name=name),
}


def _local(day, moment) -> datetime:
    return datetime.combine(day, moment).replace(tzinfo=PROVINCE_TZ).astimezone(timezone.utc)


def _my_lawyer_id() -> int | None:
    return db.session.scalar(select(Lawyer.id).where(Lawyer.user_id == current_user.id))


def _own_request(request_id: int) -> CounselRequest:
    """The request, if the signed-in liaison filed it (or a coordinator looks); 404 otherwise."""
    item = db.get_or_404(CounselRequest, request_id)
    if current_user.role != "admin" and item.liaison_id != current_user.id:
        abort(404)
    return item


def _booking_for_me(booking_id: int) -> tuple[Booking, str]:
    """The booking and the viewer's part in it (liaison, lawyer, admin); 404 for anyone else."""
    booking = db.get_or_404(Booking, booking_id)
    if current_user.role == "admin":
        return booking, "admin"
    if booking.request.liaison_id == current_user.id:
        return booking, "liaison"
    if consult.lawyer_may_see_booking(db.session, _my_lawyer_id(), booking):
        return booking, "lawyer"
    abort(404)


def _refused(error: consult.ConsultError) -> str:
    return MESSAGES.get(error.code, MESSAGES["taken"])()


@bp.route("/consult/")
@roles_required("liaison")
def index():
    """My projects with their counsel, my requests and my consultations."""
    projects = consult.liaison_projects(db.session, current_user.id)
    requests = db.session.scalars(
        select(CounselRequest).where(CounselRequest.liaison_id == current_user.id)
        .options(selectinload(CounselRequest.project)).order_by(CounselRequest.created_at.desc()).limit(100)).all()
    bookings = db.session.scalars(
        select(Booking).join(CounselRequest).where(CounselRequest.liaison_id == current_user.id)
        .options(selectinload(Booking.lawyer), selectinload(Booking.request).selectinload(CounselRequest.project))
        .order_by(Booking.starts_at.desc()).limit(100)).all()
    counsel = consult.counsel_of(db.session, [p.id for p in projects])
    feed = url_for("consult.feed", token=current_user.ical_token, _external=True) if current_user.ical_token else None
    return render_template("consult/index.html", projects=projects, counsel=counsel, requests=requests,
                           bookings=bookings, now=utcnow(), feed=feed)


@bp.route("/consult/requests/new", methods=["GET", "POST"])
@roles_required("liaison")
def new_request():
    """Ask for counsel: project, area, urgency, video or phone, windows, description, files."""
    form = RequestForm()
    projects = consult.liaison_projects(db.session, current_user.id)
    form.project_id.choices = choices([(p.id, p.name) for p in projects])
    if whole_number(request.args.get("project")) is not None and not form.is_submitted():
        form.project_id.data = whole_number(request.args["project"])
    if not projects:
        flash(_("No projects are linked to your account yet."), "error")
        return redirect(url_for("consult.index"))
    if form.validate_on_submit():
        windows = [(_local(w.form.day.data, w.form.starts.data), _local(w.form.day.data, w.form.ends.data))
                   for w in form.windows.entries if w.form.day.data and w.form.starts.data and w.form.ends.data]
        data = consult.RequestData(form.project_id.data, form.legal_area.data, form.urgency.data, form.mode.data,
                                   form.description.data.strip(), windows)
        try:
            stored = attachments.store(current_app.config["ATTACHMENT_DIR"],
                                       [attachments.Upload(f.filename or "", f.stream) for f in form.files.data or []],
                                       current_app.config["ATTACHMENT_MAX_BYTES"])
            item = consult.create_request(db.session, current_user.id, data, utcnow())
            attachments.attach(item, stored)
        except attachments.AttachmentError as error:
            db.session.rollback()
            form.files.errors = [FILE_MESSAGES[error.code](error.filename)]
            return render_template("consult/new_request.html", form=form), 400
        except consult.ConsultError as error:
            db.session.rollback()
            flash(_refused(error), "error")
            return render_template("consult/new_request.html", form=form), 400
        db.session.commit()
        flash(_("Request sent. Choose a time below, or the coordinators will allocate one."), "success")
        return redirect(url_for("consult.request_page", request_id=item.id))
    status = 400 if form.is_submitted() else 200
    return render_template("consult/new_request.html", form=form), status


def _request_page(item: CounselRequest, status: int = 200, error: str | None = None):
    now = utcnow()
    booking = consult.live_booking(db.session, item.id)
    offers = slots.offers(db.session, item, now) if item.status in ("pending", "allocated") else []
    history = db.session.scalars(select(Booking).where(Booking.request_id == item.id)
                                 .order_by(Booking.created_at.desc())).all()
    return render_template("consult/request.html", item=item, booking=booking, offers=offers, history=history,
                           error=error, now=now), status


@bp.route("/consult/requests/<int:request_id>")
@roles_required("liaison", "admin")
def request_page(request_id: int):
    """A request: its details and files, and the slots it can be booked in, the project's own counsel first."""
    return _request_page(_own_request(request_id))


def _slot_id() -> int:
    slot_id = whole_number(request.form.get("slot_id"))
    if slot_id is None:
        abort(400, description="choose a slot")
    return slot_id


@bp.route("/consult/requests/<int:request_id>/book", methods=["POST"])
@roles_required("liaison")
def book(request_id: int):
    """Book a slot for the request; a slot someone else took first is refused with 409."""
    item = _own_request(request_id)
    slot_id = _slot_id()
    try:
        booking = consult.book(db.session, item, slot_id, utcnow())
        db.session.commit()
    except consult.ConsultError as error:
        db.session.rollback()
        return _request_page(db.session.get(CounselRequest, request_id), 409 if error.code == "taken" else 400,
                             _refused(error))
    flash(_("Booked.") + " " + sms_note(), "success")
    return redirect(url_for("consult.booking_page", booking_id=booking.id))


@bp.route("/consult/requests/<int:request_id>/withdraw", methods=["POST"])
@roles_required("liaison")
def withdraw(request_id: int):
    """Withdraw a request that has no booking."""
    item = _own_request(request_id)
    try:
        consult.withdraw(db.session, item)
    except consult.ConsultError as error:
        db.session.rollback()
        return _request_page(item, 400, _refused(error))
    db.session.commit()
    flash(_("Request withdrawn."), "success")
    return redirect(url_for("consult.index"))


@bp.route("/consult/attachments/<int:attachment_id>")
@roles_required("liaison", "lawyer", "admin")
def attachment(attachment_id: int):
    """Download a request's file: its liaison, a coordinator, or a lawyer booked for it (not after a cancellation)."""
    item = db.get_or_404(Attachment, attachment_id)
    allowed = current_user.role == "admin" or item.request.liaison_id == current_user.id
    if not allowed and current_user.role == "lawyer":
        allowed = consult.lawyer_may_see_request(db.session, _my_lawyer_id(), item.request_id)
    if not allowed:
        abort(404)
    return attachments.send(current_app.config["ATTACHMENT_DIR"], item)


def _booking_page(booking: Booking, part: str, status: int = 200, error: str | None = None, **forms):
    now = utcnow()
    record = db.session.scalar(select(ServiceRecord).where(ServiceRecord.booking_id == booking.id))
    offers = []
    if part in ("liaison", "admin") and booking.status == "booked" and booking.starts_at - now >= consult.CHANGE_CUTOFF:
        offers = slots.offers(db.session, booking.request, now)
    liaison = db.session.get(User, booking.request.liaison_id)
    settings = jobs.twilio_settings(current_app)
    return render_template(
        "consult/booking.html", booking=booking, part=part, now=now, record=record, offers=offers, error=error,
        liaison=liaison, rating=consult.rating_of(db.session, booking.id), can_change=booking.status == "booked"
        and booking.starts_at - now >= consult.CHANGE_CUTOFF, video_ready=settings.video_configured,
        phone_ready=settings.configured, cancel_form=forms.get("cancel_form") or CancelForm(),
        outcome_form=forms.get("outcome_form") or OutcomeForm(), rating_form=forms.get("rating_form") or RatingForm(),
    ), status


@bp.route("/consult/bookings/<int:booking_id>")
@roles_required("liaison", "lawyer", "admin")
def booking_page(booking_id: int):
    """A consultation: when, with whom, joining it, and what was decided."""
    booking, part = _booking_for_me(booking_id)
    return _booking_page(booking, part)


@bp.route("/consult/bookings/<int:booking_id>/cancel", methods=["POST"])
@roles_required("liaison", "admin")
def cancel(booking_id: int):
    """Cancel a consultation (refused within two hours of its start, with the reason shown)."""
    booking, part = _booking_for_me(booking_id)
    if part == "lawyer":
        abort(403)
    form = CancelForm()
    if not form.validate_on_submit():
        return _booking_page(booking, part, 400, cancel_form=form)
    try:
        consult.cancel(db.session, booking, utcnow(), form.reason.data.strip())
    except consult.ConsultError as error:
        db.session.rollback()
        return _booking_page(db.session.get(Booking, booking_id), part, 409, _refused(error))
    db.session.commit()
    flash(_("Consultation cancelled.") + " " + sms_note(), "success")
    return redirect(url_for("consult.request_page", request_id=booking.request_id))


@bp.route("/consult/bookings/<int:booking_id>/reschedule", methods=["POST"])
@roles_required("liaison", "admin")
def reschedule(booking_id: int):
    """Move the consultation to another slot, or leave it where it is."""
    booking, part = _booking_for_me(booking_id)
    if part == "lawyer":
        abort(403)
    slot_id = _slot_id()
    try:
        moved = consult.reschedule(db.session, booking, slot_id, utcnow())
        db.session.commit()
    except consult.ConsultError as error:
        db.session.rollback()
        return _booking_page(db.session.get(Booking, booking_id), part, 409, _refused(error))
    flash(_("Consultation moved.") + " " + sms_note(), "success")
    return redirect(url_for("consult.booking_page", booking_id=moved.id))


@bp.route("/consult/bookings/<int:booking_id>/outcome", methods=["POST"])
@roles_required("lawyer", "admin")
def outcome(booking_id: int):
    """The lawyer records what happened; a consultation given goes into the service log."""
    booking, part = _booking_for_me(booking_id)
    if part == "liaison":
        abort(403)
    form = OutcomeForm()
    if not form.validate_on_submit():
        return _booking_page(booking, part, 400, outcome_form=form)
    try:
        consult.record_outcome(db.session, booking, form.status.data, form.outcome.data.strip(), utcnow())
    except consult.ConsultError as error:
        db.session.rollback()
        return _booking_page(db.session.get(Booking, booking_id), part, 409, _refused(error))
    db.session.commit()
    flash(_("Outcome recorded."), "success")
    return redirect(url_for("consult.booking_page", booking_id=booking_id))


@bp.route("/consult/bookings/<int:booking_id>/rating", methods=["POST"])
@roles_required("liaison")
def rating(booking_id: int):
    """The liaison rates a completed consultation."""
    booking, part = _booking_for_me(booking_id)
    form = RatingForm()
    if not form.validate_on_submit():
        return _booking_page(booking, part, 400, rating_form=form)
    try:
        consult.rate(db.session, booking, form.score.data, (form.note.data or "").strip(), utcnow())
    except consult.ConsultError as error:
        db.session.rollback()
        return _booking_page(db.session.get(Booking, booking_id), part, 409, _refused(error))
    db.session.commit()
    flash(_("Thank you for your rating."), "success")
    return redirect(url_for("consult.booking_page", booking_id=booking_id))


@bp.route("/consult/bookings/<int:booking_id>/video-token", methods=["POST"])
@roles_required("liaison", "lawyer")
def video_token(booking_id: int):
    """A short-lived token for the consultation's video room (JSON), for the lawyer or the liaison."""
    booking, part = _booking_for_me(booking_id)
    if booking.mode != "video" or booking.status != "booked":
        return jsonify(error=_("This is not a booked video consultation.")), 409
    settings = jobs.twilio_settings(current_app)
    try:
        room_sid = phone_video.ensure_room(settings, booking.id)
        token = phone_video.access_token(settings, f"{part}-{current_user.id}", phone_video.room_name(booking.id))
    except phone_video.NotConfigured:
        return jsonify(error=_("Video is not set up on this server (no Twilio credentials). The booking stands: "
                               "please agree a phone call with the hotline.")), 503
    except phone_video.TelephonyFailed as failure:
        return jsonify(error=_("The video service did not answer: %(reason)s", reason=str(failure))), 502
    if booking.video_room != room_sid:
        booking.video_room = room_sid
        db.session.commit()
    return jsonify(token=token, room=phone_video.room_name(booking.id))


@bp.route("/consult/bookings/<int:booking_id>/call", methods=["POST"])
@roles_required("lawyer", "admin")
def call(booking_id: int):
    """Start a phone consultation: the lawyer's phone rings, then the liaison is connected; neither sees the
    other's number."""
    booking, part = _booking_for_me(booking_id)
    if part == "liaison":
        abort(403)
    if booking.mode != "phone" or booking.status != "booked":
        return _booking_page(booking, part, 409, _("This is not a booked phone consultation."))
    settings = jobs.twilio_settings(current_app)
    url = current_app.config["PUBLIC_BASE_URL"] + url_for("telephony.consult_connect", booking_id=booking.id)
    try:
        booking.call_sid = phone_video.connect_call(settings, booking.lawyer.phone, url)
    except phone_video.NotConfigured:
        return _booking_page(booking, part, 503, _("Phone calls are not set up on this server (no Twilio "
                                                  "credentials). The booking stands."))
    except phone_video.TelephonyFailed as failure:
        return _booking_page(booking, part, 502, _("The phone service did not answer: %(reason)s",
                                                   reason=str(failure)))
    db.session.commit()
    flash(_("Your phone will ring now; answer it to be connected to the liaison."), "success")
    return redirect(url_for("consult.booking_page", booking_id=booking_id))


@bp.route("/consult/my")
@roles_required("lawyer")
def lawyer_bookings():
    """The lawyer's consultations: coming ones, and past ones waiting for an outcome."""
    lawyer_id = _my_lawyer_id()
    if lawyer_id is None:
        abort(404)
    now = utcnow()
    found = db.session.scalars(
        select(Booking).where(Booking.lawyer_id == lawyer_id, or_(Booking.status == "booked", Booking.starts_at >= now))
        .options(selectinload(Booking.request).selectinload(CounselRequest.project)).order_by(Booking.starts_at)
        .limit(200)).all()
    done = db.session.scalars(
        select(Booking).where(Booking.lawyer_id == lawyer_id, Booking.status.in_(("completed", "no_show", "cancelled")),
                              Booking.starts_at < now)
        .options(selectinload(Booking.request).selectinload(CounselRequest.project))
        .order_by(Booking.starts_at.desc()).limit(50)).all()
    return render_template("consult/lawyer.html", bookings=found, done=done, now=now)


@bp.route("/consult/projects/<int:project_id>")
@roles_required("liaison", "lawyer", "admin")
@city_scoped
def project_history(project_id: int):
    """A project's requests and consultations with their outcomes and ratings: its liaisons, coordinators, its
    current counsel and the lawyers who may see one of its requests."""
    project = db.get_or_404(KeyProject, project_id)
    require_city(project.city_id)
    if current_user.role == "liaison" and not consult.is_liaison_of(db.session, current_user.id, project_id):
        abort(404)
    if current_user.role == "lawyer" and not consult.lawyer_may_see_project(db.session, _my_lawyer_id(), project_id):
        abort(404)
    requests = db.session.scalars(select(CounselRequest).where(CounselRequest.project_id == project_id)
                                  .order_by(CounselRequest.created_at.desc()).limit(200)).all()
    bookings = db.session.scalars(select(Booking).join(CounselRequest).where(CounselRequest.project_id == project_id)
                                  .options(selectinload(Booking.lawyer)).order_by(Booking.starts_at.desc())
                                  .limit(200)).all()
    ratings = {b.id: consult.rating_of(db.session, b.id) for b in bookings if b.status == "completed"}
    records = db.session.scalars(select(ServiceRecord).where(ServiceRecord.project_id == project_id)
                                 .order_by(ServiceRecord.seq.desc()).limit(200)).all()
    from hotline.services import project_services

    mine = db.session.get(Lawyer, _my_lawyer_id()) if current_user.role == "lawyer" else None
    can_record = current_user.role == "admin" or project_services.may_record(mine)
    from hotline.projects.services import _team

    team = _team() if current_user.role == "admin" else []
    return render_template("consult/project.html", project=project, requests=requests, bookings=bookings,
                           ratings=ratings, records=records, counsel=consult.counsel_of(db.session, [project_id])[project_id],
                           services=project_services.of_project(db.session, project_id), can_record=can_record,
                           team=team, today=utcnow().astimezone(PROVINCE_TZ).date())


@bp.route("/consult/feed", methods=["POST"])
@roles_required("liaison")
def feed_token():
    """Create a new private calendar address for the liaison's consultations (the old one stops), or revoke it."""
    return renew_feed(db.session.get(User, current_user.id), "consult.index")


@bp.route("/calendar/consultations/<token>.ics")
@public
def feed(token: str):
    """A liaison's booked consultations as iCalendar; the token is the only key, and only while the account is an
    active liaison's."""
    user = feeds.liaison_by_token(db.session, token)
    if user is None:
        abort(404)
    bookings = db.session.scalars(
        select(Booking).join(CounselRequest).where(CounselRequest.liaison_id == user.id, Booking.status != "cancelled")
        .options(selectinload(Booking.lawyer), selectinload(Booking.request).selectinload(CounselRequest.project))
        .order_by(Booking.starts_at)).all()
    body = ical.feed(user.name, [], utcnow(), bookings=ical.consultation_events(bookings, "liaison"))
    return Response(body, mimetype="text/calendar", headers={"Content-Disposition": "inline; filename=consultations.ics"})


from hotline.consult import allocation as _allocation  # noqa: E402,F401  (its routes live on this blueprint)
