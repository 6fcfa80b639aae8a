"""The ledger (a list filtered by state, level, type, source, or the entries behind a report figure), registering a
dispute, and an entry with every step of its lifecycle. Each step is posted to one view, which hands it to
services.disputes.act: a refused step answers 400 (409 when the entry has moved on) and writes nothing."""
from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l, ngettext
from flask_login import current_user
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from hotline import paging, vocab
from hotline.auth.access import city_scoped, roles_required
from hotline.disputes.forms import RegisterForm
from hotline.disputes.scope import LEDGER_ROLES, PLANNERS, Scope, current_scope, dispute_or_404, is_planner
from hotline.disputes.views import bp
from hotline.extensions import db
from hotline.formkit import whole_number
from hotline.i18n import locale_code
from hotline.models import (Contact, Dispute, DisputeEvent, MediationCommittee, Mediator, OrgUnit, User)
from hotline.models.types import PROVINCE_TZ, utcnow
from hotline.services import dispute_deadlines, disputes
from hotline.services.disputes import DisputeRefused, Party

# Steps a mediator of the entry's committee may take; coordinators (admin, bureau) may take every step.
MEDIATOR_ACTIONS = frozenset({"committee_accept", "committee_decline", "session", "succeed", "fail", "transfer",
                              "extend", "follow_up", "risk_open", "risk_close", "measure_review"})
# Steps taken from the entry page's forms: not the system's own (warn, escalate), and not a session or a follow-up
# visit, which also write a service record (hotline/disputes/sessions.py).
FORM_ACTIONS = frozenset(disputes.TRANSITIONS) - {"warn", "escalate", "session", "follow_up"}
FILTERS = {"state": vocab.DISPUTE_STATES, "risk_level": vocab.RISK_LEVELS, "dispute_type": vocab.DISPUTE_TYPES,
           "source": vocab.DISPUTE_SOURCES}


def unit_labels(units: list[OrgUnit], locale: str) -> list[tuple[OrgUnit, str]]:
    """Each org unit with the chain of names above it, "Jinzhou District › Dalianwan Street › Xiwang Village"."""
    names = {unit.id: unit.name(locale) for unit in units}
    missing = {int(part) for unit in units for part in unit.path.strip("/").split("/") if part} - set(names)
    if missing:
        names |= {unit.id: unit.name(locale) for unit in db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(missing)))}
    return [(unit, " › ".join(names[int(part)] for part in unit.path.strip("/").split("/") if part))
            for unit in units]


def _units_in_scope() -> list[OrgUnit]:
    return db.session.scalars(current_scope().org_units(select(OrgUnit)).order_by(OrgUnit.city_id, OrgUnit.path)).all()


@bp.route("/")
@roles_required(*LEDGER_ROLES)
@city_scoped
def ledger():
    """The entries the user may see, newest first; filters by state, level, type and source, a search by number or
    words of the summary, or the entries behind a figure of the report (figure, start, end)."""
    scope, args = current_scope(), {}
    city = whole_number(request.args.get("city_id"))
    if city is not None and scope.is_province:  # a province coordinator narrowing to one city (a city's figures)
        scope, args["city_id"] = Scope(city_id=city), str(city)
    query = scope.disputes(select(Dispute))
    for name, vocabulary in FILTERS.items():
        value = request.args.get(name) or ""
        if value:
            if value not in vocabulary:
                abort(400, description=_("Choose a filter from the lists."))
            query = query.where(getattr(Dispute, name) == value)
            args[name] = value
    if request.args.get("open") == "1":
        query = query.where(Dispute.state.in_(disputes.OPEN_STATES))
        args["open"] = "1"
    words = (request.args.get("q") or "").strip()[:100]
    if words:
        query = query.where(or_(Dispute.number.contains(words), Dispute.summary.contains(words)))
        args["q"] = words
    figure = request.args.get("figure")
    if figure:
        query, figure_args = _behind_figure(query, figure, scope)
        args |= figure_args
    query = query.options(selectinload(Dispute.org_unit), selectinload(Dispute.committee))
    page = paging.paginate(query.order_by(Dispute.found_at.desc(), Dispute.id.desc()), request.args.get("page"))
    return render_template("disputes/ledger.html", page=page, args=args, filters=FILTERS, words=words,
                           figure=figure, planner=is_planner())


