"""The ledger's figures for a period, for the coordinator's part of the province (the province, a city, a county or
township bureau's subtree): the report's sentence in Chinese and English, every figure linked to the entries behind
it, publishing (frozen figures, revisions that say what they revised) and each published revision."""
from __future__ import annotations

from datetime import date

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from hotline.auth.access import city_scoped, roles_required
from hotline.disputes import wording
from hotline.disputes.scope import PLANNERS, Scope, current_scope
from hotline.disputes.views import bp
from hotline.extensions import db
from hotline.formkit import whole_number
from hotline.models import City, DisputeReport, OrgUnit
from hotline.models.types import PROVINCE_TZ, utcnow
from hotline.services import dispute_figures, dispute_reports, statistics
from hotline.services.dispute_figures import BadPeriod, Period
from hotline.services.dispute_reports import ReportRefused

REFUSALS = {
    "scope_not_reportable": _l("A committee's entries are reported by the coordinators above it."),
    "period_not_started": _l("A period that has not started has nothing to report."),
    "bad_period": _l("Choose a period whose last day is not before its first, at most five years long."),
}


def ledger_link(key: str, first: date, last: date, scope: Scope | None = None) -> str | None:
    """The ledger's list of the entries behind one figure."""
    extra = {"city_id": scope.city_id} if scope is not None and scope.city_id and scope.path is None else {}
    return url_for("disputes.ledger", figure=key, start=first.isoformat(), end=last.isoformat(), **extra)


def scope_names(scope: Scope) -> tuple[str, str]:
    """(Chinese, English) name of the part of the province a scope covers."""
    if scope.path is not None:
        unit = db.session.get(OrgUnit, int(scope.path.strip("/").split("/")[-1]))
        return unit.name_zh, unit.name_en
    if scope.city_id is not None:
        city = db.session.get(City, scope.city_id)
        return city.name_zh, city.name_en
    return "全省", "the province"


def _quarters() -> dict[str, Period]:
    """The last quarter that ended (what the department reports, the page's default) and the one running."""
    today = utcnow().astimezone(PROVINCE_TZ).date()
    return {"last": Period(*statistics.last_full_quarter(today)), "this": Period(*statistics.quarter_of(today))}


def _period(args) -> Period:
    """The period asked for (first and last, YYYY-MM-DD), the last quarter that ended when none; 400 when
    malformed."""
    if not args.get("first") and not args.get("last"):
        return _quarters()["last"]
    try:
        return Period(date.fromisoformat(args.get("first") or ""), date.fromisoformat(args.get("last") or ""))
    except BadPeriod:
        abort(400, description=str(REFUSALS["bad_period"]))
    except ValueError:
        abort(400, description=_("Write a date as YYYY-MM-DD."))


def _scope(args) -> Scope:
    """The viewer's part of the ledger; a province coordinator may choose a city."""
    scope = current_scope()
    if not scope.is_province or not args.get("city_id"):
        return scope
    city = db.session.get(City, whole_number(args.get("city_id")) or 0)
    if city is None:
        abort(400, description=_("Choose a city from the list."))
    return Scope(city_id=city.id)


def _args(period: Period, scope: Scope) -> dict:
    args = {"first": period.first.isoformat(), "last": period.last.isoformat()}
    if current_scope().is_province and scope.city_id is not None:
        args["city_id"] = scope.city_id
    return args


def report_context(period: Period, scope: Scope) -> dict:
    """What a report of the ledger shows: the latest published revision's frozen figures when the period is
    published (and whether the history has changed since), else the figures counted now."""
    now = utcnow()
    published = dispute_reports.revisions(db.session, period.first, period.last, scope)
    latest = published[0] if published else None
    counted = dispute_reports.live(db.session, period.first, period.last, scope, now) if latest \
        else dispute_reports.Live(dispute_figures.figures(db.session, period.first, period.last, scope, now), "")
    shown = dispute_reports.frozen(latest) if latest else counted.figures
    zh, en = scope_names(scope)
    return {
        "ledger": shown, "ledger_live": counted.figures, "ledger_latest": latest, "ledger_revisions": published,
        "ledger_changed": latest is not None and dispute_reports.differs(latest, counted),
        "ledger_revised": dispute_reports.revised_from(db.session, latest) if latest else {},
        "ledger_sentence_zh": wording.sentence_zh(shown), "ledger_sentence_en": wording.sentence_en(shown),
        "ledger_lines": wording.lines(shown), "ledger_where": (zh, en), "ledger_period": period,
        "ledger_scope": scope, "ledger_link": ledger_link, "ledger_publish_args": _args(period, scope),
        "ledger_rate": wording.rate,
    }


@bp.route("/figures")
@roles_required(*PLANNERS)
@city_scoped
def figures():
    """The period's figures for the coordinator's part of the province, as the department reports them."""
    period, scope = _period(request.args), _scope(request.args)
    cities = db.session.scalars(select(City).order_by(City.id)).all() if current_scope().is_province else []
    quarters = {name: _args(quarter, scope) for name, quarter in _quarters().items()}
    return render_template("disputes/figures.html", cities=cities, args=_args(period, scope), quarters=quarters,
                           **report_context(period, scope))


@bp.route("/figures/publish", methods=["POST"])
@roles_required(*PLANNERS)
@city_scoped
def publish():
    """Freeze the period's figures (a new revision when the history has changed since the last one)."""
    period, scope = _period(request.form), _scope(request.form)
    try:
        report, created = dispute_reports.publish(db.session, period.first, period.last, scope,
                                                  current_user, utcnow())
    except ReportRefused as refused:
        db.session.rollback()
        abort(400, description=str(REFUSALS[refused.code]))
    db.session.commit()
    if created:
        flash(_("Revision %(revision)s of the report is published.", revision=report.revision), "success")
    else:
        flash(_("Nothing has changed since revision %(revision)s was published.", revision=report.revision), "info")
    back = request.form.get("back")
    if back == "stats":
        return redirect(url_for("stats.report", **_args(period, scope)))
    return redirect(url_for("disputes.published", report_id=report.id))


def _visible(report: DisputeReport) -> bool:
    """A published revision is seen by the province's coordinators and by those whose part it reports."""
    scope = current_scope()
    return scope.is_province or report.scope == scope.key


@bp.route("/figures/published/<int:report_id>")
@roles_required(*PLANNERS)
@city_scoped
def published(report_id: int):
    """One published revision, as it was published, with what it revised."""
    report = db.get_or_404(DisputeReport, report_id)
    if not _visible(report):
        abort(404)
    shown = dispute_reports.frozen(report)
    scope = _report_scope(report)
    zh, en = scope_names(scope)
    period = Period(report.period_start, report.period_end)
    return render_template(
        "disputes/published.html", report=report, ledger=shown, ledger_lines=wording.lines(shown),
        ledger_sentence_zh=wording.sentence_zh(shown), ledger_sentence_en=wording.sentence_en(shown),
        ledger_revised=dispute_reports.revised_from(db.session, report), ledger_where=(zh, en),
        ledger_period=period, ledger_scope=scope, ledger_link=ledger_link, ledger_rate=wording.rate,
        args=_args(period, scope),
        revisions=dispute_reports.revisions(db.session, report.period_start, report.period_end, scope))


def _report_scope(report: DisputeReport) -> Scope:
    if report.scope.startswith("unit:"):
        return Scope(city_id=report.city_id, path=report.scope.split(":", 1)[1])
    if report.scope.startswith("city:"):
        return Scope(city_id=report.city_id)
    return Scope()
