"""The 12348 hotline and lawyer duty system: a Flask application built by create_app()."""
from __future__ import annotations

from pathlib import Path
from typing import Mapping

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: Mapping | None = None) -> Flask:
    """Build the application: settings, extensions, blueprints, CLI commands and error handlers."""
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
    )
    from hotline import config as settings
    from hotline import logs

    logs.install()

    app.config.from_mapping(settings.from_environment(app.instance_path))
    if config:
        app.config.from_mapping(config)
    settings.finalise(app.config, config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    # Ids in URLs stay within the database's integer range: a larger number is simply not found (404).
    from werkzeug.routing import IntegerConverter

    class IdConverter(IntegerConverter):
        def __init__(self, url_map, *args, **kwargs):
            kwargs.setdefault("max", 2**31 - 1)
            super().__init__(url_map, *args, **kwargs)

    app.url_map.converters["int"] = IdConverter
    proxies = app.config.get("TRUSTED_PROXIES", 1)
    if proxies:
        # Only what the trusted proxies appended is believed: a client's own X-Forwarded-For entries are ignored.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)  # type: ignore[method-assign]

    from hotline import database  # noqa: F401  (registers engine events)
    from hotline import models  # noqa: F401  (registers every table)
    from hotline.extensions import babel, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    limiter.init_app(app)

    from hotline import security

    security.init_app(app)

    from hotline import i18n

    babel.init_app(app, locale_selector=i18n.select_locale, timezone_selector=i18n.select_timezone)
    i18n.init_app(app)

    from hotline.auth import access

    access.init_app(app, login_manager)

    from hotline import blueprints, cli, errors, jobs

    blueprints.register(app)
    errors.register(app)
    cli.register(app)
    jobs.init_app(app)
    return app
