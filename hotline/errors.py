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


# No request the app serves needs JSON nested deeper than this; deeper bodies are refused before any parsing or
# walking recurses over them.
MAX_JSON_DEPTH = 32


def json_too_deep(raw: bytes, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when the JSON text nests arrays and objects deeper than limit (strings are skipped; no recursion)."""
    if raw.count(b"[") + raw.count(b"{") <= limit:
        return False
    depth, in_string, escaped = 0, False, False
    for byte in raw:
        if in_string:
            if escaped:
                escaped = False
            elif byte == 0x5C:  # backslash
                escaped = True
            elif byte == 0x22:  # quote
                in_string = False
        elif byte == 0x22:
            in_string = True
        elif byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > limit:
                return True
        elif byte in (0x5D, 0x7D):  # ] }
            depth -= 1
    return False


def _unstorable(value) -> bool:
    """True when a string anywhere in value cannot be stored: a NUL character, or a lone UTF-16 surrogate."""
    pending = [value]
    while pending:  # a stack, not recursion: the shape of the value comes from the client
        item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return True
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


# The blueprints whose views read a JSON body; every other page reads only form posts.
JSON_BLUEPRINTS = frozenset({"api"})


def _refuse_unstorable_text():
    """Refuse text the database cannot store, and JSON nested absurdly deep, up front (400) rather than fail on it
    (500)."""
    if request.is_json and json_too_deep(request.get_data(cache=True)):
        return _page(400, _("Invalid input"), _("The JSON body is nested too deeply."))
    if request.is_json and request.blueprint not in JSON_BLUEPRINTS and request.method not in ("GET", "HEAD"):
        # Flask-WTF would read a JSON body as the form's data, and a list or number there fails deep inside it.
        return _page(415, _("Invalid input"), _("Pages take form posts; only the API at /api/v1 reads JSON."))
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
