"""The department's vocabularies: codes stored in the database, labels shown in the user's language."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

LEGAL_AREAS = {
    "labour": _l("Labour"),
    "marriage_family": _l("Marriage and family"),
    "inheritance": _l("Inheritance"),
    "contracts_debts": _l("Contracts and debts"),
    "housing_property": _l("Housing and property management"),
    "land_rural": _l("Land and rural contracting"),
    "traffic": _l("Traffic accidents"),
    "medical": _l("Medical disputes"),
    "consumer": _l("Consumer rights"),
    "company": _l("Company and commercial"),
    "foreign_investment": _l("Foreign investment and trade"),
    "ip": _l("Intellectual property"),
    "finance": _l("Finance"),
    "construction": _l("Construction"),
    "administrative": _l("Administrative"),
    "criminal": _l("Criminal"),
    "legal_aid": _l("Legal aid"),
    "notarization": _l("Notarization"),
    "judicial_appraisal": _l("Judicial appraisal"),
    "mediation": _l("Mediation"),
}

LANGUAGES = {
    "zh": _l("Mandarin"),
    "ko": _l("Korean"),
    "mn": _l("Mongolian"),
    "en": _l("English"),
    "ja": _l("Japanese"),
    "ru": _l("Russian"),
}

RISK_FLAGS = {
    "suicide": _l("Suicide risk"),
    "civil_to_criminal": _l("Civil dispute may turn criminal"),
    "group_petition": _l("Group petition"),
    "group_fight": _l("Group fight"),
    "domestic_violence": _l("Domestic violence"),
}

CHANNELS = {
    "phone": _l("Phone (12348)"),
    "walk_in": _l("Walk-in"),
    "letter": _l("Letter"),
    "web": _l("Web"),
    "sms": _l("SMS"),
}

URGENCIES = {
    "low": _l("Low"),
    "normal": _l("Normal"),
    "high": _l("High"),
    "critical": _l("Critical"),
}

CONTACT_STATUSES = {
    "new": _l("New"),
    "waiting": _l("Waiting"),
    "in_progress": _l("In progress"),
    "callback": _l("Callback booked"),
    "referred": _l("Referred"),
    "escalated": _l("Escalated"),
    "closed": _l("Closed"),
}

REFERRAL_TARGETS = {
    "legal_aid": _l("Legal aid centre"),
    "mediation": _l("People's mediation committee"),
    "notary": _l("Notary office"),
    "court": _l("Court"),
    "police": _l("Police (110)"),
    "petition": _l("Petition office"),
}

DISPUTE_OUTCOMES = {
    "pending": _l("Mediation pending"),
    "success": _l("Mediated successfully"),
    "failed": _l("Mediation failed"),
    "not_mediated": _l("Not mediated"),
}

SERVICE_KINDS = {
    "hotline": _l("Hotline consultation"),
    "callback": _l("Callback"),
    "phone_consult": _l("Phone consultation"),
    "video_consult": _l("Video consultation"),
    "on_site": _l("On-site visit"),
    "referral": _l("Referral"),
    "mediation": _l("Mediation"),
    "legal_aid_referral": _l("Legal-aid referral"),
    "legal_checkup": _l("Legal check-up"),
    "contract_review": _l("Contract review"),
    "training": _l("Legal training"),
    "consult_elsewhere": _l("Consultation given elsewhere"),
    "mediation_follow_up": _l("Mediation follow-up visit"),  # 回访 of a ledger entry (chain version 2)
}

# What the FTZ team records of its own work on a key project (without a liaison's request).
PROJECT_SERVICE_KINDS = ("on_site", "legal_checkup", "contract_review", "training", "consult_elsewhere")

ROLES = {
    "admin": _l("Coordinator"),
    "operator": _l("Hotline operator"),
    "lawyer": _l("Lawyer"),
    "liaison": _l("Project liaison"),
    "bureau": _l("Bureau coordinator"),
    "mediator": _l("Mediator"),
}

# What an integration API client may do; set at `flask api-client create --scope ...` (the command line and the
# OpenAPI document are in English, so these are not translated).
API_SCOPES = {
    "contacts": "Hand contacts over and follow their status",
    "escalate": "Hand over contacts with risk flags (texts every supervisor)",
    "on-duty": "See who is on duty",
    "bookings": "List slots and book consultations for the client's own liaisons",
    "disputes": "Hand disputes over to the mediation ledger and follow their outcome",
}

CONSULT_MODES = {"video": _l("Video"), "phone": _l("Phone")}

SECTORS = {
    "manufacturing": _l("Advanced manufacturing"),
    "petrochemical": _l("Petrochemicals"),
    "logistics": _l("Ports and logistics"),
    "energy": _l("Energy"),
    "digital": _l("Digital economy"),
    "biomedicine": _l("Biomedicine"),
    "agriculture": _l("Modern agriculture"),
    "tourism": _l("Culture and tourism"),
    "finance": _l("Finance and trade"),
    "infrastructure": _l("Infrastructure"),
}


OUTBOX_PURPOSES = {
    "consult_booking": _l("consultation booked, moved or cancelled"),
    "consult_reminder_24h": _l("consultation reminder, a day before"),
    "consult_reminder_1h": _l("consultation reminder, an hour before"),
    "duty_published": _l("roster published"),
    "duty_changed": _l("duty changed"),
    "swap": _l("swap approved"),
    "escalation": _l("risk escalation"),
    "follow_up": _l("satisfaction survey"),
    "put_through": _l("put-through call"),
    "referral": _l("referral"),
    "dispute_deadline": _l("dispute deadline at risk"),
    "dispute_dispatch": _l("disputes dispatched to a committee"),
    "mediation_session": _l("mediation session scheduled or cancelled"),
}
OUTBOX_STATUSES = {"queued": _l("Queued"), "held": _l("Held (no credentials)"), "failed": _l("Failed"), "sent": _l("Sent")}

JOB_STATUSES = {"queued": _l("Queued"), "running": _l("Running"), "succeeded": _l("Finished"), "failed": _l("Failed"),
                "cancelled": _l("Cancelled")}

# What the solver says of its answer (CP-SAT's status names, kept on plans and job results).
SOLVER_STATUSES = {
    "OPTIMAL": _l("Proven best"),
    "FEASIBLE": _l("Good, not proven best"),
    "INFEASIBLE": _l("No solution can meet the rules"),
    "UNKNOWN": _l("No solution found in time"),
    "MODEL_INVALID": _l("The model is invalid"),
}

PLAN_STATUSES = {"draft": _l("Draft"), "published": _l("Published"), "discarded": _l("Discarded")}

# A lawyer's day-off and swap requests, and absences.
REQUEST_STATUSES = {"pending": _l("Pending"), "requested": _l("Pending"), "approved": _l("Approved"),
                    "rejected": _l("Rejected"), "withdrawn": _l("Withdrawn")}


def label(vocabulary: dict, code: str | None) -> str:
    """The label of a code in the user's language, or the code itself when unknown."""
    if code is None:
        return ""
    return str(vocabulary.get(code, code))


