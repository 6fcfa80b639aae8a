"""The dispute ledger's lifecycle: every change to an entry is one event in its append-only history.

registered → accepted (at least two parties) or rejected (with a referral) → assessed (risk level) → dispatched (to
a committee that may take it) → the committee accepts (in mediation) or declines with a reason (back to assessed) →
mediation sessions → succeeded (an agreement is required) / failed (guidance is required; at orange or above an open
prevention measure too, or a transfer instead) / transferred (to an agency) / withdrawn (with a reason) → following
up → closed (only at yellow or below, with every risk closed); a closed entry is reopened with a reason. A correction
is an event with a reason. A refused step raises DisputeRefused, whose code the view translates, and writes nothing.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotline.models import City, Contact, Dispute, DisputeEvent, DisputeParty, DisputeRisk, MediationCommittee, OrgUnit
from hotline.models.types import PROVINCE_TZ, utcnow
from hotline.vocab import DISPUTE_SOURCES, DISPUTE_TYPES, REPORT_LEVELS, RISK_FLAGS, RISK_LEVELS, RISK_ORDER

# The province's city codes (GB/T 2260) for the ledger number, 纠2101-2026-00042.
CITY_NUMBERS = {
    "shenyang": "2101", "dalian": "2102", "anshan": "2103", "fushun": "2104", "benxi": "2105", "dandong": "2106",
    "jinzhou": "2107", "yingkou": "2108", "fuxin": "2109", "liaoyang": "2110", "panjin": "2111", "tieling": "2112",
    "chaoyang": "2113", "huludao": "2114",
}
OPEN_STATES = frozenset({"registered", "accepted", "assessed", "dispatched", "in_mediation", "following_up"})
ENDED_STATES = frozenset({"succeeded", "failed", "transferred", "withdrawn", "rejected"})
SESSION_MODES = ("on_site", "phone", "video")
AGREEMENT_FORMS = ("oral", "written")

# action: (states it may start from, state it leads to; None keeps the state)
TRANSITIONS: dict[str, tuple[frozenset[str], str | None]] = {
    "accept": (frozenset({"registered"}), "accepted"),
    "reject": (frozenset({"registered"}), "rejected"),
    "assess": (frozenset({"accepted", "assessed"}), "assessed"),
    "dispatch": (frozenset({"assessed"}), "dispatched"),
    "committee_accept": (frozenset({"dispatched"}), "in_mediation"),
    "committee_decline": (frozenset({"dispatched"}), "assessed"),
    "session": (frozenset({"in_mediation"}), None),
    "succeed": (frozenset({"in_mediation"}), "succeeded"),
    "fail": (frozenset({"in_mediation"}), "failed"),
    "transfer": (frozenset({"in_mediation", "failed"}), "transferred"),
    "withdraw": (frozenset({"registered", "accepted", "assessed", "dispatched", "in_mediation"}), "withdrawn"),
    "follow_up": (frozenset({"succeeded", "failed", "transferred", "following_up"}), "following_up"),
    "close": (frozenset({"following_up", "failed", "transferred", "withdrawn", "rejected"}), "closed"),
    "reopen": (frozenset({"closed"}), "accepted"),
    "correct": (frozenset(OPEN_STATES | ENDED_STATES | {"closed"}), None),
    "risk_open": (frozenset(OPEN_STATES | ENDED_STATES), None),
    "risk_close": (frozenset(OPEN_STATES | ENDED_STATES), None),
    "measure_review": (frozenset(OPEN_STATES | ENDED_STATES), None),
    "report": (frozenset(OPEN_STATES | ENDED_STATES), None),
    "acknowledge": (frozenset(OPEN_STATES | ENDED_STATES), None),
    "extend": (frozenset({"in_mediation"}), None),
    "warn": (frozenset(OPEN_STATES | ENDED_STATES), None),
    "escalate": (frozenset(OPEN_STATES | ENDED_STATES), None),
}
MAX_EXTENSION_DAYS = 30
CORRECTABLE = ("dispute_type", "summary", "risk_level", "people_involved", "amount", "place")


class DisputeRefused(ValueError):
    """A step the ledger refuses; str() is a code the view translates (see DISPUTE_REFUSALS in the views)."""

    def __init__(self, code: str, **params):
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Party:
    name: str
    phone: str | None = None
    role: str = ""


def level_rank(level: str) -> int:
    return RISK_ORDER.index(level)


def _raise_to(level: str, floor: str) -> str:
    return level if level_rank(level) >= level_rank(floor) else floor


def number_for(session: Session, city: City, year: int) -> str:
    """The next ledger number of a city and year."""
    prefix = f"纠{CITY_NUMBERS.get(city.code, f'{city.id:04d}')}-{year}-"
    count = session.scalar(select(func.count()).select_from(Dispute).where(Dispute.number.startswith(prefix)))
    return f"{prefix}{count + 1:05d}"


def register(session: Session, *, source: str, found_at: datetime, org_unit: OrgUnit, dispute_type: str,
             summary: str, parties: list[Party] = (), risk_level: str = "blue", risks: dict[str, int] | None = None,
             user=None, people_involved: int = 2, amount: int | None = None, place: str = "", language: str = "zh",
             contact: Contact | None = None, api_client_id: int | None = None, external_id: str | None = None,
             now: datetime | None = None) -> Dispute:
    """A new ledger entry with its first event; a risk raises the level to at least orange. Not committed."""
    now = now or utcnow()
    if source not in DISPUTE_SOURCES:
        raise DisputeRefused("bad_source")
    if dispute_type not in DISPUTE_TYPES:
        raise DisputeRefused("bad_type")
    if risk_level not in RISK_LEVELS:
        raise DisputeRefused("bad_level")
    if not summary.strip():
        raise DisputeRefused("summary_required")
    if found_at > now:
        raise DisputeRefused("found_in_future")
    risks = dict(risks or {})
    if any(kind not in RISK_FLAGS for kind in risks) or any(people < 1 for people in risks.values()):
        raise DisputeRefused("bad_risk")
    if risks:
        risk_level = _raise_to(risk_level, "orange")
    city = session.get(City, org_unit.city_id)
    dispute = Dispute(
        number=number_for(session, city, found_at.astimezone(PROVINCE_TZ).year), source=source, found_at=found_at,
        org_unit_id=org_unit.id, city_id=org_unit.city_id, dispute_type=dispute_type, summary=summary.strip(),
        risk_level=risk_level, state="registered", responsible_user_id=getattr(user, "id", None),
        people_involved=people_involved, amount=amount, place=place, language=language,
        contact_id=getattr(contact, "id", None), api_client_id=api_client_id, external_id=external_id,
        created_at=now)
    session.add(dispute)
    session.flush()
    for party in parties:
        session.add(DisputeParty(dispute_id=dispute.id, name=party.name.strip(), phone=party.phone, role=party.role))
    _event(session, dispute, "register", None, user, now, data={"risk_level": risk_level, "source": source})
    for kind, people in risks.items():
        session.add(DisputeRisk(dispute_id=dispute.id, kind=kind, people=people, opened_at=now))
        _event(session, dispute, "risk_open", None, user, now, data={"kind": kind, "people": people})
    return dispute


def from_contact(session: Session, contact: Contact, *, org_unit: OrgUnit, dispute_type: str, user,
                 now: datetime | None = None) -> tuple[Dispute, bool]:
    """Turn a hotline contact into a ledger entry in one step: (entry, created). Asking twice gives the same entry;
    the contact's open risk flags become the entry's risks (and so at least orange)."""
    locked = session.scalar(select(Contact).where(Contact.id == contact.id).with_for_update()) or contact
    existing = session.get(Dispute, locked.dispute_id) if locked.dispute_id else \
        session.scalar(select(Dispute).where(Dispute.contact_id == contact.id))
    if existing is not None:
        return existing, False
    risks = {flag.flag: 1 for flag in contact.risk_flags if flag.closed_at is None}
    parties = [Party(name=contact.caller_name, phone=contact.caller_phone, role="caller")] \
        if contact.caller_name.strip() else []
    dispute = register(session, source="hotline", found_at=contact.received_at, org_unit=org_unit,
                       dispute_type=dispute_type, summary=contact.summary or "", parties=parties, risks=risks,
                       user=user, contact=contact, now=now)
    contact.dispute_id = dispute.id
    return dispute, True


def link_contact(session: Session, contact: Contact, dispute: Dispute, *, user, now: datetime | None = None) -> bool:
    """Link a hotline contact to an open entry about the same dispute (a party calling again): one event on the
    entry. False when the contact already belongs to an entry (nothing is written); refused when the entry is not
    open."""
    now = now or utcnow()
    locked = session.scalar(select(Contact).where(Contact.id == contact.id).with_for_update()) or contact
    if locked.dispute_id is not None or session.scalar(select(Dispute.id).where(Dispute.contact_id == contact.id)):
        return False
    if dispute.state not in OPEN_STATES:
        raise DisputeRefused("not_open")
    locked.dispute_id = dispute.id
    _event(session, dispute, "correct", dispute.state, user, now,
           data={"changes": {"contact": {"from": None, "to": contact.reference}}})
    return True


def may_take(committee: MediationCommittee, dispute: Dispute, org_unit: OrgUnit) -> str | None:
    """None when the committee may take the dispute, else the refusal code."""
    if not committee.active:
        return "committee_inactive"
    home = committee.org_unit
    if not (org_unit.path + "").startswith(home.path or f"/{home.id}/"):
        return "committee_not_here"
    if committee.type_codes() and dispute.dispute_type not in committee.type_codes():
        return "committee_not_type"
    if level_rank(dispute.risk_level) >= level_rank("orange") and not committee.senior:
        return "committee_not_senior"
    return None


def act(session: Session, dispute: Dispute, action: str, user=None, *, reason: str = "", now: datetime | None = None,
        **data) -> DisputeEvent:
    """Apply one step to an entry, locked for the transaction; raises DisputeRefused and writes nothing."""
    now = now or utcnow()
    if action not in TRANSITIONS:
        raise DisputeRefused("bad_action")
    locked = session.scalar(select(Dispute).where(Dispute.id == dispute.id).with_for_update()) or dispute
    sources, target = TRANSITIONS[action]
    if locked.state not in sources:
        raise DisputeRefused("not_from_state", state=locked.state, action=action)
    reason = (reason or "").strip()
    before = locked.state
    with session.begin_nested():  # a refusal part-way through a check undoes whatever the check had changed
        recorded = _CHECKS[action](session, locked, reason, now, data)
        if target is not None:
            locked.state = target
        return _event(session, locked, action, before, user, now, reason=reason, data=recorded)


def _event(session: Session, dispute: Dispute, action: str, before: str | None, user, now: datetime, *,
           reason: str = "", data: dict | None = None) -> DisputeEvent:
    seq = (session.scalar(select(func.max(DisputeEvent.seq)).where(DisputeEvent.dispute_id == dispute.id)) or 0) + 1
    data = data or {}
    event = DisputeEvent(dispute_id=dispute.id, seq=seq, action=action, from_state=before, to_state=dispute.state,
                         at=now, user_id=getattr(user, "id", None), reason=reason, data=data,
                         **event_columns(action, now, data))
    dispute.last_event_at = now if dispute.last_event_at is None else max(dispute.last_event_at, now)
    session.add(event)
    session.flush()
    _schedule(session, dispute)
    return event


def _schedule(session: Session, dispute: Dispute) -> None:
    """Keep the entry's next due moment and next sweep action (services.dispute_deadlines.next_moments) from its
    whole history and risks as they stand after an event."""
    from hotline.services.dispute_deadlines import Entry, next_moments

    events = session.scalars(select(DisputeEvent).where(DisputeEvent.dispute_id == dispute.id)
                             .order_by(DisputeEvent.seq)).all()
    risks = session.scalars(select(DisputeRisk).where(DisputeRisk.dispute_id == dispute.id)).all()
    dispute.next_due_at, dispute.next_action_at = next_moments(Entry(dispute.risk_level, risks, dispute.state), events)


def event_columns(action: str, at: datetime, data: dict) -> dict:
    """The facts of an event's data that it also carries as columns, for the figures' indexes: the committee it names
    (a dispatch, a committee's answer), and for an agreement when its follow-up visit falls due. Whatever writes
    events (this module, the demo, the benchmark, migration 0016) derives them here."""
    from hotline.services.dispute_deadlines import follow_up_due  # it reads this module's states

    committee = data.get("committee_id")
    return {"committee_id": committee if isinstance(committee, int) and not isinstance(committee, bool) else None,
            "due_at": follow_up_due(at, data.get("performance_date")) if action == "succeed" else None}


def _need(condition: bool, code: str, **params) -> None:
    if not condition:
        raise DisputeRefused(code, **params)


def _check_accept(session, dispute, reason, now, data):
    named = [party for party in dispute.parties if party.name.strip()]
    _need(len(named) >= 2, "two_parties_needed")
    return {}


def _check_reject(session, dispute, reason, now, data):
    referral = (data.get("referral") or "").strip()
    _need(bool(referral), "referral_required")
    return {"referral": referral}


def _check_assess(session, dispute, reason, now, data):
    level = data.get("risk_level")
    _need(level in RISK_LEVELS, "bad_level")
    if any(risk.closed_at is None for risk in dispute.risks):
        _need(level_rank(level) >= level_rank("orange"), "open_risk_needs_orange")
    dispute.risk_level = level
    return {"risk_level": level}


def _check_dispatch(session, dispute, reason, now, data):
    committee = session.get(MediationCommittee, data.get("committee_id") or 0)
    _need(committee is not None, "committee_unknown")
    refusal = may_take(committee, dispute, session.get(OrgUnit, dispute.org_unit_id))
    _need(refusal is None, refusal or "")
    dispute.committee_id = committee.id
    return {"committee_id": committee.id, **({"plan_id": data["plan_id"]} if data.get("plan_id") else {})}


def _check_committee_accept(session, dispute, reason, now, data):
    mediator_id = data.get("mediator_id")
    if mediator_id is not None:
        from hotline.models import Mediator

        mediator = session.get(Mediator, mediator_id)
        _need(mediator is not None and mediator.committee_id == dispute.committee_id and mediator.active,
              "mediator_not_of_committee")
        dispute.mediator_id = mediator.id
    return {"committee_id": dispute.committee_id, "mediator_id": mediator_id}


def _check_committee_decline(session, dispute, reason, now, data):
    _need(bool(reason), "reason_required")
    declined = dispute.committee_id
    dispute.committee_id = None
    dispute.mediator_id = None
    return {"committee_id": declined}


def _check_session(session, dispute, reason, now, data):
    mode = data.get("mode")
    _need(mode in SESSION_MODES, "bad_mode")
    record = (data.get("record") or "").strip()
    _need(bool(record), "record_required")
    return {"mode": mode, "record": record}


def _check_succeed(session, dispute, reason, now, data):
    form = data.get("agreement_form")
    terms = (data.get("terms") or "").strip()
    _need(form in AGREEMENT_FORMS and bool(terms), "agreement_required")
    performance = data.get("performance_date")
    return {"agreement_form": form, "terms": terms,
            "performance_date": performance.isoformat() if performance else None,
            "judicial_confirmation": bool(data.get("judicial_confirmation"))}


def _check_fail(session, dispute, reason, now, data):
    guidance = (data.get("guidance") or "").strip()
    _need(bool(guidance), "guidance_required")
    if level_rank(dispute.risk_level) >= level_rank("orange"):
        _need(any(risk.closed_at is None for risk in dispute.risks), "orange_failure_needs_measure")
    return {"guidance": guidance}


def _check_transfer(session, dispute, reason, now, data):
    agency = (data.get("agency") or "").strip()
    _need(bool(agency), "agency_required")
    return {"agency": agency}


def _check_reasoned(session, dispute, reason, now, data):
    _need(bool(reason), "reason_required")
    return {}


def _check_follow_up(session, dispute, reason, now, data):
    note = (data.get("note") or "").strip()
    _need(bool(note), "note_required")
    return {"note": note, "kept": data.get("kept")}


def _check_close(session, dispute, reason, now, data):
    _need(level_rank(dispute.risk_level) <= level_rank("yellow"), "close_needs_yellow")
    _need(all(risk.closed_at is not None for risk in dispute.risks), "close_needs_risks_closed")
    return {}


def _check_correct(session, dispute, reason, now, data):
    _need(bool(reason), "reason_required")
    changes = {}
    for name in CORRECTABLE:
        if name in data and data[name] != getattr(dispute, name):
            value = data[name]
            if name == "risk_level":
                _need(value in RISK_LEVELS, "bad_level")
            if name == "dispute_type":
                _need(value in DISPUTE_TYPES, "bad_type")
            changes[name] = {"from": getattr(dispute, name), "to": value}
            setattr(dispute, name, value)
    party = data.get("add_party")
    if party is not None:
        _need(bool(party.name.strip()), "party_name_required")
        session.add(DisputeParty(dispute_id=dispute.id, name=party.name.strip(), phone=party.phone, role=party.role))
        session.flush()
        session.refresh(dispute, ["parties"])
        changes["party"] = {"from": None, "to": party.name.strip()}
    _need(bool(changes), "nothing_to_correct")
    return {"changes": changes}


def _check_risk_open(session, dispute, reason, now, data):
    kind, people = data.get("kind"), data.get("people", 1)
    _need(kind in RISK_FLAGS and isinstance(people, int) and people >= 1, "bad_risk")
    _need(all(risk.kind != kind for risk in dispute.risks), "risk_already_open")
    measure = (data.get("measure") or "").strip()
    session.add(DisputeRisk(dispute_id=dispute.id, kind=kind, people=people, opened_at=now))
    before = dispute.risk_level
    dispute.risk_level = _raise_to(dispute.risk_level, "orange")
    session.flush()
    session.refresh(dispute, ["risks"])
    return {"kind": kind, "people": people, "measure": measure, "level_from": before, "level_to": dispute.risk_level}


def _check_risk_close(session, dispute, reason, now, data):
    kind, prevented = data.get("kind"), data.get("prevented")
    risk = next((risk for risk in dispute.risks if risk.kind == kind and risk.closed_at is None), None)
    _need(risk is not None, "risk_not_open")
    _need(isinstance(prevented, bool), "prevented_required")
    risk.closed_at = now
    risk.prevented = prevented
    return {"kind": kind, "prevented": prevented, "people": risk.people}


def _check_measure_review(session, dispute, reason, now, data):
    kind = data.get("kind")
    _need(any(risk.kind == kind and risk.closed_at is None for risk in dispute.risks), "risk_not_open")
    note = (data.get("note") or "").strip()
    _need(bool(note), "note_required")
    return {"kind": kind, "note": note}


def _check_report(session, dispute, reason, now, data):
    level = data.get("level")
    _need(level in REPORT_LEVELS, "bad_report_level")
    return {"level": level, "note": (data.get("note") or "").strip()}


def _check_acknowledge(session, dispute, reason, now, data):
    level = data.get("level")
    reported = session.scalar(select(func.count()).select_from(DisputeEvent).where(
        DisputeEvent.dispute_id == dispute.id, DisputeEvent.action == "report",
        DisputeEvent.data["level"].as_string() == level)) if level in REPORT_LEVELS else 0
    _need(bool(reported), "nothing_reported")
    return {"level": level}


def _check_extend(session, dispute, reason, now, data):
    _need(data.get("consent_both") is True, "extension_needs_consent")
    days = data.get("days")
    _need(isinstance(days, int) and 1 <= days <= MAX_EXTENSION_DAYS, "bad_extension")
    already = session.scalar(select(func.count()).select_from(DisputeEvent).where(
        DisputeEvent.dispute_id == dispute.id, DisputeEvent.action == "extend"))
    _need(not already, "already_extended")
    return {"days": days, "consent_both": True}


def _check_system(session, dispute, reason, now, data):
    deadline = data.get("deadline")
    _need(isinstance(deadline, str) and bool(deadline), "bad_deadline")
    recorded = {"deadline": deadline, "due_at": data.get("due_at"), "to": data.get("to")}
    if data.get("notified"):
        recorded["notified"] = list(data["notified"])
    return recorded


_CHECKS = {
    "accept": _check_accept, "reject": _check_reject, "assess": _check_assess, "dispatch": _check_dispatch,
    "committee_accept": _check_committee_accept, "committee_decline": _check_committee_decline,
    "session": _check_session, "succeed": _check_succeed, "fail": _check_fail, "transfer": _check_transfer,
    "withdraw": _check_reasoned, "reopen": _check_reasoned, "follow_up": _check_follow_up, "close": _check_close,
    "correct": _check_correct, "risk_open": _check_risk_open, "risk_close": _check_risk_close,
    "measure_review": _check_measure_review, "report": _check_report, "acknowledge": _check_acknowledge,
    "extend": _check_extend, "warn": _check_system, "escalate": _check_system,
}
