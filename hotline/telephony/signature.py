"""Twilio webhook signatures: every request under /telephony/ must be signed for PUBLIC_BASE_URL; and callbacks
that change state are handled once per call (or message) and event."""
from __future__ import annotations

from functools import wraps

from flask import Response, abort, current_app, request
from twilio.request_validator import RequestValidator

from hotline.extensions import db
from hotline.models.types import utcnow
from hotline.services import webhooks
from hotline.telephony import twiml


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


def once(*fields: str):
    """Handle a signed callback once per SID and event: the event is the endpoint, its query string and the named
    form fields (e.g. the DialCallStatus); a replay answers what the first delivery answered and writes nothing."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            sid = request.form.get("CallSid") or request.form.get("MessageSid") or ""
            if not sid or len(sid) > 64:
                abort(400, description="missing or invalid CallSid or MessageSid")
            query = "&".join(f"{key}={value}" for key, value in sorted(request.args.items(multi=True)))
            detail = "&".join(f"{name}={request.form.get(name, '')}" for name in fields)
            event = f"{request.endpoint}?{query}|{detail}"
            receipt_id = webhooks.claim(db.session, sid, event, utcnow())
            if receipt_id is None:
                answer = webhooks.first_answer(db.session, sid, event)
                db.session.rollback()
                return Response(answer or twiml.empty(), mimetype="text/xml")
            try:
                response = view(*args, **kwargs)
            except BaseException:
                db.session.rollback()
                raise
            webhooks.keep_answer(db.session, receipt_id, response.get_data(as_text=True))
            db.session.commit()
            return response

        return wrapper

    return decorate