def _behind_figure(query, figure: str, scope):
    """Keep the entries behind one figure of the report for a period (services.dispute_figures)."""
    from hotline.services import dispute_figures

    try:
        start = date.fromisoformat(request.args.get("start") or "")
        end = date.fromisoformat(request.args.get("end") or "")
    except ValueError:
        abort(400, description=_("Write a date as YYYY-MM-DD."))
    try:
        ids = dispute_figures.behind(figure, start, end, scope)
    except (KeyError, ValueError):
        abort(400, description=_("Choose a filter from the lists."))
    return query.where(Dispute.id.in_(ids)), {"figure": figure, "start": start.isoformat(), "end": end.isoformat()}


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*PLANNERS)
@city_scoped
def new():
    """Register a dispute found by screening (矛盾纠纷排查), a walk-in, the web, the police, a court or a petition
    office."""
    form = RegisterForm()
    units = _units_in_scope()
    form.set_units(unit_labels(units, locale_code()), locale_code())
    if request.method == "GET" and form.found_at.data is None:
        form.found_at.data = utcnow().astimezone(PROVINCE_TZ).replace(tzinfo=None, second=0, microsecond=0)
    if form.validate_on_submit():
        unit = next((unit for unit in units if unit.id == form.org_unit_id.data), None)
        if unit is None:
            form.org_unit_id.errors.append(vocab.DISPUTE_REFUSALS["bad_place"])
        else:
            parties = [Party(name=p.form.name.data.strip(), phone=p.form.phone.data or None,
                             role=(p.form.role.data or "").strip())
                       for p in form.parties if (p.form.name.data or "").strip()]
            risks = {kind: people for kind in vocab.RISK_FLAGS
                     if (people := getattr(form.risks.form, kind).data)}
            found_at = form.found_at.data.replace(tzinfo=PROVINCE_TZ)
            try:
                dispute = disputes.register(
                    db.session, source=form.source.data, found_at=found_at, org_unit=unit,
                    dispute_type=form.dispute_type.data, summary=form.summary.data, parties=parties,
                    risk_level=form.risk_level.data, risks=risks, user=current_user,
                    people_involved=form.people_involved.data, amount=form.amount.data, place=form.place.data or "",
                    language=form.language.data)
            except DisputeRefused as refused:
                db.session.rollback()
                flash(str(vocab.DISPUTE_REFUSALS.get(refused.code, refused.code)), "error")
                return render_template("disputes/new.html", form=form), 400
            db.session.commit()
            flash(_("Dispute %(number)s registered.", number=dispute.number), "success")
            return redirect(url_for("disputes.entry", dispute_id=dispute.id))
    return render_template("disputes/new.html", form=form), 400 if form.errors else 200


def may_act(dispute: Dispute, action: str) -> bool:
    """The signed-in user may take this step on this entry (they already see it)."""
    if current_user.role in PLANNERS:
        return True
    return current_user.role == "mediator" and action in MEDIATOR_ACTIONS


def _committees_for(dispute: Dispute) -> list[tuple[MediationCommittee, str | None]]:
    """Committees in the user's scope that may serve the entry's place, each with why it may not take it (None:
    it may)."""
    unit = dispute.org_unit
    above = [int(part) for part in unit.path.strip("/").split("/") if part]
    found = db.session.scalars(current_scope().committees(select(MediationCommittee)).where(
        MediationCommittee.org_unit_id.in_(above), MediationCommittee.active.is_(True))
        .options(selectinload(MediationCommittee.org_unit)).order_by(MediationCommittee.level,
                                                                      MediationCommittee.id)).all()
    return [(committee, disputes.may_take(committee, dispute, unit)) for committee in found]


