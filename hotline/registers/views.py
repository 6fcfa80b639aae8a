"""The coordinator's registers: law firms, lawyers, key projects and liaisons, each listed, searched, added, edited,
deactivated (never deleted: rosters, counsel and the service log point to them), imported from CSV or XLSX with a
dry run, and exported in the same format."""
from __future__ import annotations

import os
import secrets
import time
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import func, or_, select

from hotline import paging
from hotline.auth.access import bureau_city, city_scoped, roles_required
from hotline.extensions import db
from hotline.i18n import locale_code
from hotline.models import City, FtzArea, KeyProject, LawFirm, Lawyer, User
from hotline.models.project import project_liaisons
from hotline.models.types import utcnow
from hotline.registers import imports, sheets
from hotline.registers.specs import REGISTERS, Names, Register, _project_ids, shown

bp = Blueprint("registers", __name__, url_prefix="/admin")

TITLES = {"firms": _l("Law firms"), "lawyers": _l("Lawyers"), "projects": _l("Key projects"),
          "liaisons": _l("Project liaisons")}
LIST_COLUMNS = {"firms": ["name", "city"], "lawyers": ["name", "licence_no", "firm", "city", "areas", "ftz_team",
                                                      "on_duty_roster"],
                "projects": ["code", "name", "city", "sector", "priority", "needs", "status"],
                "liaisons": ["username", "name", "projects"]}
MODELS = {"firms": LawFirm, "lawyers": Lawyer, "projects": KeyProject, "liaisons": User}
KINDS = "<any(firms, lawyers, projects, liaisons):kind>"
UPLOAD_HOURS = 24

# Why a file or a cell is refused, in the reader's language.
MESSAGES = {
    "too_large": _l("The file is larger than %(mb)s MB."),
    "empty": _l("The file has no rows."),
    "old_format": _l("Save the workbook as .xlsx (Excel 2007 or later) or as CSV first."),
    "not_a_spreadsheet": _l("This is not a spreadsheet: upload an .xlsx or .csv file."),
    "bad_csv": _l("The CSV file cannot be read: %(detail)s"),
    "too_many_rows": _l("At most %(rows)s rows can be imported at once."),
    "too_many_columns": _l("At most %(columns)s columns can be imported."),
    "unknown_column": _l("Unknown column \"%(column)s\": use the template's column names."),
    "duplicate_column": _l("The column \"%(column)s\" appears twice."),
    "missing_column": _l("The column \"%(column)s\" (%(column_en)s) is missing."),
    "formula": _l("A formula is not accepted: type the value itself."),
    "missing": _l("Required."),
    "too_long": _l("At most %(limit)s characters."),
    "not_a_number": _l("Not a number."),
    "not_whole": _l("Not a whole number."),
    "out_of_range": _l("Must be between %(low)s and %(high)s."),
    "not_yes_no": _l("Write yes or no (是 or 否)."),
    "bad_phone": _l("Not a valid phone number."),
    "bad_email": _l("Not a valid email address."),
    "unknown_city": _l("Unknown city \"%(value)s\"."),
    "unknown_ftz_area": _l("Unknown FTZ area \"%(value)s\"."),
    "unknown_firm": _l("Unknown law firm \"%(value)s\": add it to the firms register first."),
    "unknown_sector": _l("Unknown sector \"%(value)s\"."),
    "unknown_area": _l("Unknown legal area \"%(value)s\"."),
    "missing_area": _l("Name at least one legal area."),
    "bad_level": _l("\"%(value)s\": the level is 1, 2 or 3."),
    "unknown_language": _l("Unknown language \"%(value)s\"."),
    "unknown_status": _l("Unknown status \"%(value)s\"."),
    "bad_username": _l("Use letters, digits, dots, dashes and underscores."),
    "bad_licence": _l("A licence number is 4 to 32 letters and digits."),
    "bad_code": _l("A project code is up to 32 letters, digits, dots, dashes and underscores."),
    "unknown_lawyer_account": _l("No lawyer account \"%(value)s\"."),
    "unknown_project": _l("Unknown project code \"%(value)s\": import the projects first."),
    "duplicate_key": _l("The same record is already in line %(line)s of this file."),
    "key_taken": _l("Another record already has this name or number."),
    "min_over_max": _l("The minimum hours exceed the maximum."),
    "account_taken": _l("This account already belongs to the lawyer with licence %(holder)s."),
    "outside_city": _l("Outside your city: a city bureau keeps only its own city's records."),
}
ACTIONS = {"add": _l("Add"), "change": _l("Change"), "same": _l("No change"), "refuse": _l("Refused")}


