"""Operator console pages: the live queue, search, a contact with its actions, escalations."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, abort, current_app, flash, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from twilio.base.exceptions import TwilioException

from hotline import paging, vocab
from hotline.auth.access import bureau_city, city_scoped, in_city, require_city, roles_required, supervisor_required
from hotline.extensions import db
from hotline.formkit import whole_number
from hotline.i18n import locale_code
from hotline.intake import history
from hotline.intake.forms import (
    AdviceForm, CallbackForm, CloseFlagForm, DisputeForm, NewContactForm, ReferForm, SearchForm, TriageForm,
)
from hotline.jobs import twilio_settings
from hotline.models import City, Contact, RiskFlag
from hotline.models.types import utcnow
from hotline.services import console, duty_lookup, escalation, intake

bp = Blueprint("intake", __name__)
staff = roles_required("operator", "admin")

MESSAGES = {
    "closed": lambda: _("This contact is already closed."),
    "advice_required": lambda: _("Write down the advice given."),
    "callback_in_past": lambda: _("The callback time must be in the future."),
    "no_number": lambda: _("There is no number to call this caller on."),
    "nobody_on_duty": lambda: _("No qualified lawyer is on duty now; book a callback instead."),
    "lawyer_changed": lambda: _("That lawyer is no longer on duty; the page now shows whom a put-through would ring."),
    "operator_without_phone": lambda: _("Your account has no phone number to ring you on."),
    "note_required": lambda: _("Write what was done before closing the escalation."),
    "already_closed": lambda: _("This escalation is already closed."),
}


def _cities():
    """The cities a contact may be recorded in: a city bureau's coordinator records its own city's."""
    city = bureau_city()
    return db.session.scalars(select(City).where(*([City.id == city] if city else [])).order_by(City.id)).all()


def _contact_or_404(contact_id: int) -> Contact:
    """A contact the signed-in user may handle (a city bureau's coordinator: its city's)."""
    contact = db.get_or_404(Contact, contact_id)
    require_city(contact.city_id)
    return contact


def _triage_data(form: TriageForm) -> intake.Triage:
    return intake.Triage(
        legal_area=form.legal_area.data or None, urgency=form.urgency.data, summary=form.summary.data or "",
        city_id=form.city_id.data, caller_name=form.caller_name.data or "", language=form.language.data,
        risk_flags=list(form.risk_flags.data or []),
    )


@bp.route("/console")
@staff
@city_scoped
def console_page():
    """The live queue: callers waiting, callbacks due, open escalations."""
    now = utcnow()
    return render_template("intake/console.html", queue=console.queue(db.session, now, city_id=bureau_city()), now=now)


@bp.route("/console/queue.json")
@staff
@city_scoped
def queue_json():
    """The queue for the console's refresh (numbers masked)."""
    now = utcnow()
    current = console.queue(db.session, now, city_id=bureau_city())
    return jsonify(
        totals={"waiting": current.waiting_total, "callbacks": current.callbacks_total,
                "escalations": current.escalations_total},
        waiting=[console.contact_json(c, now) for c in current.waiting],
        callbacks=[console.contact_json(c, now) for c in current.callbacks],
        escalations=[{"id": f.id, "flag": f.flag, "contact_id": f.contact_id, "reference": f.contact.reference,
                      "due": f.follow_up_due_at.isoformat() if f.follow_up_due_at else None}
                     for f in current.escalations],
    )


@bp.route("/contacts", methods=["GET", "POST"])
@staff
@city_scoped
def search():
    """Search contacts by number, name, area, status and date.

    The search is posted, so a caller's number or name never appears in a URL (nor in the access log or the
    browser's history); its pages are buttons of the same form. A GET lists the newest contacts, filtered by the
    non-personal fields only.
    """
    if request.method == "POST":
        form = SearchForm()
        valid = form.validate_on_submit()
        raw_page = request.form.get("page")
    else:
        form = SearchForm(formdata=request.args or None, meta={"csrf": False})
        form.q.data = ""
        valid = not request.args or form.validate()
        raw_page = request.args.get("page")
    if not valid:
        return render_template("intake/search.html", form=form, page=None, posted=False), 400
    query = console.search(db.session, q=form.q.data or "", area=form.area.data or None, status=form.status.data or None,
                           date_from=form.date_from.data, date_to=form.date_to.data, city_id=bureau_city())
    page = paging.paginate(query, raw_page)
    args = {name: request.args[name] for name in ("area", "status", "date_from", "date_to") if request.args.get(name)}
    return render_template("intake/search.html", form=form, page=page, args=args, posted=request.method == "POST")


