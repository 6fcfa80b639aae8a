"""Coordinators run and publish the FTZ matching; the plan is reviewed against the counsel in force."""
from __future__ import annotations

import math

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _, ngettext
from flask_login import current_user
from sqlalchemy import or_, select

from hotline import jobs
from hotline.auth.access import roles_required
from hotline.background.views import start_from_form
from hotline.extensions import db
from hotline.models import City, Job, KeyProject, Lawyer, MatchPlan
from hotline.models.types import utcnow
from hotline.projects import tasks  # noqa: F401  (registers the match_solve job)
from hotline.services import matching

bp = Blueprint("projects", __name__, url_prefix="/ftz")


@bp.route("/matching")
@roles_required("admin")
def matching_page():
    """Plans so far and the button that runs a new matching."""
    plans = db.session.scalars(select(MatchPlan).order_by(MatchPlan.id.desc()).limit(20)).all()
    return render_template("projects/matching.html", plans=plans, review=matching.counsel_to_review(db.session))


@bp.route("/matching/run", methods=["POST"])
@roles_required("admin")
def run():
    """Match all key projects in the background."""
    return start_from_form("match_solve", {"user_id": current_user.id}, url_for("projects.matching_page"))


def _map(cities: list[City], flows: dict, projects_by_city: dict, lawyers_by_city: dict) -> dict:
    """Positions of the cities on a 600x480 drawing from their coordinates, with the plan's travel lines."""
    lats = [c.latitude for c in cities]
    lons = [c.longitude for c in cities]
    scale_x = 520 / (max(lons) - min(lons) or 1)
    scale_y = 400 / (max(lats) - min(lats) or 1)
    scale = min(scale_x, scale_y * math.cos(math.radians(41)))
    points = {c.id: (40 + (c.longitude - min(lons)) * scale, 440 - (c.latitude - min(lats)) * scale / math.cos(math.radians(41)))
              for c in cities}
    lines = [(points[a], points[b], count) for (a, b), count in flows.items() if a != b]
    return {"points": points, "lines": sorted(lines, key=lambda l: l[2]), "cities": cities,
            "projects": projects_by_city, "lawyers": lawyers_by_city}


@bp.route("/plans/<int:plan_id>")
@roles_required("admin")
def plan(plan_id: int):
    """A plan against current counsel: changes, unmatched projects with reasons, load per lawyer, the map."""
    current = db.get_or_404(MatchPlan, plan_id)
    found = matching.review(db.session, current)
    projects = {p.id: p for p in db.session.scalars(select(KeyProject).where(
        KeyProject.id.in_([c[0] for c in found.changes[:200]] + [u[0] for u in found.unmatched])))}
    named = set(found.load) | {lawyer_id for change in found.changes[:200] for lawyer_id in change[2:] if lawyer_id}
    lawyers = {l.id: l for l in db.session.scalars(select(Lawyer).where(
        or_(Lawyer.ftz_team.is_(True), Lawyer.id.in_(named))))}
    cities = db.session.scalars(select(City).order_by(City.id)).all()
    projects_by_city: dict[int, int] = {}
    for (city_id,) in db.session.execute(select(KeyProject.city_id).where(KeyProject.status == "active")):
        projects_by_city[city_id] = projects_by_city.get(city_id, 0) + 1
    lawyers_by_city: dict[int, int] = {}
    for lawyer in lawyers.values():
        if not (lawyer.ftz_team and lawyer.active):
            continue
        lawyers_by_city[lawyer.city_id] = lawyers_by_city.get(lawyer.city_id, 0) + 1
    drawing = _map(cities, found.city_flows, projects_by_city, lawyers_by_city) if cities else None
    job = db.session.get(Job, current.job_id) if current.job_id else None
    return render_template("projects/plan.html", review=found, projects=projects, lawyers=lawyers, drawing=drawing,
                           result=jobs.result_of(job))


@bp.route("/plans/<int:plan_id>/publish", methods=["POST"])
@roles_required("admin")
def publish(plan_id: int):
    """Put the plan in force; the counsel it replaces is kept as history."""
    current = db.get_or_404(MatchPlan, plan_id)
    try:
        changed = matching.publish(db.session, current, current_user.id, utcnow())
    except matching.MatchingError as error:
        db.session.rollback()
        flash(_("The plan names lawyers who have left the FTZ team or been deactivated: run the matching again.")
              if str(error) == "departed" else _("Only a draft plan can be published."), "error")
        return redirect(url_for("projects.plan", plan_id=plan_id)), 303
    db.session.commit()
    flash(ngettext("Plan published: %(num)d counsel role changed.", "Plan published: %(num)d counsel roles changed.", changed), "success")
    return redirect(url_for("projects.plan", plan_id=plan_id))

from hotline.projects import services as _services  # noqa: E402,F401  (the FTZ team's service records)