def message(code: str, params: dict | None = None) -> str:
    template = MESSAGES.get(code)
    return str(template) % (params or {}) if template is not None else code


def _register(kind: str) -> Register:
    return REGISTERS[kind]


def _language() -> str:
    """The language of a template or an export: ?lang=en or zh, else the page's."""
    chosen = request.args.get("lang", "")
    if chosen in ("en", "zh"):
        return chosen
    return "zh" if locale_code().startswith("zh") else "en"


def _search(kind: str, q: str):
    model = MODELS[kind]
    query = select(model)
    if kind == "liaisons":
        query = query.where(User.role == "liaison")
    if q:
        like = f"%{q.lower()}%"
        fields = {"firms": [LawFirm.name], "lawyers": [Lawyer.name, Lawyer.licence_no],
                  "projects": [KeyProject.code, KeyProject.name], "liaisons": [User.username, User.name]}[kind]
        query = query.where(or_(*[func.lower(f).like(like) for f in fields]))
    city = bureau_city()
    if city is not None:
        query = query.where(_city_condition(kind, city))
    order = {"firms": LawFirm.name, "lawyers": Lawyer.name, "projects": KeyProject.code, "liaisons": User.username}
    return query.order_by(order[kind])


def _city_condition(kind: str, city: int):
    """A register's records of one city (a liaison: one who speaks for a project of the city)."""
    if kind == "liaisons":
        return User.id.in_(select(project_liaisons.c.user_id).join(
            KeyProject, KeyProject.id == project_liaisons.c.project_id).where(KeyProject.city_id == city))
    return {"firms": LawFirm.city_id, "lawyers": Lawyer.city_id, "projects": KeyProject.city_id}[kind] == city


def _load(kind: str, record_id: int):
    """A record the signed-in coordinator may see (404 otherwise: another city's is as if it did not exist)."""
    query = select(MODELS[kind]).where(MODELS[kind].id == record_id)
    if kind == "liaisons":
        query = query.where(User.role == "liaison")
    city = bureau_city()
    if city is not None:
        query = query.where(_city_condition(kind, city))
    record = db.session.scalar(query)
    if record is None:
        abort(404)
    return record


def _active(kind: str, record) -> bool:
    return record.status == "active" if kind == "projects" else record.active


@bp.route(f"/{KINDS}")
@roles_required("admin")
@city_scoped
def index(kind: str):
    """A register: search, page through, and the ways in and out (add, import, export, template)."""
    register = _register(kind)
    q = request.args.get("q", "").strip()[:64]
    page = paging.paginate(_search(kind, q), request.args.get("page"))
    names, language = Names(db.session), _language()
    if kind == "liaisons":
        links = _project_ids(db.session, [u.id for u in page.items])
        for user in page.items:
            user._project_ids = links.get(user.id, frozenset())
    rows = [(record, [shown(register, key, register.values_of(record)[key], language, names)
                      for key in LIST_COLUMNS[kind]]) for record in page.items]
    headers = [register.column(key).header(language) for key in LIST_COLUMNS[kind]]
    return render_template("registers/index.html", kind=kind, title=TITLES[kind], register=register, page=page,
                           rows=rows, headers=headers, q=q, active=_active, titles=TITLES)


def _form_table(register: Register, form) -> sheets.Table:
    """A form's fields as a one-row table, so a form is checked exactly as a spreadsheet row is."""
    headers, cells = [], []
    for col in register.columns:
        if col.parse.__name__ == "yes_no":
            headers.append(col.key)
            cells.append("yes" if form.get(col.key) else "no")
        elif col.key in form:
            headers.append(col.key)
            cells.append(form.get(col.key, ""))
    return sheets.Table(headers=headers, rows=[(1, cells)])


def _form_values(register: Register, record, language: str) -> dict:
    """What the form shows for a record (or a new one's defaults), as the text an import would read."""
    names = Names(db.session)
    values = register.values_of(record) if record is not None else dict(register.defaults)
    out = {}
    for col in register.columns:
        value = values.get(col.key)
        if col.parse.__name__ == "yes_no":
            out[col.key] = bool(value)
        else:
            out[col.key] = "" if value is None else shown(register, col.key, value, language, names)
    return out


