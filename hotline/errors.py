"""Friendly error pages (and JSON errors for API and webhook clients)."""
from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError


def _wants_json() -> bool:
    """API and webhook clients get JSON, browsers get a page."""
    return request.path.startswith(("/api/", "/telephony/")) or (
        request.accept_mimetypes.best == "application/json"
    )


def _page(status: int, title: str, message: str):
    """Render the error page or the JSON error."""
    if _wants_json():
        return jsonify(error=title, message=message), status
    return render_template("errors/error.html", status=status, title=title, message=message), status


def _unstorable(value) -> bool:
    """True when a string anywhere in value cannot be stored: a NUL character, or a lone UTF-16 surrogate."""
    if isinstance(value, str):
        if "\x00" in value:
            return True
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_unstorable(k) or _unstorable(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_unstorable(item) for item in value)
    return False


def _refuse_unstorable_text():
    """Refuse text the database cannot store up front (400) rather than fail on it (500)."""
    values = list(request.args.values()) + list(request.form.values())
    if request.is_json:
        values.append(request.get_json(silent=True))
    if any(_unstorable(value) for value in values) or _unstorable(request.path):
        return _page(400, _("Invalid input"), _("The request contains characters that cannot be stored."))
    return None


def register(app: Flask) -> None:
    """Install the handlers."""
    app.before_request(_refuse_unstorable_text)

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _page(400, _("Form expired"), _("The form was open too long or came from elsewhere. Please try again."))

    @app.errorhandler(403)
    def forbidden(error):
        return _page(403, _("Not allowed"), _("Your role does not give access to this page."))

    @app.errorhandler(404)
    def not_found(error):
        return _page(404, _("Not found"), _("There is no such page or record."))

    @app.errorhandler(429)
    def too_many(error):
        return _page(429, _("Too many attempts"), _("Too many attempts. Please wait a minute and try again."))

    @app.errorhandler(HTTPException)
    def other_http(error: HTTPException):
        return _page(error.code or 500, error.name, error.description or "")

    @app.errorhandler(InternalServerError)
    def server_error(error):
        from hotline.extensions import db

        db.session.rollback()
        return _page(500, _("Something went wrong"), _("The error is logged. Nothing you entered was half-saved."))