@bp.route("/contacts/new", methods=["GET", "POST"])
@staff
@city_scoped
def new_contact():
    """Record a walk-in, letter, web or phone contact by hand."""
    form = NewContactForm()
    form.set_cities(_cities(), locale_code())
    if form.validate_on_submit():
        contact = intake.record_contact(db.session, _triage_data(form), form.channel.data, form.caller_phone.data or None,
                                        current_user, utcnow())
        db.session.commit()
        flash(_("Contact %(ref)s recorded.", ref=contact.reference), "success")
        return redirect(url_for("intake.contact", contact_id=contact.id))
    return render_template("intake/new.html", form=form), 400 if form.errors else 200


def _dispute_form(contact: Contact) -> DisputeForm | None:
    """The form that puts the contact into the ledger; None once it is there (the page then links the entry, and
    the org units of a city, or of the whole province, need not be read on every view of the contact)."""
    if contact.dispute_id is not None:
        return None
    form = DisputeForm(formdata=None)
    form.org_unit_id.choices = [("", _("Choose a place"))] + [(str(unit.id), text) for unit, text in _dispute_units(contact)]
    return form


def _ledger_entry(contact: Contact):
    from hotline.models import Dispute

    return db.session.get(Dispute, contact.dispute_id) if contact.dispute_id else None


def _render_contact(contact: Contact, status: int = 200, reveal: str | None = None, **forms):
    triage = forms.pop("triage", None) or TriageForm(obj=contact, formdata=None)
    triage.set_cities(_cities(), locale_code())
    if triage.risk_flags.data is None or not forms.get("keep_flags"):
        triage.risk_flags.data = [flag.flag for flag in contact.risk_flags]
    context = {
        "contact": contact, "triage": triage, "advice": forms.get("advice") or AdviceForm(formdata=None),
        "callback": forms.get("callback") or CallbackForm(formdata=None), "refer": forms.get("refer") or ReferForm(formdata=None),
        "dispute": forms.get("dispute") or _dispute_form(contact), "ledger_entry": _ledger_entry(contact),
        "close_flag": CloseFlagForm(formdata=None), "earlier": intake.earlier_contacts(db.session, contact),
        "revealed": reveal, "ringing": intake.who_to_ring(db.session, contact, utcnow())[:3],
        "history": history.lines(contact),
    }
    return render_template("intake/contact.html", **context), status


@bp.route("/contacts/<int:contact_id>")
@staff
@city_scoped
def contact(contact_id: int):
    """A contact: details, history, the caller's earlier contacts, triage and actions."""
    return _render_contact(_contact_or_404(contact_id))


def _act(contact: Contact, action, form_name: str, form):
    """Run an action; on a refused action show the message with 400 and change nothing."""
    try:
        action()
    except intake.IntakeError as error:
        db.session.rollback()
        flash(MESSAGES[str(error)](), "error")
        return make_response(_render_contact(db.session.get(Contact, contact.id), 400, **{form_name: form}))
    db.session.commit()
    return redirect(url_for("intake.contact", contact_id=contact.id))


@bp.route("/contacts/<int:contact_id>/triage", methods=["POST"])
@staff
@city_scoped
def triage(contact_id: int):
    """Save the triage; new risk flags escalate at once."""
    contact = _contact_or_404(contact_id)
    form = TriageForm()
    form.set_cities(_cities(), locale_code())
    if not form.validate():
        return _render_contact(contact, 400, triage=form, keep_flags=True)
    response = _act(contact, lambda: intake.triage(db.session, contact, _triage_data(form), current_user, utcnow()),
                    "triage", form)
    if response.status_code == 302:
        flash(_("Triage saved."), "success")
    return response