def _choices(kind: str) -> dict:
    """Lists the form offers for its reference columns."""
    locale = locale_code()
    cities = select(City).order_by(City.id)
    if bureau_city() is not None:
        cities = cities.where(City.id == bureau_city())
    choices = {"city": [(c.name(locale), c.name(locale)) for c in db.session.scalars(cities)]}
    if kind == "lawyers":
        choices["firm"] = [(f, f) for f in db.session.scalars(select(LawFirm.name).where(LawFirm.active.is_(True))
                                                             .order_by(LawFirm.name))]
    if kind == "projects":
        choices["ftz_area"] = [("", "—")] + [(a.name(locale), a.name(locale))
                                             for a in db.session.scalars(select(FtzArea).order_by(FtzArea.id))]
    return choices


@bp.route(f"/{KINDS}/new", methods=["GET", "POST"])
@roles_required("admin")
@city_scoped
def new(kind: str):
    """Add a record, checked as an import row is."""
    return _edit(kind, None)


@bp.route(f"/{KINDS}/<int:record_id>", methods=["GET", "POST"])
@roles_required("admin")
@city_scoped
def edit(kind: str, record_id: int):
    """Edit one record; the same checks as an import row, and the same consequences listed."""
    return _edit(kind, record_id)


def _edit(kind: str, record_id: int | None):
    register = _register(kind)
    record = _load(kind, record_id) if record_id is not None else None
    language = "zh" if locale_code().startswith("zh") else "en"
    errors, status = {}, 200
    values = _form_values(register, record, language)
    if request.method == "POST":
        result = imports.plan(db.session, register, _form_table(register, request.form), target=record,
                              city=bureau_city())
        row = result.rows[0] if result.rows else None
        if result.file_errors or row is None or row.action == "refuse":
            db.session.rollback()
            for key, code, params in (row.errors if row else []):
                errors.setdefault(key, []).append(message(code, params))
            for code, params in result.file_errors:
                errors.setdefault(None, []).append(message(code, params))
            values = {col.key: (bool(request.form.get(col.key)) if col.parse.__name__ == "yes_no"
                                else request.form.get(col.key, "")) for col in register.columns}
            status = 400
        else:
            done = imports.apply(db.session, result, utcnow()) if row.action != "same" else imports.Applied()
            saved = row.target or db.session.scalar(select(MODELS[kind]).where(
                getattr(MODELS[kind], register.key) == row.values.get(register.key, row.key)))
            db.session.commit()
            flash(_("Saved."), "success")
            _flash_consequences(done)
            return redirect(url_for("registers.edit", kind=kind, record_id=saved.id))
    return render_template("registers/edit.html", kind=kind, title=TITLES[kind], register=register, record=record,
                           values=values, errors=errors, language=language, choices=_choices(kind),
                           active=record is None or _active(kind, record)), status


def _flash_consequences(done: imports.Applied) -> None:
    for period in done.replan_periods:
        flash(_("The published roster %(name)s needs a re-plan: open it and re-plan.", name=period.name), "error")
    if done.counsel_review:
        flash(_("The counsel in force of %(keys)s depends on this change: run the FTZ matching again.",
                keys=", ".join(key for _kind, key in done.counsel_review[:20])), "error")


@bp.route(f"/{KINDS}/<int:record_id>/active", methods=["POST"])
@roles_required("admin")
@city_scoped
def set_active(kind: str, record_id: int):
    """Deactivate (or reactivate) a record; nothing is deleted."""
    register = _register(kind)
    record = _load(kind, record_id)
    active = request.form.get("active") == "1"
    if kind == "projects":
        record.status = "active" if active else "suspended"
        changed = {"status"}
    else:
        record.active = active
        changed = {"active"}
    done = imports.Applied()
    imports.consequences(db.session, register, [(record, changed)], utcnow(), done)
    db.session.commit()
    flash(_("Reactivated.") if active else _("Deactivated."), "success")
    _flash_consequences(done)
    return redirect(url_for("registers.edit", kind=kind, record_id=record_id))


