"""Sign in, sign out, change one's own password, and the coordinators' user management pages."""
from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import select

from hotline import paging
from hotline.auth.access import public, roles_required, signed_in
from hotline.auth.forms import ChangePasswordForm, LoginForm, NewUserForm, ResetPasswordForm, UserForm
from hotline.extensions import db, limiter
from hotline.formkit import choices
from hotline.i18n import locale_code, safe_next
from hotline.models import User
from hotline.models.types import utcnow
from hotline.services import accounts

bp = Blueprint("auth", __name__)

ACCOUNT_ERRORS = {
    "username_taken": lambda: _("That username is already taken."),
    "cannot_demote_self": lambda: _("You cannot deactivate your own account or remove your coordinator role."),
    "bad_org_unit": lambda: _("A bureau coordinator belongs to a county or a township."),
    "bureau_needs_place": lambda: _("Choose the bureau coordinator's city, county or township."),
    "mediator_needs_committee": lambda: _("Choose the mediator's committee."),
}
ERROR_FIELDS = {"bad_org_unit": "org_unit_id", "bureau_needs_place": "org_unit_id", "mediator_needs_committee": "committee_id"}


def _login_limit() -> str:
    """The sign-in rate limit from the settings."""
    return current_app.config["LOGIN_RATE_LIMIT"]


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
@public
def login():
    """Sign in with username and password."""
    if current_user.is_authenticated:
        return redirect(url_for("home.index"))
    form = LoginForm()
    if form.validate_on_submit():
        user = accounts.authenticate(db.session, form.username.data, form.password.data, utcnow())
        if user is not None:
            db.session.commit()
            login_user(user, remember=form.remember.data)
            if user.must_change_password:
                return redirect(url_for("auth.change_password"))
            return redirect(safe_next(request.args.get("next")) or url_for("home.index"))
        flash(_("Wrong username or password."), "error")
        return render_template("auth/login.html", form=form), 401
    return render_template("auth/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@signed_in
def logout():
    """Sign out, here and on every other device (a copied session cookie stops working too)."""
    accounts.end_sessions(db.session, db.session.get(User, current_user.id))
    db.session.commit()
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account/password", methods=["GET", "POST"])
@signed_in
def change_password():
    """Change one's own password."""
    form = ChangePasswordForm()
    if form.validate_on_submit():
        if not current_user.check_password(form.current.data):
            form.current.errors.append(_("That is not your current password."))
        else:
            user = db.session.get(User, current_user.id)
            accounts.reset_password(db.session, user, form.password.data, must_change=False)
            db.session.commit()
            login_user(user)  # every other session ended with the old password; this one goes on
            flash(_("Your password is changed."), "success")
            return redirect(url_for("home.index"))
    status = 400 if form.errors else 200
    return render_template("auth/change_password.html", form=form), status


@bp.route("/admin/users")
@roles_required("admin")
def users():
    """All accounts, filterable by role."""
    role = request.args.get("role") or None
    query = select(User).order_by(User.role, User.name)
    if role:
        query = query.where(User.role == role)
    page = paging.paginate(query, request.args.get("page"))
    return render_template("auth/users.html", page=page, role=role)


def _data(form: UserForm) -> accounts.AccountData:
    """Account data from a validated form."""
    return accounts.AccountData(
        username=form.username.data,
        name=form.name.data,
        role=form.role.data,
        email=form.email.data,
        phone=form.phone.data,
        is_supervisor=form.is_supervisor.data,
        active=form.active.data,
        locale=form.locale.data,
        city_id=int(form.city_id.data) if form.city_id.data else None,
        org_unit_id=int(form.org_unit_id.data) if form.org_unit_id.data else None,
        committee_id=int(form.committee_id.data) if form.committee_id.data else None,
    )


def _with_cities(form: UserForm) -> UserForm:
    """The city bureaus a coordinator may belong to."""
    from hotline.models import City

    form.city_id.choices = choices([(str(c.id), c.name(locale_code()))
                                    for c in db.session.scalars(select(City).order_by(City.id))],
                                   blank=_("The province"))
    from hotline.disputes.ledger import unit_labels
    from hotline.models import MediationCommittee, OrgUnit

    units = db.session.scalars(select(OrgUnit).where(OrgUnit.kind.in_(("county", "township")))
                               .order_by(OrgUnit.city_id, OrgUnit.path)).all()
    form.org_unit_id.choices = choices([(str(unit.id), text) for unit, text in unit_labels(units, locale_code())],
                                       blank=_("The whole city"))
    committees = db.session.scalars(select(MediationCommittee).where(MediationCommittee.active.is_(True))
                                    .order_by(MediationCommittee.city_id, MediationCommittee.code)).all()
    form.committee_id.choices = choices([(str(c.id), c.name(locale_code())) for c in committees], blank=_("None"))
    return form


@bp.route("/admin/users/new", methods=["GET", "POST"])
@roles_required("admin")
def new_user():
    """Create an account."""
    form = _with_cities(NewUserForm())
    if form.validate_on_submit():
        try:
            user = accounts.create_user(db.session, _data(form), form.password.data)
        except accounts.AccountError as error:
            getattr(form, ERROR_FIELDS.get(str(error), "username")).errors.append(ACCOUNT_ERRORS[str(error)]())
        else:
            db.session.commit()
            flash(_("Account %(name)s created.", name=user.username), "success")
            return redirect(url_for("auth.users"))
    status = 400 if form.errors else 200
    return render_template("auth/user_form.html", form=form, user=None), status


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@roles_required("admin")
def edit_user(user_id: int):
    """Edit or deactivate an account."""
    user = db.get_or_404(User, user_id)
    form = _with_cities(UserForm(obj=user))
    if request.method == "GET":
        form.locale.data = user.locale or ""
        form.city_id.data = str(user.city_id) if user.city_id else ""
        form.org_unit_id.data = str(user.org_unit_id) if user.org_unit_id else ""
        from hotline.models import Mediator

        member = db.session.scalar(select(Mediator.committee_id).where(Mediator.user_id == user.id))
        form.committee_id.data = str(member) if member else ""
    if form.validate_on_submit():
        try:
            accounts.update_user(db.session, user, _data(form), current_user)
        except accounts.AccountError as error:
            db.session.rollback()
            flash(ACCOUNT_ERRORS[str(error)](), "error")
            return render_template("auth/user_form.html", form=form, user=user), 400
        db.session.commit()
        flash(_("Account %(name)s saved.", name=user.username), "success")
        return redirect(url_for("auth.users"))
    status = 400 if form.errors else 200
    return render_template("auth/user_form.html", form=form, user=user, reset=ResetPasswordForm()), status


@bp.route("/admin/users/<int:user_id>/password", methods=["POST"])
@roles_required("admin")
def reset_password(user_id: int):
    """Set a new password for someone; they must change it when they next sign in."""
    user = db.get_or_404(User, user_id)
    form = ResetPasswordForm()
    if form.validate_on_submit():
        accounts.reset_password(db.session, user, form.password.data, must_change=True)
        db.session.commit()
        flash(_("Password of %(name)s reset; they must change it at next sign-in.", name=user.username), "success")
        return redirect(url_for("auth.edit_user", user_id=user.id))
    user_form = UserForm(formdata=None, obj=user)
    return render_template("auth/user_form.html", form=user_form, user=user, reset=form), 400
