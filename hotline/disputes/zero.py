"""Monthly zero reports (零报告): a township's coordinator files one when the township has nothing to report; a county
or city coordinator sees for a month which townships filed, which registered entries and which did neither."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user

from hotline.auth.access import city_scoped, roles_required
from hotline.disputes.scope import PLANNERS, current_scope
from hotline.disputes.views import bp
from hotline.extensions import db
from hotline.models import OrgUnit
from hotline.models.types import utcnow
from hotline.services import zero_reports


def _own_township() -> OrgUnit | None:
    """The township the signed-in coordinator files for (a township bureau's org unit), else None."""
    if current_user.role != "bureau" or current_user.org_unit_id is None:
        return None
    unit = db.session.get(OrgUnit, current_user.org_unit_id)
    return unit if unit is not None and unit.kind == "township" else None


def _refusal(refused: zero_reports.ZeroRefused) -> tuple[str, int]:
    """A refused filing in the reader's words, with its status."""
    code = refused.code
    if code == "not_township":
        return _("Only a township's coordinator files zero reports for it."), 400
    if code == "bad_month":
        return _("Choose a month as YYYY-MM."), 400
    if code == "future_month":
        return _("A month that has not begun cannot be reported on."), 400
    if code == "note_too_long":
        return _("The note is longer than %(limit)s characters.", limit=refused.params["limit"]), 400
    if code == "has_entries":
        return ngettext("The township has %(num)d ledger entry this month, so it has something to report: no zero "
                        "report is needed.",
                        "The township has %(num)d ledger entries this month, so it has something to report: no zero "
                        "report is needed.", refused.params["count"]), 409
    return _("The zero report for this month was already filed."), 409


def _page(month, status: int = 200):
    township = _own_township()
    return render_template(
        "disputes/zero.html", month=month, this_month=zero_reports.this_month(utcnow()), township=township,
        overview=zero_reports.overview(db.session, current_scope(), month),
        entries=zero_reports.entries_of(db.session, township, month) if township else 0), status


@bp.route("/zero-reports")
@roles_required(*PLANNERS)
@city_scoped
def zero_reports_page():
    """A month's zero reports in the viewer's part of the ledger (this month unless another is asked for)."""
    asked = request.args.get("month")
    month = zero_reports.parse_month(asked) if asked else zero_reports.this_month(utcnow())
    if month is None:
        abort(400)
    return _page(month)


@bp.route("/zero-reports", methods=["POST"])
@roles_required("bureau")
def file_zero_report():
    """File the township's zero report for a month."""
    month = zero_reports.parse_month(request.form.get("month"))
    try:
        zero_reports.file(db.session, _own_township(), month, current_user, utcnow(), request.form.get("note", ""))
    except zero_reports.ZeroRefused as refused:
        db.session.rollback()
        message, status = _refusal(refused)
        flash(message, "error")
        return _page(month or zero_reports.this_month(utcnow()), status)
    db.session.commit()
    flash(_("Zero report filed."), "success")
    return redirect(url_for("disputes.zero_reports_page", month=f"{month:%Y-%m}"))
