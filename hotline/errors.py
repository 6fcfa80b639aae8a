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


def register(app: Flask) -> None:
    """Install the handlers."""

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
