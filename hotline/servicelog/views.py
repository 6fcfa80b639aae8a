"""Browse the service log and check its chain."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from sqlalchemy import select

from hotline import paging
from hotline.auth.access import roles_required
from hotline.extensions import db
from hotline.models import Contact, ServiceRecord
from hotline.services import servicelog
from hotline.vocab import SERVICE_KINDS

bp = Blueprint("servicelog", __name__, url_prefix="/servicelog")


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
    return render_template("servicelog/verify.html", result=result)
