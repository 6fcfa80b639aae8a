"""The data model, one module per aggregate; importing this package registers every table."""
from hotline.models.apiclient import ApiClient, api_client_liaisons
from hotline.models.consult import Attachment, Booking, ConsultationSlot, CounselRequest, RequestWindow
from hotline.models.contact import Contact, ContactEvent, Referral, RiskFlag
from hotline.models.counsel import CounselAssignment, MatchPlan, MatchPlanItem
from hotline.models.dispute import (Dispute, DisputeEvent, DisputeParty, DisputeReport, DisputeRisk, DisputeSession,
                                    DisputeSessionLink, MediationCommittee, Mediator, OrgUnit, ZeroReport)
from hotline.models.duty import (
    DutyAssignment,
    DutyPeriod,
    DutyRequest,
    PublicHoliday,
    SeatRequirement,
    Shift,
    ShiftSuccession,
    ShiftType,
)
from hotline.models.geo import City, FtzArea
from hotline.models.job import Job
from hotline.models.meta import DatabaseFact
from hotline.models.lawyer import Conflict, LawFirm, Lawyer, LawyerArea, LawyerLanguage, Unavailability
from hotline.models.outbox import OutboxMessage
from hotline.models.project import (KeyProject, ProjectLanguage, ProjectNeed, ProjectService, ProjectServiceFile,
                                    project_liaisons)
from hotline.models.servicelog import FollowUp, ServiceRecord
from hotline.models.telephony import WebhookReceipt
from hotline.models.user import User

__all__ = [
    "ApiClient", "Attachment", "Booking", "City", "Conflict", "ConsultationSlot", "Contact", "ContactEvent",
    "CounselAssignment", "CounselRequest", "DatabaseFact", "Dispute", "DisputeEvent", "DisputeParty", "DisputeReport", "DisputeRisk",
    "DisputeSession", "DisputeSessionLink", "ZeroReport",
    "MediationCommittee", "Mediator", "OrgUnit", "DutyAssignment", "DutyPeriod", "DutyRequest", "FollowUp", "FtzArea",
    "Job", "KeyProject", "ProjectService", "ProjectServiceFile", "LawFirm", "Lawyer", "LawyerArea", "LawyerLanguage", "MatchPlan", "MatchPlanItem",
    "OutboxMessage", "ProjectLanguage", "ProjectNeed", "PublicHoliday", "Referral", "RequestWindow", "RiskFlag",
    "SeatRequirement", "ServiceRecord", "Shift", "ShiftSuccession", "ShiftType", "Unavailability", "User",
    "WebhookReceipt", "api_client_liaisons", "project_liaisons",
]
