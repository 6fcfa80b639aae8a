"""The coordinators' view of outgoing SMS and calls."""

from flask import current_app
from flask_babel import gettext as _


def sms_note() -> str:
    """What happens to the SMS a page just queued, for its confirmation: on their way when Twilio is set up, else
    waiting in the outbox (so no page says a message was sent when none can be)."""
    from hotline import jobs

    if jobs.twilio_settings(current_app).configured:
        return _("The text messages are on their way.")
    return _("The text messages wait in the outbox: SMS is not set up on this server.")
