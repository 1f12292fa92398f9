"""Step 7–8: the borrower signs the package within 72 hours, by a one-time SMS code or EDS.

The signature records the package hash (over the document hashes), each document's hash, the
time, the IP and the method. A signature at or after the deadline is refused even if the
expiry sweep has not run yet; the sweep (`expire_unsigned_packages`) closes every package
whose deadline passed by now, so a late run still does the right thing.

On signing the case goes SIGNED → (plan created by the schedules app) → ACTIVE in the same
transaction; creditors are told to suspend collection and the bureau reports are queued.
"""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from bureau_gateway.adapters import get_adapter
from finplatform import onetime_codes
from finplatform.clock import BUSINESS_TZ, business_now
from finplatform.errors import ApplicationError, ConflictError
from finplatform.throttle import CODES_ISSUED
from outbox import services as outbox
from resolution import trail
from resolution.models import (
    BureauReport,
    Case,
    CaseStatus,
    DocumentPackage,
    Signature,
    SigningCode,
    SigningMethod,
)
from resolution.policy import mediator_fee_payer, policy
from resolution.services.documents import BY_SIGNING_DATE, plan_shares
from resolution.services.notifications import notify_borrower, notify_creditor
from resolution.workflow import IllegalTransition, lock_case, transition
from schedules.services.plans import create_plan

MSG_NOT_SIGNABLE = _("These documents cannot be signed now.")
MSG_DEADLINE_PASSED = _("The 72-hour signing window has closed.")
MSG_EDS_INVALID = _("The electronic signature could not be verified.")
MSG_FEE_TERMS_CHANGED = _(
    "The mediator's fee terms in these documents no longer apply on today's date; the "
    "documents cannot be signed."
)

TASK_BUREAU_REPORT = "resolution.report_procedure_started"


def _signable_package(case: Case, now) -> DocumentPackage:
    if case.status != CaseStatus.DOCUMENTS_ISSUED:
        raise ConflictError(MSG_NOT_SIGNABLE, code="not_signable")
    package = case.package
    if now >= package.signing_deadline:
        raise ConflictError(MSG_DEADLINE_PASSED, code="signing_deadline_passed")
    # the signed text must be true: an agreement naming one fee payer is signed only while
    # that payer is the one in force (one carrying both variants always can be)
    stated = package.snapshot["mediator"]["fee_payer"]
    if stated not in (BY_SIGNING_DATE, mediator_fee_payer(now.astimezone(BUSINESS_TZ).date())):
        raise ConflictError(MSG_FEE_TERMS_CHANGED, code="fee_terms_changed")
    return package


@transaction.atomic
def issue_signing_code(*, case_id) -> tuple[SigningCode, str]:
    """A fresh 6-digit code for the package (earlier unused codes stop working); returns the
    row and the plaintext, which only the SMS carries. Only its HMAC is stored."""
    case = lock_case(case_id)
    now = business_now()
    package = _signable_package(case, now)
    if CODES_ISSUED.hit(f"sign:{case_id}") > CODES_ISSUED.limit:
        raise ApplicationError(onetime_codes.MSG_TOO_MANY_CODES, code="too_many_codes")
    ttl = timedelta(minutes=policy("SIGNING_CODE_TTL_MINUTES"))
    return onetime_codes.issue(package.codes, scope=str(package.pk), now=now, ttl=ttl)


def send_signing_code(*, case_id) -> str:
    """Issue a code and text it to the borrower (HTTP outside any lock); returns the SMS id."""
    row, code = issue_signing_code(case_id=case_id)
    case = Case.objects.select_related("borrower").get(pk=case_id)
    text = str(_("Finkelisim: your code to sign the documents of %(ref)s is %(code)s")) % {
        "ref": case.reference, "code": code,
    }  # fmt: skip
    return get_adapter("sms").send(phone=case.borrower.phone, text=text,
                                   dedup_key=f"signing-code:{row.pk}")  # fmt: skip


@transaction.atomic
def _consume_code(*, case_id, code: str) -> str | None:
    """Check the code under a lock; count a wrong attempt (committed even though signing then
    fails). Returns None when the code is good, else an error code."""
    case = lock_case(case_id)
    now = business_now()
    package = _signable_package(case, now)
    return onetime_codes.consume(package.codes, code, scope=str(package.pk), now=now,
                                 max_attempts=policy("SIGNING_CODE_MAX_ATTEMPTS"))  # fmt: skip


def sign_with_code(*, case_id, code: str, ip: str | None = None) -> Signature:
    error = _consume_code(case_id=case_id, code=code)
    if error:
        raise ApplicationError(onetime_codes.MESSAGES[error], code=error)
    return _record_signature(case_id=case_id, method=SigningMethod.SMS_CODE, ip=ip)


