"""Access control: every view declares who may use it; a request to an undeclared view is refused.

Views are marked with @public or @roles_required(...); one before_request hook enforces the marks, so a view
that forgets its mark is closed to everyone rather than open to everyone.
"""
from __future__ import annotations

from functools import wraps
from typing import Callable

from flask import Flask, abort, current_app, redirect, request, url_for
from flask_login import LoginManager, current_user

ALL_ROLES = frozenset({"admin", "operator", "lawyer", "liaison", "bureau", "mediator"})
PUBLIC = "public"
# All a user whose password was reset may do before choosing a new one.
WHILE_CHANGING_PASSWORD = frozenset({"auth.change_password", "auth.logout", "set_language", "static"})


def public(view: Callable) -> Callable:
    """Mark a view as open to anonymous visitors."""
    view._access = PUBLIC  # type: ignore[attr-defined]
    return view


def roles_required(*roles: str) -> Callable[[Callable], Callable]:
    """Mark a view as open to signed-in users with one of roles (all roles when none are named)."""
    allowed = frozenset(roles) or ALL_ROLES
    unknown = allowed - ALL_ROLES
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")

    def mark(view: Callable) -> Callable:
        view._access = allowed  # type: ignore[attr-defined]
        return view

    return mark


signed_in = roles_required()


def city_scoped(view: Callable) -> Callable:
    """Mark a view as keeping a city bureau's coordinator to that city (its queries and checks use
    ``bureau_city()``). A coordinator of a city may open no other coordinator page: what has not been scoped is
    the province's."""
    view._city_scoped = True  # type: ignore[attr-defined]
    return view


def bureau_city() -> int | None:
    """The city a signed-in coordinator's bureau covers; None for the province's coordinators and other roles."""
    if current_user.is_authenticated and current_user.role == "admin":
        return current_user.city_id
    return None


def in_city(city_id: int | None) -> bool:
    """A record of this city may be seen by the signed-in user (always, unless they are a city's coordinator)."""
    city = bureau_city()
    return city is None or city_id == city


def require_city(city_id: int | None) -> None:
    """404 for a record outside the signed-in city coordinator's city (as if it did not exist)."""
    if not in_city(city_id):
        abort(404)


def supervisor_required(view: Callable) -> Callable:
    """Wrap a view so only operators with the supervisor flag (and coordinators) may use it."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if not (current_user.role == "admin" or current_user.is_supervisor):
            abort(403)
        return view(*args, **kwargs)

    wrapper._access = getattr(view, "_access", frozenset({"admin", "operator"}))  # type: ignore[attr-defined]
    return wrapper


def access_of(endpoint: str | None):
    """The access mark of an endpoint: PUBLIC, a set of roles, or None when undeclared."""
    if endpoint is None:
        return None
    if endpoint == "static":
        return PUBLIC
    view = current_app.view_functions.get(endpoint)
    return getattr(view, "_access", None)


def _enforce():
    """Send anonymous visitors to the login page and refuse roles a view is not meant for."""
    if request.endpoint is None:
        return None  # no such route: the 404 handler answers
    access = access_of(request.endpoint)
    if access == PUBLIC:
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if current_user.must_change_password and request.endpoint not in WHILE_CHANGING_PASSWORD:
        return redirect(url_for("auth.change_password"))
    if access is None or current_user.role not in access:
        abort(403)
    if current_user.role == "admin" and current_user.city_id is not None and access != ALL_ROLES:
        view = current_app.view_functions.get(request.endpoint)
        if not getattr(view, "_city_scoped", False):
            abort(403)  # the province's page: a city bureau's coordinator plans only that city
    return None


def init_app(app: Flask, login_manager: LoginManager) -> None:
    """Wire Flask-Login and the access check into the app."""
    from hotline.extensions import db
    from hotline.models import User

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(session_id: str):
        """Load the signed-in user from "id:version"; a deactivated account, or a session from before its
        sign-out or password change (an older version), is signed out."""
        user_id, _, version = session_id.partition(":")
        if not (session_id.isascii() and user_id.isdigit() and version.isdigit()) or len(session_id) > 40:
            return None
        user = db.session.get(User, int(user_id))
        if user is None or not user.active or user.session_version != int(version):
            return None
        return user

    app.before_request(_enforce)
