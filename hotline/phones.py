"""Phone numbers: parsed and stored in E.164, shown masked to roles that do not need the full number."""
from __future__ import annotations

import phonenumbers


class InvalidPhone(ValueError):
    """The text is not a dialable phone number."""


def normalise(raw: str, region: str = "CN") -> str:
    """Parse a number as typed (national or international) and return it in E.164."""
    try:
        parsed = phonenumbers.parse(raw.strip(), region)
    except phonenumbers.NumberParseException as error:
        raise InvalidPhone(str(error)) from None
    if not phonenumbers.is_valid_number(parsed):
        raise InvalidPhone(f"not a valid number: {raw!r}")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def mask(e164: str | None) -> str:
    """Hide the middle digits: +8613812345678 -> +86 138****5678."""
    if not e164:
        return ""
    try:
        parsed = phonenumbers.parse(e164, None)
        national = str(parsed.national_number)
        prefix = f"+{parsed.country_code} "
    except phonenumbers.NumberParseException:
        national, prefix = e164.lstrip("+"), ""
    if len(national) <= 4:
        return prefix + "*" * len(national)
    keep_head = min(3, len(national) - 4)
    return prefix + national[:keep_head] + "*" * (len(national) - keep_head - 4) + national[-4:]
