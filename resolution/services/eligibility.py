"""The application and its eligibility check (SPEC §2 steps 2–3).

`submit_application` opens a case and writes the check to the outbox in the same
transaction. The check runs in three steps so that no HTTP call happens under a row lock and
nothing is half-written:

1. `begin_eligibility_check` — under the case lock: SUBMITTED → CHECKING, one
   EligibilityCheck row per case, attempt counted. A case already past CHECKING is left alone
   (running the task twice gives one result).
2. fetch the credit report (and, when declared, the social status) over HTTP, no lock held;
   an account identified before identification set the legal name gets it from the state
   register here, so no document is ever made under a typed name.
3. `record_eligibility_result` — one transaction under the case lock: mirror the loans,
   write CaseLoans, rule outcomes, verified social status, the check result and the
   transition. Any error rolls all of it back. An eligible case gets its loan lists sent to
   the creditors: `resolution.send_loan_lists` is written to the outbox in the same
   transaction (so it runs once, after COMMIT).
"""

from __future__ import annotations

from datetime import timedelta

from django.db import DatabaseError, IntegrityError, models, transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from borrowers.models import Borrower
from borrowers.services import record_social_status, refresh_legal_name
from bureau_gateway.adapters import get_adapter
from bureau_gateway.interfaces import (
    AdapterError,
    CreditReport,
    MalformedResponse,
    ServiceUnavailable,
    SocialStatusAnswer,
    SubjectUnknown,
)
from creditors.services import mirror_bureau_loan
from finplatform.clock import business_now
from finplatform.errors import ApplicationError
from finplatform.locks import lock_row, lock_rows
from outbox import services as outbox
from resolution import rules, trail
from resolution.models import (
    Case,
    CaseLoan,
    CaseStatus,
    CheckState,
    EligibilityCheck,
    RuleOutcome,
)
from resolution.selectors.borrower import borrower_has_signed_procedure, current_policy
from resolution.services import burden
from resolution.services.consents import accept_for_application
from resolution.workflow import lock_case, transition

MSG_NOT_IDENTIFIED = _("Please pass identification before applying.")
MSG_CONSENT_REQUIRED = _("The application needs your consent to collect and check your data.")
MSG_ALREADY_APPLIED = _(
    "You already have an application in progress or a signed procedure; a new application "
    "is not possible."
)
MSG_INCOME_NEGATIVE = _("The income cannot be negative.")
MSG_MALFORMED = _(
    "The credit bureau's answer could not be read. Nothing was recorded; our staff will "
    "look into it."
)
MSG_GAVE_UP = _("The credit bureau did not answer after several attempts; our staff will retry.")

ACTOR_CHECK = "task:eligibility_check"
TASK_CHECK = "resolution.tasks.run_eligibility_check"
TASK_LOAN_LISTS = "resolution.send_loan_lists"
# A check untouched this long is stalled (well past the task's time limit and first retries).
STALLED_AFTER = timedelta(minutes=15)


@transaction.atomic
def submit_application(
    *,
    borrower: Borrower,
    consent: bool,
    declared_vulnerable: bool,
    declared_monthly_income_tiyn: int | None,
    actor,
    notifications_consent: bool = False,
) -> Case:
    """Open the borrower's one application (DRAFT → SUBMITTED) and enqueue the eligibility
    check through the outbox; records the consents at their current versions (processing,
    the bureau request, notifications if ticked). Refuses an unidentified borrower, a
    missing consent, and a borrower with an application in progress or a signed procedure
    (ApplicationError)."""
    if not borrower.is_identified:
        raise ApplicationError(MSG_NOT_IDENTIFIED, code="not_identified")
    if not consent:
        raise ApplicationError(MSG_CONSENT_REQUIRED, code="consent_required")
    if declared_monthly_income_tiyn is not None and declared_monthly_income_tiyn < 0:
        raise ApplicationError(MSG_INCOME_NEGATIVE, code="income_negative")
    now = business_now()
    try:
        with transaction.atomic():
            case = Case.objects.create(
                borrower=borrower,
                data_consent_at=now,
                declared_vulnerable=declared_vulnerable,
                declared_monthly_income_tiyn=declared_monthly_income_tiyn,
            )
    except IntegrityError as exc:
        if "case_one_open_or_signed_per_borrower" in str(exc):
            raise ApplicationError(MSG_ALREADY_APPLIED, code="application_exists") from None
        raise
    accept_for_application(borrower=borrower, notifications=notifications_consent, at=now)
    case = transition(
        case_id=case.pk,
        to=CaseStatus.SUBMITTED,
        actor=actor,
        submitted_at=now,
        reason="application submitted",
        reason_code=trail.SUBMITTED,
    )
    outbox.enqueue(TASK_CHECK, str(case.pk), dedup_key=f"eligibility:{case.pk}")
    return case


