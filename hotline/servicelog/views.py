"""Browse the service log and check its chain."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from hotline import paging
from hotline.auth.access import roles_required
from hotline.extensions import db
from hotline.models import Contact, ServiceRecord
from hotline.services import servicelog
from hotline.vocab import SERVICE_KINDS

bp = Blueprint("servicelog", __name__, url_prefix="/servicelog")

# services.servicelog.PROBLEMS in the reader's language.
PROBLEMS = {
    "removed": _l("the sequence jumps from %(before)s to %(seq)s: a record was removed"),
    "removed_from": _l("the sequence jumps from %(before)s: a record was removed"),
    "unlinked": _l("it does not link to the record before it"),
    "unknown_version": _l("unknown chain version %(version)s: the record was changed"),
    "v1_linked": _l("a version 1 record is linked to a ledger entry: the record was changed"),
    "changed": _l("its content does not match its hash: the record was changed"),
}


@bp.route("/")
@roles_required("admin")
def index():
    """The newest service records first, filterable by kind."""
    kind = request.args.get("kind") or None
    query = select(ServiceRecord).order_by(ServiceRecord.seq.desc())
    if kind in SERVICE_KINDS:
        query = query.where(ServiceRecord.kind == kind)
    page = paging.paginate(query, request.args.get("page"))
    contact_ids = {record.contact_id for record in page.items if record.contact_id}
    contacts = {c.id: c for c in db.session.scalars(select(Contact).where(Contact.id.in_(contact_ids)))} \
        if contact_ids else {}
    return render_template("servicelog/index.html", page=page, kind=kind, contacts=contacts)


@bp.route("/verify", methods=["POST"])
@roles_required("admin")
def verify():
    """Recompute the whole chain now and show the result."""
    result = servicelog.verify(db.session)
    problem = PROBLEMS[result.code] % result.params if result.code else ""
    return render_template("servicelog/verify.html", result=result, problem=problem)
