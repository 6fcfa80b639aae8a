"""The deadline board: every deadline not yet met of the open entries in the viewer's part of the ledger, grouped as
breached, at risk and on track, sorted by due time, filtered by kind of deadline and risk level."""
from __future__ import annotations

from flask import abort, render_template, request
from sqlalchemy import select

from hotline import vocab
from hotline.auth.access import city_scoped, roles_required
from hotline.disputes.scope import LEDGER_ROLES, current_scope
from hotline.disputes.views import bp
from hotline.extensions import db
from hotline.models import OrgUnit
from hotline.models.types import utcnow
from hotline.services import dispute_deadlines

SHOWN = 300  # rows shown per group (the counts are always whole)
SORTS = ("due", "-due")


def _choice(name: str, allowed) -> str | None:
    """A filter from the query string: empty is none, anything else must be one of `allowed` (else 400)."""
    value = request.args.get(name, "")
    if not value:
        return None
    if value not in allowed:
        abort(400)
    return value


@bp.route("/deadlines")
@roles_required(*LEDGER_ROLES)
@city_scoped
def board():
    """Deadlines breached, at risk and on track, each linking to its entry."""
    kind = _choice("kind", vocab.DEADLINE_KINDS)
    level = _choice("level", vocab.RISK_LEVELS)
    sort = _choice("sort", SORTS) or "due"
    rows = dispute_deadlines.board(db.session, utcnow(), current_scope(), kind=kind, level=level,
                                   newest_first=sort == "-due")
    groups = {status: [] for status in dispute_deadlines.PENDING}
    for row in rows:
        groups[row.status].append(row)
    unit_ids = {row.org_unit_id for status in groups for row in groups[status][:SHOWN]}
    units = {unit.id: unit for unit in db.session.scalars(select(OrgUnit).where(OrgUnit.id.in_(unit_ids)))} \
        if unit_ids else {}
    return render_template("disputes/board.html", groups=groups, units=units, shown=SHOWN, kind=kind, level=level,
                           sort=sort)
