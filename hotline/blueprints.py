"""Registers every blueprint on the app."""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Attach each feature's blueprint."""
    from hotline.api.views import bp as api
    from hotline.auth.views import bp as auth
    from hotline.background.views import bp as background
    from hotline.consult.views import bp as consult
    from hotline.disputes import pages  # noqa: F401  (adds the ledger's views to its blueprint)
    from hotline.disputes.views import bp as disputes
    from hotline.duty.views import bp as duty
    from hotline.home.views import bp as home
    from hotline.intake.views import bp as intake
    from hotline.outbox.views import bp as outbox
    from hotline.projects.views import bp as projects
    from hotline.registers.views import bp as registers
    from hotline.servicelog.views import bp as servicelog
    from hotline.stats.views import bp as stats
    from hotline.telephony.views import bp as telephony

    app.register_blueprint(api)
    app.register_blueprint(auth)
    app.register_blueprint(background)
    app.register_blueprint(consult)
    app.register_blueprint(disputes)
    app.register_blueprint(duty)
    app.register_blueprint(home)
    app.register_blueprint(intake)
    app.register_blueprint(outbox)
    app.register_blueprint(projects)
    app.register_blueprint(registers)
    app.register_blueprint(servicelog)
    app.register_blueprint(stats)
    app.register_blueprint(telephony)
