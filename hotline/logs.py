"""Personal data never reaches the application log: phone numbers are masked in every log record."""
from __future__ import annotations

import logging
import re

PHONE = re.compile(
    r"(?<![\d%])(?:(?:\+|%2B)\d{8,15}"  # E.164, also URL-encoded (%2B86...)
    r"|(?:86[\s-]?)?1[3-9]\d(?:[\s-]?\d{4}){2}"  # mainland mobiles, with or without 86
    r"|0\d{2,3}-\d{7,8})(?!\d)",  # landlines written with their area code
    re.IGNORECASE,
)


def redact(text: str) -> str:
    """Replace every phone number in text by its last four digits."""
    return PHONE.sub(lambda m: "***" + re.sub(r"\D", "", m.group(0))[-4:], text)


def install() -> None:
    """Wrap the log-record factory once so that every logger, handler and server log is redacted."""
    current = logging.getLogRecordFactory()
    if getattr(current, "_redacts_phones", False):
        return

    def factory(*args, **kwargs):
        record = current(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 (a malformed record is left for logging to report)
            return record
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        return record

    factory._redacts_phones = True  # type: ignore[attr-defined]
    logging.setLogRecordFactory(factory)
