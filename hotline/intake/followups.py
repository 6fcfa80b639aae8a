"""Follow-ups for operators: surveys nobody answered, and the outcome of the call made instead."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from hotline import paging, vocab
from hotline.auth.access import bureau_city, city_scoped, require_city
from hotline.extensions import db
from hotline.intake.forms import FollowUpCallForm
from hotline.intake.views import bp, staff
from hotline.models import FollowUp, ServiceRecord
from hotline.models.types import utcnow
from hotline.services import followups as service

MESSAGES = {
    "closed": lambda: _("This follow-up has already been answered or closed."),
    "bad_outcome": lambda: _("Choose the outcome of the call."),
    "score_required": lambda: _("Enter the score the person gave, from 1 to 5."),
}


PER_PAGE = 20
SURVEY_FILTERS = ("sent", "not_sent")


def _filters() -> dict:
    """The list's filters from the query string (unknown values are refused with 400)."""
    kind = request.args.get("kind") or None
    survey = request.args.get("survey") or None
    if (kind is not None and kind not in vocab.SERVICE_KINDS) or (survey is not None and survey not in SURVEY_FILTERS):
        abort(400, description=_("Choose a service and a survey state from the lists."))
    return {"kind": kind, "survey": survey}


def _page(status: int = 200, form: FollowUpCallForm | None = None, failed_id: int | None = None):
    """The list of unanswered follow-ups, most recently due first, filtered and paged; each row's form opens on
    demand, and a refused form is shown again, open, on its row."""
    now = utcnow()
    filters = _filters()
    page = paging.paginate(service.unanswered(now, **filters, city_id=bureau_city()), request.args.get("page"),
                           per_page=PER_PAGE)
    rows = service.describe(db.session, list(page.items))
    return render_template("intake/followups.html", page=page, rows=rows, now=now, filters=filters,
                           form=form or FollowUpCallForm(formdata=None), failed_id=failed_id), status


@bp.route("/followups")
@staff
@city_scoped
def followups():
    """Surveys unanswered for 48 hours, or not sent on time, the longest waiting first."""
    return _page()


@bp.route("/followups/<int:follow_up_id>/call", methods=["POST"])
@staff
@city_scoped
def follow_up_call(follow_up_id: int):
    """Record an operator's call: reached with a score, declined, or no answer (back on the list tomorrow)."""
    follow_up = db.get_or_404(FollowUp, follow_up_id)
    require_city(db.session.get(ServiceRecord, follow_up.service_record_id).city_id)
    form = FollowUpCallForm()
    if not form.validate():
        for name, errors in form.errors.items():
            for error in errors:
                flash(f"{form[name].label.text}: {error}", "error")
        return _page(400, form, follow_up_id)
    try:
        service.record_call(db.session, follow_up, form.outcome.data, form.score.data, form.note.data or "",
                              current_user, utcnow())
    except service.FollowUpError as error:
        db.session.rollback()
        flash(MESSAGES[str(error)](), "error")
        return _page(400, form, follow_up_id)
    db.session.commit()
    flash(_("Call recorded; this follow-up will come back tomorrow.") if form.outcome.data == "no_answer"
          else _("Call recorded."), "success")
    return redirect(url_for("intake.followups", page=request.args.get("page", type=int) or None))