def render_entry(dispute: Dispute, status: int = 200, error: str | None = None):
    events = db.session.scalars(select(DisputeEvent).where(DisputeEvent.dispute_id == dispute.id)
                                .order_by(DisputeEvent.seq)).all()
    now = utcnow()
    deadlines = [(deadline, deadline.status(now)) for deadline in dispute_deadlines.deadlines(dispute, events)]
    people = {user.id: user for user in db.session.scalars(select(User).where(
        User.id.in_({event.user_id for event in events if event.user_id} | {dispute.responsible_user_id or 0})))}
    committees = {committee.id: committee for committee in db.session.scalars(select(MediationCommittee).where(
        MediationCommittee.id.in_({event.data.get("committee_id") for event in events
                                   if isinstance(event.data.get("committee_id"), int)} | {dispute.committee_id or 0})))}
    mediators = db.session.scalars(select(Mediator).where(Mediator.committee_id == dispute.committee_id,
                                                          Mediator.active.is_(True))).all() \
        if dispute.committee_id else []
    contact = db.session.get(Contact, dispute.contact_id) if dispute.contact_id else None
    allowed = {action for action, (sources, _target) in disputes.TRANSITIONS.items()
               if dispute.state in sources and action in FORM_ACTIONS and may_act(dispute, action)}
    context = {
        "dispute": dispute, "events": events, "deadlines": deadlines, "people": people, "committees": committees,
        "mediators": mediators, "contact": contact, "allowed": allowed, "error": error, "now": now,
        "choices": _committees_for(dispute) if "dispatch" in allowed else [],
        "open_risks": [risk for risk in dispute.risks if risk.closed_at is None],
        "units": unit_labels([dispute.org_unit], locale_code())[0][1],
        "details": {event.id: event_detail(event, committees, locale_code()) for event in events},
        "deadline_name": deadline_name, "agreement_forms": AGREEMENT_FORMS,
    }
    return render_template("disputes/entry.html", **context), status


@bp.route("/<int:dispute_id>")
@roles_required(*LEDGER_ROLES)
@city_scoped
def entry(dispute_id: int):
    """One entry: its facts, parties (phones masked), risks, deadlines, history and the steps the user may take."""
    return render_entry(dispute_or_404(dispute_id))


def _int(value: str | None, code: str = "bad_number") -> int:
    number = whole_number((value or "").strip())
    if number is None:
        raise DisputeRefused(code)
    return number


def _yes_no(value: str | None) -> bool | None:
    return {"yes": True, "no": False}.get(value or "")


def step_data(action: str, form) -> tuple[dict, str]:
    """The step's own fields from the posted form, typed: (data, reason). Malformed numbers and dates raise
    DisputeRefused, like the ledger's own checks."""
    text = lambda name: (form.get(name) or "").strip()  # noqa: E731
    data: dict = {}
    if action == "assess":
        data["risk_level"] = text("risk_level")
    elif action == "reject":
        data["referral"] = text("referral")
    elif action == "dispatch":
        data["committee_id"] = _int(form.get("committee_id"), "committee_unknown")
    elif action == "committee_accept":
        data["mediator_id"] = _int(form.get("mediator_id"), "mediator_not_of_committee") \
            if text("mediator_id") else None
    elif action == "succeed":
        data |= {"agreement_form": text("agreement_form"), "terms": text("terms"),
                 "judicial_confirmation": form.get("judicial_confirmation") == "yes"}
        if text("performance_date"):
            try:
                data["performance_date"] = date.fromisoformat(text("performance_date"))
            except ValueError:
                raise DisputeRefused("bad_date") from None
    elif action == "fail":
        data["guidance"] = text("guidance")
    elif action == "transfer":
        data["agency"] = text("agency")
    elif action == "extend":
        data |= {"days": _int(form.get("days"), "bad_extension"), "consent_both": form.get("consent_both") == "yes"}
    elif action == "risk_open":
        data |= {"kind": text("kind"), "people": _int(form.get("people") or "1", "bad_risk"), "measure": text("measure")}
    elif action == "risk_close":
        data |= {"kind": text("kind"), "prevented": _yes_no(form.get("prevented"))}
    elif action == "measure_review":
        data |= {"kind": text("kind"), "note": text("note")}
    elif action in ("report", "acknowledge"):
        data |= {"level": text("level"), "note": text("note")}
    elif action == "correct":
        for name in ("summary", "dispute_type", "risk_level", "place"):
            if text(name):
                data[name] = text(name)
        for name in ("people_involved", "amount"):
            if text(name):
                data[name] = _int(form.get(name))
        if text("party_name"):
            data["add_party"] = Party(name=text("party_name"), phone=_phone(text("party_phone")),
                                      role=text("party_role"))
    return data, text("reason")


