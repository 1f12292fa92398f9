"""The borrower's application: apply, the case page with the eligibility result, and its
status as JSON for the page's polling."""

from django.conf import settings
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from borrowers.models import ConsentPurpose
from finplatform.errors import ApplicationError
from finplatform.permissions import borrower_required
from finplatform.uploads import PDF, serve
from portal.forms import ApplicationForm
from portal.views.consents import offered_texts
from portal.views.reads import record_portal_read
from resolution.models import CaseStatus, ReadDocumentKind
from resolution.selectors import borrower as selectors
from resolution.selectors.plans import refund_owed_tiyn
from resolution.selectors.timeline import BORROWER, case_timeline
from resolution.services import eligibility as services

EGOV_BANKRUPTCY_URL = "https://egov.kz/cms/ru/services/economics/pass_P1_mf"
MSG_SUBMITTED = _("Your application is submitted. We are checking your credit report.")
ENDED = (CaseStatus.COMPLETED, CaseStatus.BREACHED)


@borrower_required
def apply_view(request):
    borrower = request.user.borrower
    if not borrower.is_identified:
        messages.info(request, services.MSG_NOT_IDENTIFIED)
        return redirect("borrowers:identify")
    form = ApplicationForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        income = form.cleaned_data["declared_monthly_income"]
        try:
            case = services.submit_application(
                borrower=borrower,
                consent=form.cleaned_data["consent"],
                declared_vulnerable=form.cleaned_data["declared_vulnerable"],
                declared_monthly_income_tiyn=income,
                actor=request.user,
                notifications_consent=form.cleaned_data["notifications_consent"],
            )
        except ApplicationError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, MSG_SUBMITTED)
            return redirect("resolution:case", reference=case.reference)
    return render(
        request,
        "portal/apply.html",
        {
            "form": form,
            "open_case": selectors.open_case_for_borrower(borrower),
            "consent_texts": offered_texts(*ConsentPurpose.values),
        },
    )


def _status_payload(case) -> dict:
    check = getattr(case, "eligibility_check", None)
    return {
        "reference": case.reference,
        "status": case.status,
        "status_display": str(case.get_status_display()),
        "checking": selectors.still_checking(case),
        "check_state": check.state if check else None,
        "check_state_display": str(check.get_state_display()) if check else None,
        "eligible": check.eligible if check else None,
    }


@borrower_required
def case_detail(request, reference: str):
    case = selectors.case_for_borrower_by_reference(request.user.borrower, reference)
    check = getattr(case, "eligibility_check", None)
    checking = selectors.still_checking(case)  # the poller or the outcomes, never both
    loans = list(selectors.case_loans(case))
    flags = selectors.fraud_flags(case)
    for loan in loans:
        loan.exclusion_text = gettext_now(loan.exclusion_reason) if loan.exclusion_reason else ""
        loan.fraud = flags.get(loan.pk)
    return render(
        request,
        "portal/case_detail.html",
        {
            "case": case,
            "check": check,
            "checking": checking,
            "can_retry": case.status == CaseStatus.CHECKING and services.can_retry(check),
            "poll_stop_ms": settings.PORTAL_POLL_STOP_SECONDS * 1000,
            "retry_backoff_minutes": max(1, round(settings.ELIGIBILITY_RETRY_BACKOFF_SECONDS / 60)),
            "outcomes": () if checking else selectors.rule_outcomes(case),
            "included": [loan for loan in loans if loan.included],
            "answered": sum(
                1 for loan in loans if loan.included and loan.confirmation_status != "pending"
            ),
            "excluded": [loan for loan in loans if not loan.included],
            "egov_url": EGOV_BANKRUPTCY_URL,
            "can_flag_fraud": selectors.can_flag_fraud(case),
            "ending_documents": selectors.ending_documents_for_borrower(request.user.borrower,
                                                                        case),
            "refund_tiyn": refund_owed_tiyn(case) if case.status in ENDED else 0,
            "timeline": case_timeline(case, audience=BORROWER),
        },
    )  # fmt: skip


@require_POST
@borrower_required
def case_retry(request, reference: str):
    """The borrower's "check again" for a failed or stalled eligibility check."""
    case = selectors.case_for_borrower_by_reference(request.user.borrower, reference)
    if services.retry_eligibility_check(case=case):
        messages.success(request, services.MSG_RETRY_STARTED)
    else:
        messages.info(request, services.MSG_RETRY_NOT_NOW)
    return redirect("resolution:case", reference=case.reference)


@borrower_required
def ending_document_download(request, document_id):
    """The borrower's own breach statement or completion certificate (PDF)."""
    doc = selectors.ending_document_for_borrower(request.user.borrower, document_id)
    doc = type(doc).objects.select_related("ending").get(pk=doc.pk)
    record_portal_read(request, ReadDocumentKind.ENDING_DOCUMENT, doc.pk, doc.ending.case_id)
    return serve(doc.content, name=doc.filename, content_type=PDF)


@require_GET
@borrower_required
def case_status(request, reference: str):
    case = selectors.case_for_borrower_by_reference(request.user.borrower, reference)
    return JsonResponse(_status_payload(case))