@transaction.atomic
def begin_eligibility_check(*, case_id) -> EligibilityCheck | None:
    """Step 1. Returns the check to work on, or None when the case is past the check."""
    case = lock_case(case_id)
    if case.status == CaseStatus.SUBMITTED:
        case = transition(
            case_id=case_id,
            to=CaseStatus.CHECKING,
            actor_label=ACTOR_CHECK,
            reason="eligibility check started",
            reason_code=trail.CHECK_STARTED,
        )
    if case.status != CaseStatus.CHECKING:
        return None
    check = lock_rows(EligibilityCheck.objects.filter(case=case)).first()
    if check is None:  # created under the case lock: one check per case
        check = EligibilityCheck.objects.create(case=case, started_at=business_now())
    if check.state == CheckState.DONE:
        return None
    check.attempts += 1
    if check.state == CheckState.ERROR:  # an operator re-ran a failed check
        check.state, check.error_code, check.last_error = CheckState.RUNNING, "", ""
    check.save(update_fields=["attempts", "state", "error_code", "last_error"])
    return check


def _set_check_state(check_id, *, state: str, code: str, error: str) -> None:
    EligibilityCheck.objects.filter(pk=check_id).exclude(state=CheckState.DONE).update(
        state=state, error_code=code, last_error=error[:2000], updated_at=business_now()
    )


def run_eligibility_check(*, case_id, final_attempt: bool = False) -> EligibilityCheck | None:
    """The whole check for one case (what the Celery task runs). Idempotent.

    Raises ServiceUnavailable (bureau or government data down) so the task retries; before
    that the check shows "unavailable, we will retry". On the final attempt it records the
    failure instead. A malformed answer is recorded as an error and nothing else is written.
    """
    check = begin_eligibility_check(case_id=case_id)
    if check is None:
        return EligibilityCheck.objects.filter(case_id=case_id).first()
    case = Case.objects.select_related("borrower").get(pk=case_id)
    try:
        report = _fetch_report(case.borrower.iin)
        social = _fetch_social_status(case.borrower.iin) if case.declared_vulnerable else None
        if case.borrower.full_name_verified_at is None:
            refresh_legal_name(borrower=case.borrower)
    except ServiceUnavailable as exc:
        if final_attempt:
            _set_check_state(
                check.pk, state=CheckState.ERROR, code="unavailable", error=f"{MSG_GAVE_UP} {exc}"
            )
            return EligibilityCheck.objects.get(pk=check.pk)
        _set_check_state(
            check.pk, state=CheckState.SERVICE_UNAVAILABLE, code="unavailable", error=str(exc)
        )
        raise
    except AdapterError as exc:  # MalformedResponse and anything else off-contract
        _set_check_state(
            check.pk,
            state=CheckState.ERROR,
            code="malformed_response",
            error=f"{type(exc).__name__}: {exc}",
        )
        return EligibilityCheck.objects.get(pk=check.pk)
    income = burden.fetch_official_income(case.borrower.iin, report, social)
    try:
        return record_eligibility_result(
            case_id=case_id, report=report, social=social, income=income
        )
    except (DatabaseError, MalformedResponse, ValueError) as exc:
        # The answer parsed but broke a database rule: nothing of it was kept.
        _set_check_state(
            check.pk,
            state=CheckState.ERROR,
            code="rejected_report",
            error=f"{type(exc).__name__}: {exc}",
        )
        return EligibilityCheck.objects.get(pk=check.pk)


def _fetch_report(iin: str) -> CreditReport:
    try:
        return get_adapter("bureau").fetch_report(iin)
    except SubjectUnknown:
        # No credit history at all: the rules then say plainly that nothing can be included.
        return CreditReport(iin=iin, report_id="", generated_at=business_now(), loans=())


def _fetch_social_status(iin: str) -> SocialStatusAnswer | None:
    try:
        return get_adapter("government").social_status(iin)
    except SubjectUnknown:
        return None