def _phone(raw: str) -> str | None:
    from hotline import phones

    if not raw:
        return None
    try:
        return phones.normalise(raw)
    except phones.InvalidPhone:
        raise DisputeRefused("bad_phone") from None


@bp.route("/<int:dispute_id>/steps", methods=["POST"])
@roles_required(*LEDGER_ROLES)
@city_scoped
def step(dispute_id: int):
    """Take one step of the lifecycle (the form's `action`); the entry page again with the refusal when refused."""
    dispute = dispute_or_404(dispute_id)
    action = request.form.get("action") or ""
    if action not in FORM_ACTIONS:
        return render_entry(dispute, 400, vocab.DISPUTE_REFUSALS["bad_action"])
    if not may_act(dispute, action):
        abort(403)
    try:
        if dispute.state not in disputes.TRANSITIONS[action][0]:
            raise DisputeRefused("not_from_state")  # the entry has moved on: say so before judging the fields
        data, reason = step_data(action, request.form)
        disputes.act(db.session, dispute, action, current_user, reason=reason, now=utcnow(), **data)
    except DisputeRefused as refused:
        db.session.rollback()
        status = 409 if refused.code == "not_from_state" else 400
        return render_entry(db.session.get(Dispute, dispute_id), status,
                            str(vocab.DISPUTE_REFUSALS.get(refused.code, refused.code)))
    db.session.commit()
    flash(_("%(step)s: saved.", step=vocab.label(vocab.DISPUTE_ACTIONS, action)), "success")
    return redirect(url_for("disputes.entry", dispute_id=dispute.id))


AGREEMENT_FORMS = {"oral": _l("Oral agreement"), "written": _l("Written agreement")}
SESSION_MODES = {"on_site": _l("On site"), "phone": _l("By phone"), "video": _l("By video")}
DEADLINE_NAMES = {"accept": _l("Accept or reject"), "report": _l("Report to"), "acknowledge": _l("Acknowledgement by"),
                  "conclude": _l("Conclude mediation"), "follow_up": _l("Follow-up visit"),
                  "review": _l("Review the prevention measure")}


def deadline_name(key: str) -> str:
    """"report:city_bureau" -> "Report to: City"."""
    head, _sep, tail = key.partition(":")
    name = str(DEADLINE_NAMES.get(head, head))
    if not tail:
        return name
    return f"{name}: {vocab.label(vocab.REPORT_LEVELS, tail) if tail in vocab.REPORT_LEVELS else vocab.label(vocab.RISK_FLAGS, tail)}"