# The dispute ledger (hotline/models/dispute.py).
ORG_UNIT_KINDS = {"county": _l("County or district"), "township": _l("Township or street"),
                  "village": _l("Village"), "community": _l("Community")}

COMMITTEE_KINDS = {
    "village": _l("Village committee"),
    "community": _l("Community committee"),
    "township": _l("Township committee"),
    "county_key": _l("County committee for key and difficult disputes"),
    "medical": _l("Medical disputes committee"),
    "traffic": _l("Traffic accidents committee"),
    "labour": _l("Labour disputes committee"),
    "property": _l("Property management committee"),
    "court": _l("Mediation room at a court"),
    "police": _l("Mediation room at a police station"),
    "petition": _l("Mediation room at a petition office"),
}

DISPUTE_SOURCES = {
    "hotline": _l("12348 hotline"), "screening": _l("Screening"), "walk_in": _l("Walk-in"), "web": _l("Web"),
    "police": _l("Police"), "court": _l("Court"), "petition": _l("Petition office"), "api": _l("Another agency's system"),
}

DISPUTE_TYPES = {
    "family": _l("Marriage and family"), "neighbour": _l("Neighbours"), "land": _l("Land and forest rights"),
    "property": _l("Housing and property"), "labour": _l("Labour and wages"), "medical": _l("Medical"),
    "traffic": _l("Traffic accident"), "contract": _l("Contracts and debts"), "other": _l("Other"),
}

RISK_LEVELS = {"red": _l("Red"), "orange": _l("Orange"), "yellow": _l("Yellow"), "blue": _l("Blue")}
RISK_ORDER = ("blue", "yellow", "orange", "red")

DISPUTE_STATES = {
    "registered": _l("Registered"),
    "accepted": _l("Accepted"),
    "rejected": _l("Rejected with a referral"),
    "assessed": _l("Assessed"),
    "dispatched": _l("Dispatched"),
    "in_mediation": _l("In mediation"),
    "succeeded": _l("Mediated successfully"),
    "failed": _l("Mediation failed"),
    "transferred": _l("Transferred"),
    "withdrawn": _l("Withdrawn"),
    "following_up": _l("Following up"),
    "closed": _l("Closed"),
}

DISPUTE_ACTIONS = {
    "register": _l("Registered"),
    "accept": _l("Accepted"),
    "reject": _l("Rejected with a referral"),
    "assess": _l("Assessed"),
    "dispatch": _l("Dispatched"),
    "committee_accept": _l("The committee accepted"),
    "committee_decline": _l("The committee declined"),
    "session": _l("Mediation session"),
    "succeed": _l("Mediated successfully"),
    "fail": _l("Mediation failed"),
    "transfer": _l("Transferred"),
    "withdraw": _l("Withdrawn"),
    "follow_up": _l("Follow-up visit"),
    "close": _l("Closed"),
    "reopen": _l("Reopened"),
    "correct": _l("Corrected"),
    "risk_open": _l("Risk raised"),
    "risk_close": _l("Risk closed"),
    "measure_review": _l("Prevention measure reviewed"),
    "report": _l("Reported upward"),
    "acknowledge": _l("Report acknowledged"),
    "extend": _l("Mediation extended"),
    "warn": _l("Deadline warning sent"),
    "escalate": _l("Escalated after a missed deadline"),
}

