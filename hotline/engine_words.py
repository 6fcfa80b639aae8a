"""The engines' reasons in the user's language.

The engines in ``scheduling/`` stay pure: each sentence they write for a coordinator (a hard rule that cannot hold, a
penalty, a changed duty, why a project has no counsel) is a ``scheduling.common.Words``: English text with a reason
code and parameters that are ids, day numbers and counts. A job stores ``Words.as_dict()``; this module says it again
in the reader's language, with the department's own names for lawyers, shifts, cities, firms, areas and languages.
An entry stored as plain text (an older result) is shown as it is.
"""
from __future__ import annotations

from datetime import date, timedelta

from flask_babel import format_date, gettext, lazy_gettext as _l, ngettext
from sqlalchemy import select
from sqlalchemy.orm import Session

from hotline import vocab
from hotline.i18n import locale_code

SENTENCES = {
    # hard rules that cannot all hold
    "day_off": _l("%(staff)s is off on %(day)s"),
    "pinned": _l("%(staff)s is pinned to the %(shift)s shift on %(day)s"),
    "pinned_off": _l("%(staff)s is pinned off on %(day)s"),
    "max_shifts": _l("%(staff)s works at most %(count)s %(shift)s shifts"),
    "min_minutes": _l("%(staff)s works at least %(hours)s hours in the period"),
    "max_minutes": _l("%(staff)s works at most %(hours)s hours in the period"),
    "max_consecutive": _l("%(staff)s works at most %(count)s days in a row"),
    "min_consecutive": _l("%(staff)s works at least %(count)s days in a row"),
    "min_days_off": _l("%(staff)s takes at least %(count)s days off in a row"),
    "max_weekends": _l("%(staff)s works at most %(count)s weekends"),
    "no_succession": _l("no %(after)s shift the day after a %(before)s shift"),
    "hard_minimum": _l("%(day)s, %(seat)s: needs at least %(count)s"),
    # a swap that cannot be made
    "seat_skill": _l("%(staff)s cannot take the %(need)s seat of %(date)s"),
    "two_duties": _l("%(staff)s would have two duties on %(date)s"),
    "no_answer": _l("the rules could not be checked in time"),
    # penalties of a roster
    "on_request": _l("%(staff)s asked to work the %(shift)s shift on %(day)s: %(cost)s"),
    "off_request": _l("%(staff)s asked not to work the %(shift)s shift on %(day)s: %(cost)s"),
    "duty_spread": _l("Spread of duties among %(group)s: %(most)s has %(most_count)s, %(least)s %(least_count)s: "
                      "%(cost)s"),
    "unpopular_spread": _l("Spread of unpopular duties among %(group)s: %(most)s has %(most_count)s, %(least)s "
                           "%(least_count)s: %(cost)s"),
    # why a key project has no counsel
    "no_area_cover": _l("no lawyer covers all the legal areas the project needs (%(areas)s)"),
    "no_main_area": _l("no lawyer covers the project's main legal area (%(area)s) to act as backup"),
    "no_language": _l("no lawyer who covers the legal areas for the %(role)s also speaks %(languages)s"),
    "conflict": _l("every lawyer who could be the %(role)s has a conflict of interest with the project"),
    "no_hours": _l("the %(role)s needs %(hours)s hours a month, more than any fitting lawyer has available"),
    "one_firm": _l("primary and backup must come from two different firms, but every lawyer who fits works at "
                   "%(firms)s"),
    "no_room": _l("the lawyers who fit this project have no monthly hours or project places left"),
    # why a dispute was not dispatched to a mediation committee
    "dispatch_no_jurisdiction": _l("no committee's jurisdiction covers the place of this dispute"),
    "dispatch_no_type": _l("no committee covering its place takes disputes of this type (%(type)s)"),
    "dispatch_no_senior": _l("a %(risk)s dispute needs a senior committee and none covers its place"),
    "dispatch_no_language": _l("no committee that may take it mediates in %(language)s"),
    "dispatch_excluded": _l("every committee that may take it is excluded for this dispute"),
    "dispatch_full": _l("every committee that may take it is full"),
    "dispatch_capacity": _l("every committee that may take it is full with disputes of the same or a higher risk"),
}

ROLES = {"primary": _l("primary counsel"), "backup": _l("backup counsel")}

# The roster's penalty rules, as the period page's summary names them.
PENALTY_RULES = {
    "shift-on request": _l("Unmet shift-on requests"),
    "shift-off request": _l("Unmet shift-off requests"),
    "seat short": _l("Empty seats"),
    "seat over": _l("People over cover"),
    "duty spread": _l("Spread of duties between comparable lawyers"),
    "unpopular duty spread": _l("Spread of unpopular duties between comparable lawyers"),
    "changed duty": _l("Changed duties"),
}


