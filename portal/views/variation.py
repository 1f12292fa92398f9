"""The borrower's change of the plan (variation): ask with a reason and income evidence, follow
the proposal (before/after), download and sign the variation agreement, read every schedule
version. Scoped to the borrower's own cases and variations (another's id gives 404)."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from bureau_gateway.interfaces import AdapterError
from finplatform.errors import ApplicationError
from finplatform.idempotency import KeyReused
from finplatform.permissions import borrower_required
from finplatform.signin import client_ip
from finplatform.uploads import PDF, serve
from portal.forms import CodeForm, EdsForm, VariationRequestForm
from portal.views.reads import record_portal_read
from resolution.models import OPEN_STATUSES_OF_VARIATION as OPEN
from resolution.models import ReadDocumentKind
from resolution.selectors import borrower as case_sel
from resolution.selectors import variations as sel
from resolution.services import variation_signing as signing
from resolution.services.variations import request_variation

MSG_FORM_SENT = _("This form was sent already. Open the page again to ask for another change.")


def _changes_page(request, case, form=None, status=200):
    borrower = request.user.borrower
    variations = list(sel.variations_for_borrower(borrower).filter(case=case))
    form = form or VariationRequestForm(initial={"request_key": uuid.uuid4()})
    return render(request, "portal/variations.html", {
        "case": case, "variations": variations, "form": form,
        "can_ask": case.status == "active" and not any(v.status in OPEN for v in variations),
        "versions": sel.schedule_versions(case),
    }, status=status)  # fmt: skip


@borrower_required
def changes(request, case_id):
    case = case_sel.case_for_borrower(request.user.borrower, case_id)
    if request.method != "POST":
        return _changes_page(request, case)
    form = VariationRequestForm(request.POST, request.FILES)
    if not form.is_valid():
        return _changes_page(request, case, form, status=400)
    data, upload = form.cleaned_data, form.cleaned_data["evidence"]
    try:
        variation = request_variation(
            case=case, kind=data["kind"], reason=data["reason"],
            monthly_income_tiyn=data["monthly_income"], evidence=upload,
            holiday_months=data["holiday_months"] or 0,
            proposed_monthly_tiyn=data["proposed_monthly"], catch_up_months=data["catch_up_months"],
            request_key=str(data["request_key"]) if data["request_key"] else None,
        )  # fmt: skip
    except KeyReused:
        form.add_error(None, MSG_FORM_SENT)
        return _changes_page(request, case, form, status=400)
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return _changes_page(request, case, form, status=400)
    messages.success(request, _("Your request was sent to the ombudsman."))
    return redirect("resolution_portal:variation", variation.pk)


def _detail_page(request, variation, code_form=None, eds_form=None, status=200):
    return render(request, "portal/variation_detail.html", {
        "variation": variation, "proposal": variation.proposal or {},
        "code_form": code_form or CodeForm(), "eds_form": eds_form or EdsForm(),
        "code_requested": variation.codes.exists(),
    }, status=status)  # fmt: skip


@borrower_required
def detail(request, variation_id):
    return _detail_page(request, sel.variation_for_borrower(request.user.borrower, variation_id))


@borrower_required
def agreement(request, variation_id):
    variation = sel.variation_for_borrower(request.user.borrower, variation_id)
    if not variation.document:
        return HttpResponse(status=404)
    record_portal_read(
        request, ReadDocumentKind.VARIATION_AGREEMENT, variation.pk, variation.case_id
    )
    return serve(variation.document, name=f"{variation.case.reference}-variation.pdf",
                 content_type=PDF)  # fmt: skip


@borrower_required
def evidence(request, variation_id):
    """The income evidence the borrower uploaded, to that borrower only (anyone else: 404)."""
    variation = sel.variation_for_borrower(request.user.borrower, variation_id)
    record_portal_read(
        request, ReadDocumentKind.VARIATION_EVIDENCE, variation.pk, variation.case_id
    )
    return serve(variation.evidence, name=variation.evidence_name,
                 content_type=variation.evidence_type)  # fmt: skip


@require_POST
@borrower_required
def request_code(request, variation_id):
    variation = sel.variation_for_borrower(request.user.borrower, variation_id)
    try:
        signing.send_code(variation_id=variation.pk)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    except AdapterError:
        messages.error(request, _("We could not send the SMS. Try again in a minute."))
    else:
        messages.success(request, _("We sent a code to your phone."))
    return redirect("resolution_portal:variation", variation.pk)


@require_POST
@borrower_required
def sign(request, variation_id):
    variation = sel.variation_for_borrower(request.user.borrower, variation_id)
    eds = "signature" in request.POST
    form = EdsForm(request.POST) if eds else CodeForm(request.POST)
    forms_ = {"eds_form": form} if eds else {"code_form": form}
    if not form.is_valid():
        return _detail_page(request, variation, status=400, **forms_)
    ip = client_ip(request) or None
    try:
        if eds:
            signing.sign_with_eds(variation_id=variation.pk, ip=ip,
                                  signature=form.cleaned_data["signature"])  # fmt: skip
        else:
            signing.sign_with_code(variation_id=variation.pk, code=form.cleaned_data["code"], ip=ip)
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return _detail_page(request, variation, status=400, **forms_)
    except AdapterError:
        form.add_error(None, _("The identity service is unavailable. Try again."))
        return _detail_page(request, variation, status=503, **forms_)
    messages.success(request, _("You signed the variation. The new schedule is in force."))
    return redirect("resolution_portal:variation", variation.pk)