@transaction.atomic
def record_eligibility_result(
    *,
    case_id,
    report: CreditReport,
    social: SocialStatusAnswer | None,
    income: burden.IncomeFetch | None = None,
) -> EligibilityCheck | None:
    """Step 3: write the whole result in one transaction, under the case lock."""
    case = lock_case(case_id)
    check = lock_row(EligibilityCheck, case=case)
    if case.status != CaseStatus.CHECKING or check.state == CheckState.DONE:
        return check  # another run got here first
    policy = current_policy()
    result = rules.evaluate(
        report,
        policy.terms(),
        signed_before_in_db=borrower_has_signed_procedure(case.borrower, exclude_case_id=case.pk),
    )
    for decision in result.decisions:
        loan = mirror_bureau_loan(borrower_iin=case.borrower.iin, loan=decision.loan)
        with translation.override("en"):  # stored as the msgid; shown translated
            reason = str(decision.exclusion_reason) if decision.exclusion_reason else ""
        CaseLoan.objects.create(
            case=case,
            loan=loan,
            creditor=loan.creditor,
            included=decision.included,
            exclusion_reason=reason,
            bureau_principal_tiyn=decision.loan.principal_tiyn,
            bureau_interest_tiyn=decision.loan.interest_tiyn,
            bureau_penalty_tiyn=decision.loan.penalty_tiyn,
            bureau_total_tiyn=decision.loan.total_tiyn,
            bureau_interest_after_90_tiyn=decision.loan.interest_after_day_90_tiyn,
            bureau_penalty_after_90_tiyn=decision.loan.penalty_after_day_90_tiyn,
            bureau_penalty_charges=[
                {
                    "due_on": c.due_on.isoformat(),
                    "amount_tiyn": c.amount_tiyn,
                    "paid_on": c.paid_on.isoformat() if c.paid_on else None,
                }
                for c in decision.loan.penalty_charges
            ],  # fmt: skip
            **burden.loan_fields(decision.loan),
        )
    with translation.override("en"):
        RuleOutcome.objects.bulk_create(
            RuleOutcome(
                eligibility_check=check,
                position=index,
                rule=rule.rule,
                passed=rule.passed,
                params=rule.params,
                data=rule.data,
                reason_text=rule.reason,
            )
            for index, rule in enumerate(result.rules, start=1)
        )
    burden.record_evidence(case=case, report=report, income=income)
    if case.declared_vulnerable:
        record_social_status(borrower=case.borrower, answer=social)
    category = rules.category_for(declared_vulnerable=case.declared_vulnerable, status=social)
    check.state = CheckState.DONE
    check.error_code = check.last_error = ""
    check.policy = policy
    check.bureau_report_id = report.report_id
    check.bureau_report_at = report.generated_at
    check.eligible = result.eligible
    check.total_tiyn = result.total_tiyn
    check.social_status_confirmed = (
        category == rules.VULNERABLE if case.declared_vulnerable else None
    )
    check.finished_at = business_now()
    check.save()
    target = CaseStatus.AWAITING_CREDITORS if result.eligible else CaseStatus.INELIGIBLE
    failed = ", ".join(rule.rule for rule in result.failed_rules)
    transition(
        case_id=case.pk,
        to=target,
        actor_label=ACTOR_CHECK,
        reason="all eligibility rules passed" if result.eligible else f"failed: {failed}",
        reason_code=trail.ELIGIBLE if result.eligible else trail.INELIGIBLE,
        reason_args={} if result.eligible else {"rules": [r.rule for r in result.failed_rules]},
        total_debt_tiyn=result.total_tiyn,
        ombudsman=result.ombudsman,
        category=category,
    )
    if result.eligible:  # the creditors get their loan lists once, after COMMIT
        outbox.enqueue(TASK_LOAN_LISTS, str(case.pk), dedup_key=f"loan-lists:{case.pk}")
    return check


@transaction.atomic
def resume_stalled_checks(*, stalled_after: timedelta = STALLED_AFTER) -> list[str]:
    """The sweep behind the beat entry: re-enqueue checks that nothing is working on any more
    — an application whose enqueue was lost (broker down at submit), a check still
    "running" long after its time limit (worker lost), and a check that gave up on an
    unavailable bureau. A malformed report is left for a person. Safe to run twice: the task
    itself is idempotent."""
    cutoff = business_now() - stalled_after
    Q = models.Q
    stalled = Case.objects.filter(
        Q(status=CaseStatus.SUBMITTED, submitted_at__lt=cutoff)
        | Q(
            Q(eligibility_check__state=CheckState.RUNNING)
            | Q(
                eligibility_check__state=CheckState.ERROR,
                eligibility_check__error_code="unavailable",
            ),
            status=CaseStatus.CHECKING,
            eligibility_check__updated_at__lt=cutoff,
        )
    )
    case_ids = sorted(str(pk) for pk in stalled.values_list("pk", flat=True))
    for case_id in case_ids:
        outbox.enqueue(TASK_CHECK, case_id)
    return case_ids


MSG_RETRY_STARTED = _("We are checking again. This page updates by itself.")
MSG_RETRY_NOT_NOW = _("The check is already running; please wait a minute before retrying.")
# A borrower may re-run a check that failed, or one that shows no progress for this long.
RETRY_QUIET_AFTER = timedelta(minutes=2)


def can_retry(check: EligibilityCheck | None, *, now=None) -> bool:
    """Whether the borrower may re-run the check now: it failed, or the bureau was
    unavailable / the run went quiet for RETRY_QUIET_AFTER (so a click cannot flood it)."""
    if check is None or check.state == CheckState.DONE:
        return False
    if check.state == CheckState.ERROR:
        return True
    quiet_since = check.updated_at or check.started_at
    return quiet_since is None or quiet_since < (now or business_now()) - RETRY_QUIET_AFTER


@transaction.atomic
def retry_eligibility_check(*, case: Case) -> bool:
    """The borrower's "check again": marks the check running and enqueues one run. Idempotent
    (a second click finds it running and does nothing) and throttled by can_retry. Safe: a
    failed run recorded nothing, and the run itself is idempotent. Returns whether a run was
    enqueued."""
    case = lock_case(case.pk)
    check = lock_rows(EligibilityCheck.objects.filter(case=case)).first()
    if case.status != CaseStatus.CHECKING or not can_retry(check):
        return False
    _set_check_state(check.pk, state=CheckState.RUNNING, code="", error="")
    key = f"eligibility-retry:{case.pk}:{check.attempts}"
    outbox.enqueue(TASK_CHECK, str(case.pk), dedup_key=key)
    return True
