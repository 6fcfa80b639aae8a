"""Outgoing messages: what was sent, what waits for credentials, what failed; send again."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from hotline import paging
from hotline.auth.access import roles_required
from hotline.extensions import db
from hotline.models import OutboxMessage
from hotline.models.types import utcnow
from hotline.telephony import gateway

bp = Blueprint("outbox", __name__, url_prefix="/admin/outbox")
STATUSES = ("queued", "held", "failed", "sent")


@bp.route("/")
@roles_required("admin")
def index():
    """Messages newest first, filterable by status, with counts per status."""
    status = request.args.get("status") if request.args.get("status") in STATUSES else None
    query = select(OutboxMessage).order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
    if status:
        query = query.where(OutboxMessage.status == status)
    counts = dict(db.session.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
    page = paging.paginate(query, request.args.get("page"))
    return render_template("outbox/index.html", page=page, status=status, counts=counts, statuses=STATUSES)


@bp.route("/<int:message_id>/resend", methods=["POST"])
@roles_required("admin")
def resend(message_id: int):
    """Queue a held or failed message again."""
    message = db.get_or_404(OutboxMessage, message_id)
    if message.status not in ("held", "failed"):
        flash(_("Only held or failed messages can be sent again."), "error")
        return redirect(url_for("outbox.index")), 303
    gateway.resend(db.session, message, utcnow())
    db.session.commit()
    flash(_("Message queued again."), "success")
    return redirect(url_for("outbox.index", status=request.args.get("status")))