def sign_with_eds(*, case_id, signature: str, ip: str | None = None) -> Signature:
    """Verify an EDS over the package hash through the identity adapter, then sign."""
    case = Case.objects.select_related("borrower", "package").get(pk=case_id)
    _signable_package(case, business_now())
    result = get_adapter("identity").verify_document_signature(
        iin=case.borrower.iin, signed_payload=case.package.package_hash, signature=signature
    )
    if not result.verified:
        raise ApplicationError(MSG_EDS_INVALID, code="eds_invalid")
    return _record_signature(case_id=case_id, method=SigningMethod.EDS, ip=ip, eds=signature)


@transaction.atomic
def _record_signature(*, case_id, method: str, ip: str | None, eds: str = "") -> Signature:
    case = lock_case(case_id)
    now = business_now()
    package = _signable_package(case, now)  # re-checked under the lock: deadline included
    documents = list(package.documents.order_by("position"))
    signature = Signature.objects.create(
        package=package, method=method, package_hash=package.package_hash,
        document_hashes={d.filename: d.sha256 for d in documents}, signed_at=now,
        ip_address=ip, eds_signature=eds,
        mediator_fee_payer=mediator_fee_payer(now.astimezone(BUSINESS_TZ).date()),
    )  # fmt: skip
    transition(case_id=case.pk, to=CaseStatus.SIGNED, actor=case.borrower.user,
               reason=f"signed by {method}, package {package.package_hash[:12]}",
               reason_code=trail.SIGNED,
               reason_args={"method": str(method),
                            "package": package.package_hash[:12]})  # fmt: skip
    activate_case(case=case, package=package, now=now)
    return signature


def activate_case(*, case: Case, package: DocumentPackage, now) -> None:
    """SIGNED → plan → ACTIVE; tell creditors to suspend collection; queue bureau reports.
    Runs inside the signing transaction, the case row locked."""
    decision = case.decision
    included = list(case.loans.filter(included=True).select_related("creditor", "loan"))
    by_creditor = {}
    for cl in included:
        by_creditor.setdefault(cl.creditor_id, cl.creditor)
    # the shares exactly as the signed documents split the schedule (held loans separately)
    debts, held = plan_shares(package.snapshot["creditors"])
    by_key = {str(pk): creditor for pk, creditor in by_creditor.items()}
    create_plan(case=case, debts=[(by_key[key], amount) for key, amount in debts],
                held=[(by_key[key], cl, amount) for key, cl, amount in held],
                category=case.category, first_due=decision.first_due,
                table_version_id=decision.table_version_id)  # fmt: skip
    transition(case_id=case.pk, to=CaseStatus.ACTIVE, actor_label="system",
               reason="plan created on signing", reason_code=trail.PLAN_CREATED)  # fmt: skip
    for creditor in by_creditor.values():
        contracts = [cl.loan.contract_number for cl in included if cl.creditor_id == creditor.pk]
        notify_creditor(
            creditor=creditor, case=case, template_key="creditor_suspend_collection",
            event="case.signed", context={"contracts": ", ".join(contracts)},
            payload={"contracts": contracts, "signed_at": now.isoformat(),
                     "package_hash": package.package_hash},
        )  # fmt: skip
    for cl in included:
        report, created = BureauReport.objects.get_or_create(case_loan=cl, event="started")
        if created:
            outbox.enqueue(TASK_BUREAU_REPORT, report.pk, dedup_key=f"bureau-report:{report.pk}")
    notify_borrower(case=case, template_key="case_active")


REMINDER_HOURS_BEFORE = (24, 2)


def remind_unsigned_packages() -> int:
    """SPEC §3: remind the borrower 24 h and 2 h before the signing deadline. Each reminder
    has its own dedup key, so a sweep that runs twice (or late) sends it once."""
    now = business_now()
    sent = 0
    for hours in REMINDER_HOURS_BEFORE:
        due = Case.objects.filter(
            status=CaseStatus.DOCUMENTS_ISSUED,
            package__signing_deadline__gt=now,
            package__signing_deadline__lte=now + timedelta(hours=hours),
        ).select_related("borrower", "package")
        for case in due:
            deadline = case.package.signing_deadline
            with transaction.atomic():
                sent += len(notify_borrower(
                    case=case, template_key="signing_reminder", dedup=f"{hours}h",
                    context={"deadline": deadline},
                ))  # fmt: skip
    return sent


def expire_unsigned_packages() -> int:
    """The 72-hour sweep: every DOCUMENTS_ISSUED case whose deadline is at or before now
    becomes REFUSED. Idempotent; a case signed meanwhile is left alone."""
    now = business_now()
    expired = 0
    due = Case.objects.filter(
        status=CaseStatus.DOCUMENTS_ISSUED, package__signing_deadline__lte=now
    ).values_list("pk", flat=True)
    for case_id in list(due):
        try:
            with transaction.atomic():
                case = lock_case(case_id)
                if case.status != CaseStatus.DOCUMENTS_ISSUED:
                    continue
                transition(case_id=case_id, to=CaseStatus.REFUSED, actor_label="signing-sweep",
                           reason="not signed within the signing window",
                           reason_code=trail.NOT_SIGNED)  # fmt: skip
                notify_borrower(case=case, template_key="case_refused")
                expired += 1
        except IllegalTransition:
            continue
    return expired
