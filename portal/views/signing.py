"""The borrower's documents and signing pages. Every lookup goes through the borrower's own
cases: another borrower's case or document id gives 404."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from bureau_gateway.interfaces import AdapterError
from finplatform.clock import business_now
from finplatform.errors import ApplicationError
from finplatform.permissions import borrower_required
from finplatform.signin import client_ip
from finplatform.uploads import PDF, serve
from portal.document_summary import summaries
from portal.forms import CodeForm, EdsForm
from portal.views.reads import record_portal_read
from resolution.models import ReadDocumentKind
from resolution.selectors import borrower as sel
from resolution.services.signing import send_signing_code, sign_with_code, sign_with_eds


def _ip(request) -> str | None:
    return client_ip(request) or None


def _time_left(package) -> str:
    """H:MM:SS until the signing deadline, as the live countdown shows it without script."""
    if package is None or package.signing_deadline is None:
        return ""
    left = max(0, int((package.signing_deadline - business_now()).total_seconds()))
    return f"{left // 3600}:{left % 3600 // 60:02d}:{left % 60:02d}"


def _page(request, case, code_form=None, eds_form=None, status=200):
    package = getattr(case, "package", None)
    issued = package if package and package.issued_at else None
    documents = sel.documents_for_borrower(request.user.borrower, case)
    return render(
        request,
        "portal/case_documents.html",
        {
            "case": case,
            "package": issued,
            "documents": summaries(issued.snapshot, documents) if issued else [],
            "code_form": code_form or CodeForm(),
            "eds_form": eds_form or EdsForm(),
            "time_left_hms": _time_left(package),
            "code_requested": package is not None and package.codes.exists(),
            "signed_states": sel.SIGNED_STATES,
        },
        status=status,
    )


@borrower_required
def case_documents(request, case_id):
    return _page(request, sel.case_for_borrower(request.user.borrower, case_id))


def _pdf(request, document_id, *, inline: bool) -> HttpResponse:
    doc = sel.document_for_borrower(request.user.borrower, document_id)
    doc = type(doc).objects.select_related("package").get(pk=doc.pk)
    record_portal_read(request, ReadDocumentKind.CASE_DOCUMENT, doc.pk, doc.package.case_id)
    return serve(doc.content, name=doc.filename, content_type=PDF, inline=inline)


@borrower_required
@xframe_options_sameorigin
def document_preview(request, document_id):
    return _pdf(request, document_id, inline=True)


@borrower_required
def document_download(request, document_id):
    return _pdf(request, document_id, inline=False)


@require_POST
@borrower_required
def request_code(request, case_id):
    case = sel.case_for_borrower(request.user.borrower, case_id)
    try:
        send_signing_code(case_id=case.pk)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    except AdapterError:
        messages.error(request, _("We could not send the SMS. Try again in a minute."))
    else:
        messages.success(request, _("We sent a code to your phone."))
    return redirect("resolution_portal:documents", case.pk)


@require_POST
@borrower_required
def sign(request, case_id):
    case = sel.case_for_borrower(request.user.borrower, case_id)
    form = CodeForm(request.POST)
    if not form.is_valid():
        return _page(request, case, code_form=form, status=400)
    try:
        sign_with_code(case_id=case.pk, code=form.cleaned_data["code"], ip=_ip(request))
    except ApplicationError as exc:
        form.add_error("code", exc.message)
        return _page(request, case, code_form=form, status=400)
    messages.success(request, _("You signed the documents. Your repayment schedule is active."))
    return redirect("resolution_portal:documents", case.pk)


@require_POST
@borrower_required
def sign_eds(request, case_id):
    case = sel.case_for_borrower(request.user.borrower, case_id)
    form = EdsForm(request.POST)
    if not form.is_valid():
        return _page(request, case, eds_form=form, status=400)
    try:
        sign_with_eds(case_id=case.pk, signature=form.cleaned_data["signature"], ip=_ip(request))
    except ApplicationError as exc:
        form.add_error("signature", exc.message)
        return _page(request, case, eds_form=form, status=400)
    except AdapterError:
        form.add_error("signature", _("The identity service is unavailable. Try again."))
        return _page(request, case, eds_form=form, status=503)
    messages.success(request, _("You signed the documents. Your repayment schedule is active."))
    return redirect("resolution_portal:documents", case.pk)