@bp.route("/contacts/<int:contact_id>/close", methods=["POST"])
@staff
@city_scoped
def close(contact_id: int):
    """Answer and close with the advice given."""
    contact = _contact_or_404(contact_id)
    form = AdviceForm()
    if not form.validate():
        return _render_contact(contact, 400, advice=form)
    return _act(contact, lambda: intake.close_with_advice(db.session, contact, form.advice.data, current_user, utcnow()),
                "advice", form)


@bp.route("/contacts/<int:contact_id>/callback", methods=["POST"])
@staff
@city_scoped
def callback(contact_id: int):
    """Book a callback."""
    contact = _contact_or_404(contact_id)
    form = CallbackForm()
    if not form.validate():
        return _render_contact(contact, 400, callback=form)
    return _act(contact, lambda: intake.book_callback(db.session, contact, form.due_utc(), current_user, utcnow()),
                "callback", form)


@bp.route("/contacts/<int:contact_id>/refer", methods=["POST"])
@staff
@city_scoped
def refer(contact_id: int):
    """Refer the caller and tell them by SMS where to go."""
    contact = _contact_or_404(contact_id)
    form = ReferForm()
    if not form.validate():
        return _render_contact(contact, 400, refer=form)
    return _act(contact, lambda: intake.refer(db.session, contact, form.target.data, form.organisation.data or "",
                                              form.note.data or "", current_user, utcnow()), "refer", form)


@bp.route("/contacts/<int:contact_id>/dispute", methods=["POST"])
@staff
@city_scoped
def dispute(contact_id: int):
    """Turn the contact into a dispute ledger entry in one step (posting twice gives the same entry; its open risk
    flags make the entry at least orange), or link it to an open entry by number."""
    from hotline.models import Dispute
    from hotline.services import disputes

    contact = _contact_or_404(contact_id)
    form = DisputeForm()
    units = _dispute_units(contact)
    form.org_unit_id.choices = [(str(unit.id), text) for unit, text in units]
    if not form.validate():
        return _render_contact(contact, 400, dispute=form)
    number = (form.number.data or "").strip()
    try:
        if number:
            entry = db.session.scalar(select(Dispute).where(Dispute.number == number))
            if entry is None or not in_city(entry.city_id):
                raise disputes.DisputeRefused("unknown_entry")
            linked = disputes.link_contact(db.session, contact, entry, user=current_user, now=utcnow())
            message = _("Linked to dispute %(number)s.", number=entry.number) if linked else None
        else:
            unit = next(unit for unit, _text in units if unit.id == form.org_unit_id.data)
            entry, created = disputes.from_contact(db.session, contact, org_unit=unit,
                                                   dispute_type=form.dispute_type.data or "other", user=current_user,
                                                   now=utcnow())
            message = _("Dispute %(number)s registered in the ledger.", number=entry.number) if created else None
    except disputes.DisputeRefused as refused:
        db.session.rollback()
        flash(str(vocab.DISPUTE_REFUSALS.get(refused.code, refused.code)), "error")
        return _render_contact(db.session.get(Contact, contact.id), 400, dispute=form)
    db.session.commit()
    if message is None:
        existing = db.session.get(Dispute, db.session.get(Contact, contact.id).dispute_id)
        message = _("This contact is already in the ledger as %(number)s.", number=existing.number)
    flash(message, "success")
    return redirect(url_for("intake.contact", contact_id=contact.id))


def _dispute_units(contact: Contact):
    """The places a hotline operator may say a dispute is in: the caller's city's org units (all cities' when the
    city is not known), each with the names above it."""
    from hotline.disputes.ledger import unit_labels
    from hotline.models import OrgUnit

    query = select(OrgUnit).order_by(OrgUnit.city_id, OrgUnit.path)
    city = contact.city_id or bureau_city()
    if city is not None:
        query = query.where(OrgUnit.city_id == city)
    return unit_labels(db.session.scalars(query).all(), locale_code())


