"""The models of the resolution app, by topic; Django and every importer find them here."""

from resolution.models.audit import (
    DocumentRead,
    FraudFlagEvent,
    FraudStep,
    ReadChannel,
    ReadDocumentKind,
    StaffQueueAccess,
)
from resolution.models.burden import BurdenEvidence, OfficialIncomeState
from resolution.models.case import (
    CLOSED_BEFORE_SIGNING,
    Case,
    CaseLoan,
    CaseStatus,
    CaseTransition,
    Category,
    ConfirmationStatus,
    OmbudsmanStaff,
    new_reference,
)
from resolution.models.confirmation import ConfirmationAction, CreditorRequest, DebtConfirmation
from resolution.models.decision import CaseDecision, CaseDocument, DocumentKind, DocumentPackage
from resolution.models.eligibility import (
    CheckState,
    EligibilityCheck,
    EligibilityPolicy,
    RuleOutcome,
)
from resolution.models.ending import CaseEnding, EndingDocument, EndingKind
from resolution.models.fraud import FraudFlag, FraudFlagStatus
from resolution.models.notifications import (
    BureauReport,
    Notification,
    NotificationChannel,
    NotificationStatus,
)
from resolution.models.review import BreachedCase, ReviewQueueCase
from resolution.models.signing import Signature, SigningCode, SigningMethod
from resolution.models.variation import (
    OPEN_STATUSES as OPEN_STATUSES_OF_VARIATION,
)
from resolution.models.variation import (
    Variation,
    VariationCode,
    VariationKind,
    VariationObjection,
    VariationStatus,
)

__all__ = [
    "BurdenEvidence",
    "OfficialIncomeState",
    "CLOSED_BEFORE_SIGNING",
    "OPEN_STATUSES_OF_VARIATION",
    "BreachedCase",
    "BureauReport",
    "Case",
    "CaseDecision",
    "CaseDocument",
    "CaseEnding",
    "CaseLoan",
    "CaseStatus",
    "CaseTransition",
    "Category",
    "CheckState",
    "ConfirmationAction",
    "ConfirmationStatus",
    "CreditorRequest",
    "DebtConfirmation",
    "DocumentKind",
    "DocumentPackage",
    "DocumentRead",
    "EligibilityCheck",
    "EligibilityPolicy",
    "EndingDocument",
    "EndingKind",
    "FraudFlag",
    "FraudFlagEvent",
    "FraudFlagStatus",
    "FraudStep",
    "Notification",
    "NotificationChannel",
    "NotificationStatus",
    "OmbudsmanStaff",
    "ReadChannel",
    "ReadDocumentKind",
    "ReviewQueueCase",
    "RuleOutcome",
    "Signature",
    "SigningCode",
    "SigningMethod",
    "StaffQueueAccess",
    "Variation",
    "VariationCode",
    "VariationKind",
    "VariationObjection",
    "VariationStatus",
    "new_reference",
]
