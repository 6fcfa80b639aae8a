"""The dashboard (filters, figures, charts with their tables), CSV and XLSX exports, the printable report and its PDF,
and the records behind every figure."""
from __future__ import annotations

import csv
import io
import re

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from hotline import paging
from hotline.auth.access import bureau_city, city_scoped, roles_required
from hotline.disputes import wording
from hotline.disputes.figures import ledger_link, report_context
from hotline.disputes.scope import Scope
from hotline.extensions import db
from hotline.formkit import choices, whole_number
from hotline.i18n import locale_code
from hotline.models import City, Contact, Lawyer, ServiceRecord
from hotline.models.types import PROVINCE_TZ, utcnow
from hotline.registers.specs import Names
from hotline.services import dispute_figures, project_stats, statistics
from hotline.services.dispute_figures import LedgerFigures, Period
from hotline.stats import report as report_text
from hotline.stats.forms import FilterForm
from hotline.vocab import RISK_FLAGS, SERVICE_KINDS, label

bp = Blueprint("stats", __name__, url_prefix="/stats")


def _form() -> FilterForm:
    """The filter form from the query string, defaulting to the current quarter."""
    args = MultiDict(request.args)
    if not args.get("first") and not args.get("last"):
        first, last = statistics.quarter_of(utcnow().astimezone(PROVINCE_TZ).date())
        args["first"], args["last"] = first.isoformat(), last.isoformat()
    form = FilterForm(formdata=args)
    city = bureau_city()
    cities = db.session.scalars(select(City).where(*([City.id == city] if city else [])).order_by(City.id)).all()
    form.city_id.choices = choices([(c.id, c.name(locale_code())) for c in cities],
                                   blank=None if city else _("All"))
    if city is not None:
        form.city_id.data = city  # a city bureau's figures are its city's
    return form


LICENCE_IN_TEXT = re.compile(r"\(([^()]+)\)\s*$")


def _find_lawyer(form: FilterForm) -> bool:
    """Resolve the lawyer search into form.lawyer_id; False (with the reason on the field) when it names nobody or
    several lawyers."""
    text = (form.lawyer.data or "").strip()
    form.lawyer_id = None
    if not text:
        # Links and exports carry the lawyer as lawyer_id (see Filters.query_args).
        linked = db.session.get(Lawyer, whole_number(request.args.get("lawyer_id")) or 0)
        if linked is not None:
            form.lawyer_id = linked.id
            form.lawyer.data = f"{linked.name} ({linked.licence_no})"
        return True
    written = LICENCE_IN_TEXT.search(text)
    licence = written.group(1).strip() if written else text
    found = db.session.scalars(select(Lawyer).where(Lawyer.licence_no == licence)).all()
    if not found:
        name = LICENCE_IN_TEXT.sub("", text).strip()
        found = db.session.scalars(select(Lawyer).where(Lawyer.name == name).limit(10)).all()
    if len(found) == 1:
        form.lawyer_id = found[0].id
        return True
    form.lawyer.errors = list(form.lawyer.errors) + [
        _("No lawyer has this name or licence number.") if not found else
        _("Several lawyers are called %(name)s: choose one with their licence number.", name=text)]
    return False


@bp.context_processor
def _suggestions() -> dict:
    return {"lawyer_suggestions": lawyer_suggestions}


def lawyer_suggestions() -> list[str]:
    """The search's suggestions: every lawyer as "name (licence number)"."""
    city = bureau_city()
    return [f"{name} ({licence})" for name, licence in db.session.execute(
        select(Lawyer.name, Lawyer.licence_no).where(*([Lawyer.city_id == city] if city else []))
        .order_by(Lawyer.name, Lawyer.licence_no))]


def _today():
    return utcnow().astimezone(PROVINCE_TZ).date()


def _filters(form: FilterForm) -> statistics.Filters:
    city = bureau_city() or form.city_id.data or None
    return statistics.Filters(form.first.data, form.last.data, city, form.legal_area.data or None,
                              form.channel.data or None, form.lawyer_id)


def _valid_filters() -> tuple[FilterForm, statistics.Filters | None]:
    form = _form()
    valid = form.validate()
    valid = _find_lawyer(form) and valid
    return form, (_filters(form) if valid else None)


