"""Security headers on every response: pages, files, feeds, JSON, errors, static files and redirects alike."""
from __future__ import annotations

from flask import Flask, Response

# Everything a page loads comes from /static (no CDN: the province's network may be closed) and no template has an
# inline script, style or event handler; the one way out is the video page's connections (WebSocket and HTTPS) to
# Twilio's servers.
CONTENT_SECURITY_POLICY = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self' wss://*.twilio.com https://*.twilio.com",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def add_headers(response: Response) -> Response:
    """Set the security headers, replacing any a view set itself."""
    for name, value in HEADERS.items():
        response.headers[name] = value
    return response


def init_app(app: Flask) -> None:
    """Add the headers to every response the application sends."""
    app.after_request(add_headers)
