"""Languages of the interface (English and Simplified Chinese), time zone, and template helpers."""
from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from flask import Flask, current_app, redirect, request, session, url_for
from flask_babel import format_date, format_datetime, format_timedelta, get_locale, gettext
from markupsafe import Markup, escape
from flask_login import current_user

from hotline import phones, vocab
from hotline.models.types import utcnow

LOCALES = {"zh_Hans": "简体中文", "en": "English"}


def select_locale() -> str:
    """The signed-in user's choice, else this browser's choice, else the browser's languages, else Chinese."""
    if current_user and current_user.is_authenticated and current_user.locale in LOCALES:
        return current_user.locale
    chosen = session.get("locale")
    if chosen in LOCALES:
        return chosen
    for language, _quality in request.accept_languages:
        tag = language.lower()
        if tag.startswith("zh"):
            return "zh_Hans"
        if tag.startswith("en"):
            return "en"
    return current_app.config["BABEL_DEFAULT_LOCALE"]


def select_timezone() -> str:
    """Every time is shown in the province's time zone."""
    return current_app.config["PROVINCE_TIMEZONE"]


def locale_code() -> str:
    """The active locale as one of LOCALES' keys."""
    locale = get_locale()
    return "zh_Hans" if locale is not None and locale.language == "zh" else "en"


def safe_next(target: str | None) -> str | None:
    """A redirect target only when it is a same-site relative path (no open redirects).

    Browsers drop tabs and line breaks from a URL and read a backslash as a slash, so "/\t/evil.com" would leave
    the site: any control character, whitespace or backslash refuses the target.
    """
    if not target or len(target) > 2000 or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(char.isspace() or not char.isprintable() for char in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target


def init_app(app: Flask) -> None:
    """Add the language switch and the template helpers."""
    from hotline.auth.access import public

    @public
    def set_language(code: str):
        """Switch the interface language, remembering it for a signed-in user."""
        if code in LOCALES:
            session["locale"] = code
            if current_user.is_authenticated:
                from hotline.extensions import db

                current_user.locale = code
                db.session.commit()
        return redirect(safe_next(request.args.get("next")) or url_for("home.index"))

    # A POST (with its CSRF token): a GET changes nothing, so a link or an image elsewhere cannot switch it.
    app.add_url_rule("/language/<code>", "set_language", set_language, methods=["POST"])

    @app.template_filter("fromjson")
    def fromjson(text: str | None):
        """Parse a JSON column for a template."""
        import json

        return json.loads(text or "{}")

    @app.template_filter("tojson_labels")
    def tojson_labels(vocabulary: dict) -> str:
        """A vocabulary's labels in the current language, as JSON for scripts."""
        import json

        return json.dumps({code: str(text) for code, text in vocabulary.items()}, ensure_ascii=False)

    def open_escalation_count() -> int:
        """Open risk escalations, for the banner supervisors and coordinators see on every page (a city bureau's
        coordinator: its city's)."""
        from hotline.auth.access import bureau_city
        from hotline.extensions import db
        from hotline.services.home import open_escalations

        return open_escalations(db.session, bureau_city())

    @app.context_processor
    def helpers() -> dict:
        """Vocabularies and formatting helpers for every template."""

        def when(value: datetime | None, style: str = "medium") -> str:
            return format_datetime(value, "yyyy-MM-dd HH:mm") if value else ""

        def day(value) -> str:
            return format_date(value, "yyyy-MM-dd EEE") if value else ""

        def due(value: datetime | None) -> Markup:
            """A deadline: its time, and "overdue by ..." once it has passed (a callback due yesterday is late)."""
            if value is None:
                return Markup("")
            text = escape(when(value))
            late = utcnow() - value
            if late.total_seconds() <= 0:
                return Markup(text)
            return Markup('{} <span class="status status-escalated" data-overdue="1">{}</span>').format(
                text, gettext("overdue by %(time)s", time=format_timedelta(late, threshold=1.0)))

        from hotline.background.views import error_words
        from hotline.engine_words import penalty_rule, say

        def ftz_member() -> bool:
            """The signed-in lawyer is an active member of the FTZ team (records services to key projects)."""
            from sqlalchemy import select

            from hotline.extensions import db
            from hotline.models import Lawyer

            if not current_user.is_authenticated or current_user.role != "lawyer":
                return False
            return bool(db.session.scalar(select(Lawyer.id).where(
                Lawyer.user_id == current_user.id, Lawyer.active.is_(True), Lawyer.ftz_team.is_(True))))

        return {
            "ftz_member": ftz_member,
            "mask": phones.mask,
            "say": say,
            "job_error": error_words,
            "penalty_rule": penalty_rule,
            "open_escalations": open_escalation_count,
            "vocab": vocab,
            "label": vocab.label,
            "when": when,
            "day": day,
            "due": due,
            "locales": LOCALES,
            "locale_code": locale_code,
        }
