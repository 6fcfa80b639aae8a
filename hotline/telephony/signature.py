"""Twilio webhook signatures: every request under /telephony/ must be signed for PUBLIC_BASE_URL."""
from __future__ import annotations

from functools import wraps

from flask import abort, current_app, request
from twilio.request_validator import RequestValidator


def webhook_url() -> str:
    """The URL Twilio signed: the public base address, the path and the query string."""
    query = request.query_string.decode("utf-8")
    return current_app.config["PUBLIC_BASE_URL"] + request.path + (f"?{query}" if query else "")


def signed(view):
    """Refuse (403) a webhook request whose X-Twilio-Signature does not match."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        token = current_app.config.get("TWILIO_AUTH_TOKEN")
        signature = request.headers.get("X-Twilio-Signature", "")
        if not token or not signature:
            abort(403)
        params = request.form.to_dict(flat=True) if request.method == "POST" else {}
        if not RequestValidator(token).validate(webhook_url(), params, signature):
            abort(403)
        return view(*args, **kwargs)

    return wrapper