REPORT_LEVELS = {"county_bureau": _l("County"), "city_bureau": _l("City"), "province_dept": _l("Province")}

# Why the ledger refused a step (hotline/services/disputes.DisputeRefused codes), in the reader's words.
DISPUTE_REFUSALS = {
    "bad_action": _l("That is not a step of the ledger."),
    "not_from_state": _l("This step cannot be taken in the entry's present state; reload the page to see it."),
    "two_parties_needed": _l("Record at least two parties before accepting the dispute."),
    "referral_required": _l("Say where the dispute is referred to."),
    "bad_level": _l("Choose a risk level."),
    "open_risk_needs_orange": _l("An entry with an open risk is at least orange."),
    "committee_unknown": _l("Choose a committee."),
    "committee_inactive": _l("That committee no longer takes disputes."),
    "committee_not_here": _l("That committee does not serve the place where the dispute was found."),
    "committee_not_type": _l("That committee does not take this type of dispute."),
    "committee_not_senior": _l("A red or orange dispute goes to a senior committee."),
    "mediator_not_of_committee": _l("Choose a mediator of the committee the dispute was dispatched to."),
    "reason_required": _l("Give a reason."),
    "bad_mode": _l("Choose on site, phone or video."),
    "record_required": _l("Write the record of the session."),
    "agreement_required": _l("A successful mediation needs its agreement: oral or written, and its terms."),
    "guidance_required": _l("Write the guidance given to the parties (litigation, arbitration or another route)."),
    "orange_failure_needs_measure": _l("A failed orange or red dispute needs an open prevention measure, or a transfer instead."),
    "agency_required": _l("Name the agency the dispute is transferred to."),
    "note_required": _l("Write a note."),
    "close_needs_yellow": _l("Lower the risk level to yellow or blue before closing."),
    "close_needs_risks_closed": _l("Close every risk before closing the entry."),
    "nothing_to_correct": _l("Nothing was changed."),
    "bad_risk": _l("Choose a risk and the number of people at risk (at least one)."),
    "risk_already_open": _l("That risk is already recorded on this entry."),
    "risk_not_open": _l("That risk is not open on this entry."),
    "prevented_required": _l("Say whether the risk was prevented."),
    "bad_report_level": _l("Choose whom the report goes to."),
    "nothing_reported": _l("Nothing was reported to that level."),
    "extension_needs_consent": _l("An extension needs both parties' consent, recorded."),
    "bad_extension": _l("An extension is 1 to 30 days."),
    "already_extended": _l("Mediation may be extended only once."),
    "bad_deadline": _l("That is not a deadline of the ledger."),
    "bad_source": _l("Choose where the dispute was found."),
    "bad_type": _l("Choose the type of dispute."),
    "summary_required": _l("Write what the dispute is about."),
    "found_in_future": _l("A dispute cannot be found in the future."),
    "party_name_required": _l("Write the party's name."),
    "bad_number": _l("Write a whole number."),
    "bad_date": _l("Write a date as YYYY-MM-DD."),
    "bad_place": _l("Choose a place from the list."),
    "bad_phone": _l("Enter a valid phone number, e.g. 138 1234 5678."),
    "not_open": _l("That entry is no longer open; register a new one."),
    "unknown_entry": _l("No open entry has that number."),
}
# Dispatch, the deadline board and zero reports (hotline/disputes/dispatch.py, board.py, zero.py).
DISPATCH_SKIPS = {
    "out_of_scope": _l("Outside your part of the ledger"),
    "changed": _l("Its history changed since the plan"),
    "committee_full": _l("The committee filled up since the plan"),
    "refused": _l("The committee may no longer take it"),
}

DEADLINE_KINDS = {
    "accept": _l("Acceptance"),
    "report": _l("Report upward"),
    "acknowledge": _l("Acknowledgement of a report"),
    "conclude": _l("Conclusion of mediation"),
    "follow_up": _l("Follow-up visit"),
    "measure_review": _l("Review of a prevention measure"),
}

DEADLINE_STATUSES = {"breached": _l("Breached"), "at_risk": _l("At risk"), "on_track": _l("On track"),
                     "met": _l("Met"), "met_late": _l("Met late")}

ZERO_REPORT_STATES = {"filed": _l("Zero report filed"), "registered": _l("Registered entries"),
                      "missing": _l("Not filed"), "contradicted": _l("Filed, but entries were registered")}
# Mediation sessions with the parties (hotline/services/dispute_sessions.py).
SESSION_MODES = {"on_site": _l("On site"), "phone": _l("By phone"), "video": _l("By video")}
SESSION_STATES = {"scheduled": _l("Scheduled"), "held": _l("Held"), "cancelled": _l("Cancelled")}