def _sheet_response(kind: str, fmt: str, headers: list[str], rows: list[list], stem: str, notes=None) -> Response:
    if fmt == "csv":
        body, mimetype = sheets.write_csv(headers, rows), "text/csv; charset=utf-8"
    else:
        body = sheets.write_xlsx(headers, rows, title=kind, notes=notes)
        mimetype = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = Response(body, mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename={stem}.{fmt}"
    return response


@bp.route(f"/{KINDS}/export.<any(csv, xlsx):fmt>")
@roles_required("admin")
@city_scoped
def export(kind: str, fmt: str):
    """Every record in the import's own format (an export imports back as "no change")."""
    register, language = _register(kind), _language()
    names = Names(db.session)
    headers = [col.header(language) for col in register.columns]
    rows = []
    city = bureau_city()
    visible = set(db.session.scalars(_search(kind, "").with_only_columns(MODELS[kind].id))) if city else None
    for record in register.load(db.session):
        if visible is not None and record.id not in visible:
            continue
        values = register.values_of(record)
        rows.append([shown(register, col.key, values.get(col.key), language, names) for col in register.columns])
    return _sheet_response(kind, fmt, headers, rows, f"{kind}-{utcnow():%Y%m%d}")


@bp.route(f"/{KINDS}/template.<any(csv, xlsx):fmt>")
@roles_required("admin")
@city_scoped
def template(kind: str, fmt: str):
    """An empty register with its column names (Chinese or English) and, in XLSX, a sheet of notes."""
    register, language = _register(kind), _language()
    headers = [col.header(language) for col in register.columns]
    notes = [f"{col.zh} / {col.en}: {'必填' if col.required else '选填'} / {'required' if col.required else 'optional'}"
             + (f" — {col.note_zh} / {col.note_en}" if col.note_en else "") for col in register.columns]
    return _sheet_response(kind, fmt, headers, [], f"{kind}-template-{language}", notes=notes)


def _upload_dir() -> Path:
    folder = Path(current_app.config["IMPORT_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - UPLOAD_HOURS * 3600
    for old in folder.iterdir():
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    return folder


@bp.route(f"/{KINDS}/import", methods=["GET", "POST"])
@roles_required("admin")
@city_scoped
def import_file(kind: str):
    """Upload a spreadsheet and see the dry run: nothing is written until it is confirmed."""
    register = _register(kind)
    if request.method == "GET":
        return render_template("registers/import.html", kind=kind, title=TITLES[kind], register=register, plan=None)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Choose a file to import."), "error")
        return render_template("registers/import.html", kind=kind, title=TITLES[kind], register=register,
                               plan=None), 400
    data = upload.read(sheets.MAX_BYTES + 1)
    filename = os.path.basename(upload.filename)
    result = imports.read_plan(db.session, register, filename, data, city=bureau_city())
    db.session.rollback()
    token = None
    if result.can_apply:
        token = secrets.token_urlsafe(16)
        suffix = ".xlsx" if data.startswith(b"PK\x03\x04") else ".csv"
        (_upload_dir() / f"{token}{suffix}").write_bytes(data)
    status = 200 if not (result.file_errors or result.refused) else 400
    return render_template("registers/import.html", kind=kind, title=TITLES[kind], register=register, plan=result,
                           token=token, filename=filename, message=message, actions=ACTIONS), status


@bp.route(f"/{KINDS}/import/<token>", methods=["POST"])
@roles_required("admin")
@city_scoped
def confirm_import(kind: str, token: str):
    """Apply the dry run the coordinator saw, all of it or nothing; a register that changed meanwhile is planned
    again and shown."""
    register = _register(kind)
    if not token.replace("-", "").replace("_", "").isalnum():
        abort(404)
    folder = _upload_dir()
    found = [path for path in (folder / f"{token}.xlsx", folder / f"{token}.csv") if path.exists()]
    if not found:
        flash(_("This dry run has expired: upload the file again."), "error")
        return redirect(url_for("registers.import_file", kind=kind)), 303
    path = found[0]
    data = path.read_bytes()
    result = imports.read_plan(db.session, register, path.name, data, city=bureau_city())
    if not result.can_apply or result.digest() != request.form.get("digest"):
        db.session.rollback()
        flash(_("The registers changed since the dry run: check the rows again before importing."), "error")
        return render_template("registers/import.html", kind=kind, title=TITLES[kind], register=register,
                               plan=result, token=token if result.can_apply else None, filename=path.name,
                               message=message, actions=ACTIONS), 409
    try:
        done = imports.apply(db.session, result, utcnow())
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    path.unlink(missing_ok=True)
    flash(_("Imported: %(added)s added, %(changed)s changed.", added=done.added, changed=done.changed), "success")
    _flash_consequences(done)
    return redirect(url_for("registers.index", kind=kind))

