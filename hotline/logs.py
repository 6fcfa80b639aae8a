"""Personal data never reaches the application log: phone numbers are masked in every log record."""
from __future__ import annotations

import logging
import re

# One optional separator between digits, as numbers are written or sent in a URL: a space, dash, dot, slash,
# parenthesis, "+" (a space in a query string), or their %-encodings.
_SEP = r"(?:[\s\-./()+]|%20|%2D|%2B|%28|%29|%2F){0,2}"
PHONE = re.compile(
    r"(?<![\d%])(?:"
    rf"(?:\+|%2B|\b00)\s?\d(?:{_SEP}\d){{7,14}}"  # international: +86 138 1234 5678, %2B8613812345678, 0086...
    rf"|(?:86{_SEP})?1[3-9](?:{_SEP}\d){{9}}"  # mainland mobiles in any grouping, with or without 86
    rf"|0\d{{2,3}}{_SEP}\d{{3,4}}{_SEP}\d{{4}}"  # landlines with their area code: 024-2345-6789, 024 23456789
    r")(?!\d)",
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