def event_detail(event: DisputeEvent, committees: dict, locale: str) -> str:
    """What an event recorded, in the reader's words."""
    data = event.data or {}
    yes, no = _("yes"), _("no")
    committee = committees.get(data.get("committee_id"))
    parts: list[str] = []
    if event.action == "register":
        parts = [vocab.label(vocab.DISPUTE_SOURCES, data.get("source")), vocab.label(vocab.RISK_LEVELS, data.get("risk_level"))]
    elif event.action == "assess":
        parts = [vocab.label(vocab.RISK_LEVELS, data.get("risk_level"))]
    elif event.action in ("dispatch", "committee_accept", "committee_decline") and committee is not None:
        parts = [committee.name(locale)]
    elif event.action == "reject":
        parts = [_("referred to %(where)s", where=data.get("referral", ""))]
    elif event.action == "session":
        parts = [str(SESSION_MODES.get(data.get("mode"), "")), data.get("record", "")]
    elif event.action == "succeed":
        parts = [str(AGREEMENT_FORMS.get(data.get("agreement_form"), "")), data.get("terms", "")]
        if data.get("performance_date"):
            parts.append(_("to be performed by %(day)s", day=data["performance_date"]))
        if data.get("judicial_confirmation"):
            parts.append(_("judicial confirmation applied for"))
    elif event.action == "fail":
        parts = [data.get("guidance", "")]
    elif event.action == "transfer":
        parts = [data.get("agency", "")]
    elif event.action == "follow_up":
        kept = data.get("kept")
        parts = [data.get("note", "")] + ([_("agreement kept: %(answer)s", answer=yes if kept else no)]
                                          if kept is not None else [])
    elif event.action == "extend":
        parts = [ngettext("%(num)s day, both parties consenting", "%(num)s days, both parties consenting",
                          data.get("days", 0))]
    elif event.action in ("risk_open", "risk_close", "measure_review"):
        parts = [vocab.label(vocab.RISK_FLAGS, data.get("kind"))]
        if event.action == "risk_open":
            parts.append(ngettext("%(num)s person at risk", "%(num)s people at risk", data.get("people", 1)))
            parts.append(data.get("measure", ""))
        elif event.action == "risk_close":
            parts.append(_("prevented") if data.get("prevented") else _("not prevented"))
        else:
            parts.append(data.get("note", ""))
    elif event.action in ("report", "acknowledge"):
        parts = [vocab.label(vocab.REPORT_LEVELS, data.get("level")), data.get("note", "")]
    elif event.action in ("warn", "escalate"):
        parts = [deadline_name(data.get("deadline", ""))]
    elif event.action == "correct":
        for name, change in (data.get("changes") or {}).items():
            parts.append(f"{CORRECTED.get(name, name)}: {_shown(name, change.get('from'))} → {_shown(name, change.get('to'))}")
    return " · ".join(part for part in parts if part)


CORRECTED = {"dispute_type": _l("Type of dispute"), "summary": _l("Summary"), "risk_level": _l("Risk level"),
             "people_involved": _l("People involved"), "amount": _l("Amount in dispute (yuan)"),
             "place": _l("Address or landmark"), "party": _l("Party added"), "contact": _l("Hotline work order")}


def _shown(name: str, value) -> str:
    if value is None:
        return "—"
    if name == "dispute_type":
        return vocab.label(vocab.DISPUTE_TYPES, value)
    if name == "risk_level":
        return vocab.label(vocab.RISK_LEVELS, value)
    return str(value)


def home_summary(scope) -> dict:
    """A bureau coordinator's or mediator's home: open entries by state and by level, the newest waiting on them."""
    from sqlalchemy import func

    open_query = scope.disputes(select(Dispute.state, Dispute.risk_level, func.count()).where(
        Dispute.state.in_(disputes.OPEN_STATES))).group_by(Dispute.state, Dispute.risk_level)
    by_state: dict[str, int] = {}
    by_level: dict[str, int] = {}
    for state, level, count in db.session.execute(open_query):
        by_state[state] = by_state.get(state, 0) + count
        by_level[level] = by_level.get(level, 0) + count
    waiting = ("dispatched", "in_mediation") if scope.committee_id is not None else ("registered", "accepted", "assessed")
    newest = db.session.scalars(scope.disputes(select(Dispute)).where(Dispute.state.in_(waiting))
                                .order_by(Dispute.found_at.desc()).limit(10)).all()
    return {"by_state": by_state, "by_level": by_level, "waiting": newest}