@bp.route("/on-duty")
@staff
@city_scoped
def on_duty():
    """Who is on duty now and from the next shift, for an area, a language and a caller's city: the call router's
    own answer (services.duty_lookup), in the order it would ring them."""
    area = request.args.get("area") or None
    language = request.args.get("language") or "zh"
    cities = _cities()
    city_id = whole_number(request.args.get("city_id")) or bureau_city()
    if (area is not None and area not in vocab.LEGAL_AREAS) or language not in vocab.LANGUAGES or (
            request.args.get("city_id") and city_id not in {city.id for city in cities}):
        abort(400, description=_("Choose a legal area, a language and a city from the lists."))
    now = utcnow()
    upcoming = duty_lookup.next_shift_start(db.session, now)
    return render_template(
        "intake/on_duty.html", area=area, language=language, city_id=city_id, cities=cities, now=now,
        current=duty_lookup.on_duty(db.session, area, language, now, city_id), upcoming=upcoming,
        following=duty_lookup.on_duty(db.session, area, language, upcoming + timedelta(seconds=1), city_id)
        if upcoming else [])


@bp.route("/contacts/<int:contact_id>/put-through", methods=["POST"])
@staff
@city_scoped
def put_through(contact_id: int):
    """Connect operator, caller and the on-duty lawyer in a conference call."""
    contact = _contact_or_404(contact_id)
    settings = twilio_settings(current_app)
    try:
        lawyer = intake.put_through(db.session, contact, current_user, settings, utcnow(),
                                    whole_number(request.form.get("lawyer_id")))
    except intake.IntakeError as error:
        db.session.rollback()
        flash(MESSAGES[str(error)](), "error")
        return _render_contact(db.session.get(Contact, contact_id), 400)
    except TwilioException as error:
        db.session.rollback()
        current_app.logger.warning("put-through failed for contact %s: %s", contact_id, error)
        flash(_("Twilio refused the call; try again or book a callback."), "error")
        return _render_contact(db.session.get(Contact, contact_id), 502)
    db.session.commit()
    flash(_("Calling you, the caller and %(name)s into one call.", name=lawyer.name) + " " + (
        _("Twilio is placing the calls.") if settings.configured else
        _("The calls wait in the outbox: calls are not set up on this server.")), "success")
    return redirect(url_for("intake.contact", contact_id=contact_id))


@bp.route("/contacts/<int:contact_id>/reveal", methods=["POST"])
@staff
@city_scoped
def reveal(contact_id: int):
    """Show the caller's full number once; the reveal is logged on the contact."""
    contact = _contact_or_404(contact_id)
    number = intake.reveal_number(db.session, contact, current_user, utcnow())
    db.session.commit()
    return _render_contact(db.session.get(Contact, contact_id), reveal=number)


@bp.route("/escalations")
@staff
@city_scoped
def escalations():
    """Open risk escalations, the most urgent deadline first."""
    return render_template("intake/escalations.html", flags=escalation.open_escalations(db.session, city_id=bureau_city()),
                           form=CloseFlagForm(formdata=None), now=utcnow())


@bp.route("/escalations/<int:flag_id>/close", methods=["POST"])
@staff
@supervisor_required
@city_scoped
def close_escalation(flag_id: int):
    """A supervisor closes an escalation with a note and whether the incident was prevented."""
    flag = db.get_or_404(RiskFlag, flag_id)
    require_city(flag.contact.city_id)
    form = CloseFlagForm()
    try:
        escalation.close_flag(db.session, flag, form.note.data or "", bool(form.prevented.data), current_user.id, utcnow())
    except escalation.EscalationError as error:
        db.session.rollback()
        flash(MESSAGES[str(error)](), "error")
        return render_template("intake/escalations.html", flags=escalation.open_escalations(db.session, city_id=bureau_city()), form=form,
                               now=utcnow()), 400
    db.session.commit()
    flash(_("Escalation closed."), "success")
    return redirect(request.form.get("back") == "contact" and url_for("intake.contact", contact_id=flag.contact_id)
                    or url_for("intake.escalations"))


from hotline.intake import followups as _followups  # noqa: E402,F401  (its routes live on this blueprint)