class Speaker:
    """Says stored engine sentences in the current language; names are read from the database once."""

    def __init__(self, session: Session, start: date | None = None) -> None:
        from hotline.models import City, LawFirm, Lawyer, ShiftType

        self.start = start
        self.locale = locale_code()
        self._session = session
        self._lawyers: dict[int, str] | None = None
        self._models = (City, LawFirm, Lawyer, ShiftType)
        self.shifts = {t.code: t.name(self.locale) for t in session.scalars(select(ShiftType))}
        self.cities = {str(c.id): c.name(self.locale) for c in session.scalars(select(City))}

    def lawyer(self, staff) -> str:
        if self._lawyers is None:
            lawyer = self._models[2]
            self._lawyers = dict(self._session.execute(select(lawyer.id, lawyer.name)).all())
        try:
            return self._lawyers.get(int(staff), str(staff))
        except (TypeError, ValueError):
            return str(staff)

    def day(self, index) -> str:
        if self.start is None or not isinstance(index, int):
            return gettext("day %(number)s", number=index)
        return format_date(self.start + timedelta(days=index), "yyyy-MM-dd EEE")

    def duty(self, code: str | None) -> str:
        return self.shifts.get(code, code) if code else gettext("off")

    def seat(self, params: dict) -> str:
        """'Dalian · night · Korean · Labour': the shift and what its seats are kept for."""
        parts = [self.cities.get(str(params.get("city")), "") if params.get("city") else "",
                 self.duty(params.get("shift")),
                 str(vocab.LANGUAGES.get(params.get("language"), params.get("language") or "")),
                 str(vocab.LEGAL_AREAS.get(params.get("area"), params.get("area") or ""))]
        return " · ".join(part for part in parts if part)

    def firms(self, ids) -> str:
        firm = self._models[1]
        names = dict(self._session.execute(select(firm.id, firm.name).where(firm.id.in_(
            [i for i in ids if isinstance(i, int)]))).all())
        return gettext(", ").join(names.get(i, str(i)) for i in ids)

    def values(self, code: str, params: dict) -> dict:
        """Each parameter as the reader says it."""
        joined = gettext(", ")
        out = dict(params)
        for key in ("staff", "most", "least"):
            if key in params:
                out[key] = self.lawyer(params[key])
        if "day" in params:
            out["day"] = self.day(params["day"])
        for key in ("shift", "before"):
            if key in params:
                out[key] = self.duty(params[key])
        if "after" in params:
            after = params["after"]
            out["after"] = joined.join(self.duty(a) for a in after) if isinstance(after, list) else self.duty(after)
        if "date" in params:
            try:
                out["date"] = format_date(date.fromisoformat(params["date"]), "yyyy-MM-dd EEE")
            except (TypeError, ValueError):
                pass
        if "need" in params:
            need = params["need"]
            out["need"] = str(vocab.LEGAL_AREAS.get(need) or vocab.LANGUAGES.get(need) or need)
        if "minutes" in params:
            out["hours"] = f"{params['minutes'] / 60:g}"
        if "group" in params:
            out["group"] = (gettext("the lawyers of %(city)s", city=self.cities.get(str(params["group"]), params["group"]))
                            if params["group"] else gettext("all lawyers"))
        if "area" in params:
            out["area"] = str(vocab.LEGAL_AREAS.get(params["area"], params["area"]))
        if "areas" in params:
            out["areas"] = joined.join(str(vocab.LEGAL_AREAS.get(a, a)) for a in params["areas"])
        if "languages" in params:
            out["languages"] = joined.join(str(vocab.LANGUAGES.get(a, a)) for a in params["languages"])
        if "role" in params:
            out["role"] = str(ROLES.get(params["role"], params["role"]))
        if "firms" in params:
            out["firms"] = self.firms(params["firms"])
        if code in ("hard_minimum", "seat_short", "seat_over"):
            out["seat"] = self.seat(params)
        if str(code or "").startswith("dispatch_"):
            out["type"] = str(vocab.DISPUTE_TYPES.get(params.get("type"), params.get("type", "")))
            out["risk"] = str(vocab.RISK_LEVELS.get(params.get("risk"), params.get("risk", "")))
            out["language"] = str(vocab.LANGUAGES.get(params.get("language"), params.get("language", "")))
        return out

    def __call__(self, entry) -> str:
        """One stored sentence ({"code", "params", "text"}, or plain text) in the reader's language."""
        if not isinstance(entry, dict):
            return "" if entry is None else str(entry)
        code, params = entry.get("code"), entry.get("params") or {}
        try:
            values = self.values(code, params)
            if code == "seat_short":
                if values.get("first") == values.get("last"):
                    return gettext("%(day)s, %(seat)s: seat %(first)s empty: %(cost)s", **values)
                return gettext("%(day)s, %(seat)s: seats %(first)s-%(last)s empty: %(cost)s", **values)
            if code == "seat_over":
                return ngettext("%(day)s, %(seat)s: %(num)d person over cover: %(cost)s",
                                "%(day)s, %(seat)s: %(num)d people over cover: %(cost)s", values["count"], **values)
            if code == "changed_duty":
                if "cost" in values:
                    return gettext("%(staff)s on %(day)s: %(before)s → %(after)s: %(cost)s", **values)
                return gettext("%(staff)s on %(day)s: %(before)s → %(after)s", **values)
            template = SENTENCES.get(code)
            if template is None:
                return str(entry.get("text", ""))
            return str(template) % values
        except (KeyError, TypeError, ValueError):
            return str(entry.get("text", ""))


def say(entry, start: date | None = None) -> str:
    """A template's way to say an engine sentence; one Speaker per request and period start."""
    from flask import g

    from hotline.extensions import db

    speakers = g.setdefault("_engine_speakers", {})
    if start not in speakers:
        speakers[start] = Speaker(db.session, start)
    as_dict = getattr(entry, "as_dict", None)
    return speakers[start](as_dict() if as_dict is not None else entry)


def stored(words) -> dict | str:
    """What a job keeps of an engine sentence: its code and parameters when it has them, else its text."""
    as_dict = getattr(words, "as_dict", None)
    return as_dict() if as_dict is not None else str(words)


def penalty_rule(rule: str) -> str:
    """A penalty rule's name in the reader's language."""
    return str(PENALTY_RULES.get(rule, rule))