def _filters_or_400() -> statistics.Filters:
    """The filters of a download, or 400 naming what is wrong with them."""
    form, filters = _valid_filters()
    if filters is None:
        abort(400, description="; ".join(str(e) for errors in form.errors.values() for e in errors))
    return filters


def _file(data, mimetype: str, name: str, inline: bool = False) -> Response:
    """A download named for the period."""
    return Response(data, mimetype=mimetype,
                    headers={"Content-Disposition": f"{'inline' if inline else 'attachment'}; filename={name}"})


def _ledger_scope(filters: statistics.Filters) -> Scope:
    """The dispute ledger's part of the province for the filters: a city's, or the province's."""
    return Scope(city_id=filters.city_id) if filters.city_id else Scope()


def _ledger(filters: statistics.Filters) -> LedgerFigures:
    """The dispute ledger's figures for the period and city (the other filters are the hotline's own)."""
    return dispute_figures.figures(db.session, filters.first, filters.last, _ledger_scope(filters))


def rows(found: statistics.Figures, ledger: LedgerFigures) -> list[tuple[str, str, object]]:
    """Every figure shown, as (section, item, value) rows: the exports' content."""
    table = [
        (_("Contacts"), _("Contacts received"), found.contacts),
        (_("Contacts"), _("Phone calls"), found.phone_calls),
        (_("Contacts"), _("Calls answered"), found.answered),
        (_("Contacts"), _("Answer rate (%)"), _percent(found.answer_rate)),
        (_("Contacts"), _("Average wait (s)"), round(found.average_wait, 1) if found.average_wait is not None else ""),
        (_("Contacts"), _("90th-percentile wait (s)"), found.p90_wait if found.p90_wait is not None else ""),
        (_("Contacts"), _("Callbacks due"), found.callbacks_due),
        (_("Contacts"), _("Callbacks done on time"), found.callbacks_on_time),
    ]
    chinese = locale_code().startswith("zh")
    table += [(_("Dispute ledger"), (zh.strip() if chinese else en), count)
              for _key, zh, en, count in wording.lines(ledger)]
    table.append((_("Dispute ledger"), _("Success rate (%)"), _percent(ledger.success_rate)))
    table += [(_("Incidents prevented"), label(RISK_FLAGS, flag), count) for flag, count in found.prevented.items()]
    table += [(_("Services"), label(SERVICE_KINDS, kind), count) for kind, count in sorted(found.services.items())]
    table += [(_("Satisfaction"), _("Average rating (1-5)"),
               round(found.satisfaction, 2) if found.satisfaction is not None else ""),
              (_("Satisfaction"), _("Ratings"), found.ratings)]
    table += [(_("Services per lawyer"), name, count) for _id, name, count in found.per_lawyer]
    table += [(_("Contacts per day"), day.isoformat(), count) for day, count in found.per_day]
    return table


def _percent(share: float | None):
    return round(100 * share, 1) if share is not None else ""


@bp.route("/")
@roles_required("admin")
@city_scoped
def dashboard():
    """The figures for the chosen period and filters, with charts and their tables."""
    form, filters = _valid_filters()
    if filters is None:
        return render_template("stats/dashboard.html", form=form, found=None), 400
    found = statistics.figures(db.session, filters, _today())
    charts = {
        "per_day": {"labels": [d.strftime("%m-%d") for d, _c in found.per_day], "values": [c for _d, c in found.per_day]},
        "services": {"labels": [str(label(SERVICE_KINDS, k)) for k in sorted(found.services)],
                     "values": [found.services[k] for k in sorted(found.services)]},
        "prevented": {"labels": [str(label(RISK_FLAGS, k)) for k in found.prevented],
                      "values": list(found.prevented.values())},
        "per_lawyer": {"labels": [name for _i, name, _c in found.per_lawyer], "values": [c for _i, _n, c in found.per_lawyer]},
    }
    projects = project_stats.project_figures(db.session, filters, _today())
    return render_template("stats/dashboard.html", form=form, found=found, filters=filters, args=filters.query_args(),
                           charts=charts, projects=projects, names=Names(db.session), ledger=_ledger(filters),
                           ledger_link=ledger_link, ledger_scope=_ledger_scope(filters),
                           ledger_args={"first": filters.first.isoformat(), "last": filters.last.isoformat(),
                                        **({"city_id": filters.city_id} if filters.city_id and not bureau_city() else {})})


