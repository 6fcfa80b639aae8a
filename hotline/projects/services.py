"""The FTZ team records its own work on key projects (visits, legal check-ups, contract reviews, training,
consultations given elsewhere); each record goes to the service log and shows on the project's page."""
from __future__ import annotations

from datetime import date

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _, lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from hotline.auth.access import bureau_city, city_scoped, require_city, roles_required
from hotline.extensions import db
from hotline.formkit import whole_number
from hotline.models import KeyProject, Lawyer, ProjectService, ProjectServiceFile
from hotline.models.types import PROVINCE_TZ, utcnow
from hotline.projects.views import bp
from hotline.services import attachments, consult, project_services

MESSAGES = {
    "bad_kind": _l("Choose what kind of service it was."),
    "not_team": _l("Only an active member of the FTZ lawyer team records services to key projects."),
    "bad_day": _l("The day must be today or within the past year."),
    "bad_hours": _l("Hours are a number from 0.25 to 24."),
    "no_notes": _l("Say what was done: the notes are the record."),
    "long_notes": _l("The notes may be at most 4000 characters."),
    "no_project": _l("No active key project with that code."),
    "no_lawyer": _l("Choose the lawyer of the FTZ team who gave the service."),
}


def _my_lawyer() -> Lawyer | None:
    return db.session.scalar(select(Lawyer).where(Lawyer.user_id == current_user.id))


def _team() -> list[Lawyer]:
    city = bureau_city()
    return list(db.session.scalars(select(Lawyer).where(Lawyer.active.is_(True), Lawyer.ftz_team.is_(True),
                                                        *([Lawyer.city_id == city] if city else []))
                                   .order_by(Lawyer.name)))


def _today() -> date:
    return utcnow().astimezone(PROVINCE_TZ).date()


def _record(project: KeyProject | None):
    """Keep the posted service for `project` (or the project the form names); (service, error message)."""
    if project is None:
        code = request.form.get("project_code", "").strip()
        city = bureau_city()
        project = db.session.scalar(select(KeyProject).where(
            func.lower(KeyProject.code) == code.lower(), KeyProject.status == "active",
            *([KeyProject.city_id == city] if city else []))) if code else None
        if project is None:
            return None, str(MESSAGES["no_project"])
    if current_user.role == "admin":
        lawyer_id = whole_number(request.form.get("lawyer_id"))
        lawyer = db.session.get(Lawyer, lawyer_id) if lawyer_id is not None else None
        if lawyer is None or lawyer not in _team():
            return None, str(MESSAGES["no_lawyer"])
    else:
        lawyer = _my_lawyer()
    try:
        day = date.fromisoformat(request.form.get("day", ""))
    except ValueError:
        return None, str(MESSAGES["bad_day"])
    data = project_services.ServiceInput(kind=request.form.get("kind", ""), day=day,
                                         hours=request.form.get("hours", ""), notes=request.form.get("notes", ""))
    try:
        stored = attachments.store(current_app.config["ATTACHMENT_DIR"],
                                   [attachments.Upload(f.filename or "", f.stream)
                                    for f in request.files.getlist("files")],
                                   current_app.config["ATTACHMENT_MAX_BYTES"])
        service = project_services.record(db.session, project, lawyer, data, current_user.id, utcnow(), _today(),
                                          stored)
    except attachments.AttachmentError as error:
        db.session.rollback()
        from hotline.consult.views import FILE_MESSAGES

        return None, FILE_MESSAGES[error.code](error.filename)
    except project_services.ProjectServiceError as error:
        db.session.rollback()
        return None, str(MESSAGES[str(error)])
    db.session.commit()
    return service, None


@bp.route("/services", methods=["GET", "POST"])
@roles_required("lawyer", "admin")
@city_scoped
def services():
    """The team's services: a lawyer records one to any active key project by its code and sees their own; a
    coordinator records one for a lawyer of the team and sees the latest of everyone's."""
    lawyer = _my_lawyer() if current_user.role == "lawyer" else None
    can_record = current_user.role == "admin" or project_services.may_record(lawyer)
    status = 200
    if request.method == "POST" and not can_record:
        flash(str(MESSAGES["not_team"]), "error")
        status = 403
    elif request.method == "POST":
        service, error = _record(None)
        if error:
            flash(error, "error")
            status = 400
        else:
            flash(_("Service recorded in the service log (#%(seq)s).", seq=service.service_record_id), "success")
            return redirect(url_for("projects.services"))
    query = (select(ProjectService).options(selectinload(ProjectService.project), selectinload(ProjectService.lawyer),
                                            selectinload(ProjectService.files))
             .order_by(ProjectService.day.desc(), ProjectService.id.desc()).limit(100))
    if current_user.role == "lawyer":
        query = query.where(ProjectService.lawyer_id == (lawyer.id if lawyer else -1))
    elif bureau_city() is not None:
        query = query.join(KeyProject, KeyProject.id == ProjectService.project_id).where(
            KeyProject.city_id == bureau_city())
    return render_template("projects/services.html", items=db.session.scalars(query).all(), team=_team(),
                           today=_today(), form=request.form if status == 400 else {}, can_record=can_record), status


@bp.route("/projects/<int:project_id>/services", methods=["POST"])
@roles_required("lawyer", "admin")
@city_scoped
def record_for_project(project_id: int):
    """Record a service from the project's page."""
    project = db.get_or_404(KeyProject, project_id)
    require_city(project.city_id)
    if current_user.role == "lawyer" and not consult.lawyer_may_see_project(db.session, getattr(
            _my_lawyer(), "id", None), project_id):
        abort(404)
    service, error = _record(project)
    if error:
        flash(error, "error")
    else:
        flash(_("Service recorded in the service log (#%(seq)s).", seq=service.service_record_id), "success")
    return redirect(url_for("consult.project_history", project_id=project_id)), 303


@bp.route("/service-files/<int:file_id>")
@roles_required("liaison", "lawyer", "admin")
@city_scoped
def service_file(file_id: int):
    """A file kept with a service: coordinators, the project's liaisons and the lawyers who may see the project."""
    item = db.get_or_404(ProjectServiceFile, file_id)
    project_id = item.service.project_id
    require_city(item.service.project.city_id)
    if current_user.role == "liaison" and not consult.is_liaison_of(db.session, current_user.id, project_id):
        abort(404)
    if current_user.role == "lawyer":
        mine = _my_lawyer()
        if mine is None or (item.service.lawyer_id != mine.id
                            and not consult.lawyer_may_see_project(db.session, mine.id, project_id)):
            abort(404)
    return attachments.send(current_app.config["ATTACHMENT_DIR"], item)
