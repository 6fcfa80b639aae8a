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
    "mediation_follow_up": _l("Mediation follow-up visit"),
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
