"""The home page: a different page for each role, showing that role's next things to do."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Response, current_app, render_template
from flask_login import current_user

from hotline.auth.access import bureau_city, public, signed_in
from hotline.extensions import db
from hotline.models.types import utcnow
from hotline.services import home

bp = Blueprint("home", __name__)


@bp.route("/")
@signed_in
def index():
    """Show the signed-in user's home page for their role."""
    now = utcnow()
    if current_user.role == "admin":
        return render_template("home/admin.html", summary=home.admin_summary(db.session, now, bureau_city()))
    if current_user.role == "operator":
        summary = home.operator_summary(db.session, now, supervisor=current_user.is_supervisor)
        return render_template("home/operator.html", summary=summary)
    if current_user.role in ("bureau", "mediator"):
        from hotline.disputes.ledger import home_summary
        from hotline.disputes.scope import current_scope

        return render_template("home/ledger.html", summary=home_summary(current_scope()))
    if current_user.role == "lawyer":
        return render_template("home/lawyer.html", summary=home.lawyer_summary(db.session, current_user.id, now))
    return render_template("home/liaison.html", summary=home.liaison_summary(db.session, current_user.id, now))


@bp.route("/favicon.ico")
@public
def favicon():
    """Browsers and bookmarks that ask /favicon.ico without reading the page's icon link get the same icon."""
    icon = Path(current_app.static_folder, "favicon.svg").read_bytes()
    return Response(icon, mimetype="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"})


@bp.route("/healthz")
@public
def health():
    """Liveness for load balancers: answers when the app and its database answer."""
    db.session.execute(db.text("SELECT 1"))
    return {"status": "ok"}