@bp.route("/export.csv")
@roles_required("admin")
@city_scoped
def export_csv():
    """What the dashboard shows, as CSV (UTF-8 with a byte-order mark, so spreadsheet programs read Chinese)."""
    filters = _filters_or_400()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([_("Section"), _("Item"), _("Value")])
    writer.writerows(rows(statistics.figures(db.session, filters, _today()), _ledger(filters)))
    return _file("\ufeff" + out.getvalue(), "text/csv", f"12348-{filters.first:%Y%m%d}-{filters.last:%Y%m%d}.csv")


@bp.route("/export.xlsx")
@roles_required("admin")
@city_scoped
def export_xlsx():
    """What the dashboard shows, as an Excel workbook."""
    from openpyxl import Workbook

    filters = _filters_or_400()
    book = Workbook()
    sheet = book.active
    sheet.title = "12348"
    sheet.append([_("Section"), _("Item"), _("Value")])
    for section, item, value in rows(statistics.figures(db.session, filters, _today()), _ledger(filters)):
        sheet.append([str(section), str(item), value])
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 36
    out = io.BytesIO()
    book.save(out)
    return _file(out.getvalue(), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 f"12348-{filters.first:%Y%m%d}-{filters.last:%Y%m%d}.xlsx")


def _report(filters: statistics.Filters) -> tuple[report_text.Report, dict]:
    """The report for valid filters, and what its ledger part shows (published figures when the period is)."""
    city = db.session.get(City, filters.city_id) if filters.city_id else None
    ledger = report_context(Period(filters.first, filters.last), _ledger_scope(filters))
    return report_text.Report(filters, statistics.figures(db.session, filters, _today()), city,
                              project_stats.project_figures(db.session, filters, _today(), stale_limit=0),
                              ledger["ledger"]), ledger


@bp.route("/report")
@roles_required("admin")
@city_scoped
def report():
    """The periodic report, printable, in Chinese and English, each figure linked to its records."""
    form, filters = _valid_filters()
    if filters is None:
        return render_template("stats/report.html", form=form, report=None), 400
    built, ledger = _report(filters)
    return render_template("stats/report.html", form=form, report=built, args=built.filters.query_args(),
                           ledger_back="stats", **ledger)


@bp.route("/report.pdf")
@roles_required("admin")
@city_scoped
def report_pdf():
    """The periodic report as a PDF."""
    filters = _filters_or_400()
    return _file(report_text.pdf(_report(filters)[0]), "application/pdf",
                 f"12348-report-{filters.first:%Y%m%d}-{filters.last:%Y%m%d}.pdf", inline=True)


FIGURE_NAMES = {
    "contacts": lambda: _("Contacts received"), "phone_calls": lambda: _("Phone calls"),
    "answered": lambda: _("Calls answered"), "callbacks_due": lambda: _("Callbacks due"),
    "callbacks_on_time": lambda: _("Callbacks done on time"), "disputes": lambda: _("Disputes found"),
    "mediated": lambda: _("Mediated"), "mediated_successfully": lambda: _("Mediated successfully"),
    "services": lambda: _("Services"), "ratings": lambda: _("Ratings"),
}


def figure_name(figure: str) -> str:
    """A figure key in words."""
    if figure.startswith("prevented:"):
        return _("Prevented: %(kind)s", kind=label(RISK_FLAGS, figure.split(":", 1)[1]))
    if figure.startswith("service:"):
        return label(SERVICE_KINDS, figure.split(":", 1)[1])
    return FIGURE_NAMES[figure]() if figure in FIGURE_NAMES else figure


@bp.route("/records/<figure>")
@roles_required("admin")
@city_scoped
def records(figure: str):
    """The records one figure counts, so every number can be checked."""
    form, filters = _valid_filters()
    if filters is None:
        return render_template("stats/records.html", form=form, page=None, figure=figure, name=""), 400
    query = statistics.records_behind(db.session, figure[:64], filters)
    if query is None:
        abort(404)
    entity = query.column_descriptions[0]["entity"]
    order = Contact.received_at if entity is Contact else ServiceRecord.started_at
    page = paging.paginate(query.order_by(order, entity.id), request.args.get("page"))
    return render_template("stats/records.html", form=form, page=page, figure=figure, name=figure_name(figure),
                           kind="contact" if entity is Contact else "service", args=filters.query_args())

