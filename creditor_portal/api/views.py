"""The creditor REST API (/api/v1/creditor/...). Authenticated by an organisation's API key
(`Authorization: Api-Key <key>`) or a creditor staff session; everything is scoped to that
organisation and another organisation's ids give 404. Views parse input and call one
service; errors come out in the one error body (finplatform.errors)."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import permissions, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.generics import ListAPIView
from rest_framework.response import Response
from rest_framework.views import APIView

from creditor_portal.api import serializers as s
from creditor_portal.api.auth import ApiPrincipal
from creditors.models import WebhookEndpoint
from creditors.selectors import creditor_for_user
from creditors.webhooks import deactivate_endpoint, register_endpoint
from finplatform import idempotency
from finplatform.errors import ErrorSerializer
from finplatform.uploads import PDF, serve
from resolution.models import CaseStatus, ConfirmationAction, ReadChannel, ReadDocumentKind
from resolution.selectors import creditor as sel
from resolution.selectors.claims import cap_warning
from resolution.services.confirmation import answer_loan
from resolution.services.document_reads import record_document_read

ERRORS = {
    400: OpenApiResponse(ErrorSerializer, description="invalid input"),
    401: OpenApiResponse(ErrorSerializer, description="missing or invalid API key"),
    404: OpenApiResponse(ErrorSerializer, description="not found (or another organisation's)"),
    409: OpenApiResponse(ErrorSerializer, description="conflicts with the case's state"),
}
# a body the parsers cannot read (a malformed multipart, an unknown content type)
BODY_ERRORS = {
    **ERRORS,
    415: OpenApiResponse(ErrorSerializer, description="a body that cannot be read"),
}
IDEMPOTENCY = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
    description="Retry-safe key: a retry with the same key returns the first answer.",
)  # fmt: skip


def api_creditor(request):
    if isinstance(request.user, ApiPrincipal):
        return request.user.creditor
    creditor = creditor_for_user(request.user)
    if creditor is None:
        raise PermissionDenied
    return creditor


def api_actor(request) -> dict:
    """Who acts through the API, for the audit rows (document reads, debt answers): the API
    key the request came with (no user), or the creditor staff member signed in."""
    if isinstance(request.user, ApiPrincipal):
        return {"api_key": request.user.api_key}
    return {"user": request.user}


def record_api_read(request, creditor, *, kind: ReadDocumentKind, document_id, case_id) -> None:
    """The document-read audit row of an API download: the API key (no user) or the creditor
    staff member signed in, for `creditor`, the organisation the view scoped its read to."""
    record_document_read(channel=ReadChannel.CREDITOR_API, kind=kind, document_id=document_id,
                         case_id=case_id, creditor=creditor, **api_actor(request))  # fmt: skip


def choice_param(request, name: str, choices) -> str | None:
    """A query filter limited to its documented values: an unknown one (or a NUL byte, which
    PostgreSQL refuses) is a 400 in the error body, not an empty list or a 500."""
    value = request.query_params.get(name) or None
    if value is not None and value not in choices:
        raise ValidationError(
            {name: [_("Not one of: %(values)s.") % {"values": ", ".join(choices)}]}
        )
    return value


class CreditorApi(permissions.BasePermission):
    def has_permission(self, request, view):
        if isinstance(request.user, ApiPrincipal):
            return True
        return bool(request.user and request.user.is_authenticated
                    and creditor_for_user(request.user) is not None)  # fmt: skip


class Base(APIView):
    permission_classes = [CreditorApi]


@extend_schema(
    tags=["cases"],
    parameters=[
        OpenApiParameter("status", str, enum=CaseStatus.values),
        OpenApiParameter("needs_action", bool),
    ],
    responses={200: s.CaseSerializer(many=True), **ERRORS},
)
class CaseList(ListAPIView):
    permission_classes = [CreditorApi]
    serializer_class = s.CaseSerializer

    def get_queryset(self):
        params = self.request.query_params
        status_ = choice_param(self.request, "status", CaseStatus.values)
        return sel.cases_for_creditor(
            api_creditor(self.request), status=status_,
            needs_action=params.get("needs_action") in {"1", "true", "yes"},
        )  # fmt: skip


class CaseDetail(Base):
    @extend_schema(tags=["cases"], responses={200: s.CaseDetailSerializer, **ERRORS})
    def get(self, request, case_id):
        creditor = api_creditor(request)
        case = sel.case_for_creditor(creditor, case_id)
        loans = sel.case_loans_for_creditor(creditor, case)
        return Response(s.CaseDetailSerializer(case, context={"loans": loans}).data)


@extend_schema(tags=["loans"], responses={200: s.CaseLoanSerializer(many=True), **ERRORS})
class LoanList(ListAPIView):
    permission_classes = [CreditorApi]
    serializer_class = s.CaseLoanSerializer

    def get_queryset(self):
        return sel.case_loans_for_creditor(api_creditor(self.request))


class LoanDetail(Base):
    @extend_schema(tags=["loans"], responses={200: s.CaseLoanSerializer, **ERRORS})
    def get(self, request, case_loan_id):
        loan = sel.case_loan_for_creditor(api_creditor(request), case_loan_id)
        return Response(s.CaseLoanSerializer(loan).data)


def _answer(request, case_loan_id, action, **fields):
    creditor = api_creditor(request)
    sel.case_loan_for_creditor(creditor, case_loan_id)  # 404 before anything else
    confirmation, created = answer_loan(
        creditor=creditor, case_loan_id=case_loan_id, action=action, via="api",
        idempotency_key=idempotency.key_from_header(request, max_length=100),
        **api_actor(request), **fields,
    )  # fmt: skip
    warning = cap_warning(confirmation.case_loan.case)
    warnings = [] if warning is None else [{
        "code": "over_debt_cap", "message": warning.creditor_text(),
        "cap_tiyn": warning.params["cap_tiyn"],
    }]  # fmt: skip
    return Response(
        s.AnswerSerializer(confirmation, context={"warnings": warnings}).data,
        status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
    )


class LoanConfirm(Base):
    @extend_schema(
        tags=["loans"], request=s.OverdueSplitSerializer, parameters=[IDEMPOTENCY],
        responses={201: s.AnswerSerializer, 200: s.AnswerSerializer, **BODY_ERRORS},
        summary="Confirm the bureau's figures (optionally with the overdue split)",
    )  # fmt: skip
    def post(self, request, case_loan_id):
        data = s.OverdueSplitSerializer(data=request.data or {})
        data.is_valid(raise_exception=True)
        return _answer(request, case_loan_id, ConfirmationAction.CONFIRM, **data.validated_data)


class LoanCorrect(Base):
    @extend_schema(
        tags=["loans"], request=s.CorrectionSerializer, parameters=[IDEMPOTENCY],
        responses={201: s.AnswerSerializer, 200: s.AnswerSerializer, **BODY_ERRORS},
        summary="Correct the figures (recorded beside the bureau's)",
    )  # fmt: skip
    def post(self, request, case_loan_id):
        data = s.CorrectionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return _answer(request, case_loan_id, ConfirmationAction.CORRECT, **data.validated_data)


class LoanDispute(Base):
    @extend_schema(
        tags=["loans"], request=s.DisputeSerializer, parameters=[IDEMPOTENCY],
        responses={201: s.AnswerSerializer, 200: s.AnswerSerializer, **BODY_ERRORS},
        summary="Dispute the loan, with a reason",
    )  # fmt: skip
    def post(self, request, case_loan_id):
        data = s.DisputeSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        return _answer(
            request, case_loan_id, ConfirmationAction.DISPUTE,
            comment=data.validated_data["reason"],
        )  # fmt: skip


@extend_schema(
    tags=["cases"], responses={200: s.PartAllocationSerializer(many=True), **ERRORS},
    summary="How each of your parts of the case's payments was allocated",
)  # fmt: skip
class AllocationList(ListAPIView):
    """Filled shortly after each payment is booked (a periodic job): a part booked in the last
    minutes may not be listed yet."""

    permission_classes = [CreditorApi]
    serializer_class = s.PartAllocationSerializer

    def get_queryset(self):
        creditor = api_creditor(self.request)
        case = sel.case_for_creditor(creditor, self.kwargs["case_id"])
        return sel.allocations_for_creditor(creditor, case)


class DocumentList(Base):
    @extend_schema(tags=["documents"], responses={200: s.DocumentSerializer(many=True), **ERRORS})
    def get(self, request, case_id):
        creditor = api_creditor(request)
        case = sel.case_for_creditor(creditor, case_id)
        docs = sel.signed_documents_for_creditor(creditor, case)
        return Response(s.DocumentSerializer(docs, many=True).data)


class DocumentDownload(Base):
    @extend_schema(
        tags=["documents"], summary="Download a signed document (PDF)",
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description=(
                "the PDF as an attachment (X-Content-Type-Options: nosniff, sandboxed, "
                "Cache-Control: no-store); X-Content-SHA256 is its hash")),
            **ERRORS,
        },
    )  # fmt: skip
    def get(self, request, case_id, document_id):
        creditor = api_creditor(request)
        doc = sel.signed_document_for_creditor(creditor, case_id, document_id)
        record_api_read(request, creditor, kind=ReadDocumentKind.CASE_DOCUMENT,
                        document_id=doc.pk, case_id=case_id)  # fmt: skip
        doc = type(doc).objects.get(pk=doc.pk)  # with its content
        response = serve(doc.content, name=doc.filename, content_type=PDF)
        response["X-Content-SHA256"] = doc.sha256
        return response


class WebhookList(Base):
    @extend_schema(tags=["webhooks"],
                   responses={200: s.WebhookEndpointSerializer(many=True), **ERRORS})  # fmt: skip
    def get(self, request):
        rows = WebhookEndpoint.objects.filter(creditor=api_creditor(request), active=True)
        return Response(s.WebhookEndpointSerializer(rows, many=True).data)

    @extend_schema(
        tags=["webhooks"], request=s.WebhookEndpointSerializer,
        responses={201: s.WebhookEndpointCreatedSerializer, **BODY_ERRORS},
        summary="Register an endpoint; the signing secret is returned once",
    )  # fmt: skip
    def post(self, request):
        data = s.WebhookEndpointSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        endpoint = register_endpoint(creditor=api_creditor(request), url=data.validated_data["url"])
        return Response(
            s.WebhookEndpointCreatedSerializer(endpoint).data, status=status.HTTP_201_CREATED
        )


def _endpoint(request, endpoint_id) -> WebhookEndpoint:
    return get_object_or_404(
        WebhookEndpoint.objects.filter(creditor=api_creditor(request)), pk=endpoint_id
    )


class WebhookDetail(Base):
    @extend_schema(tags=["webhooks"], responses={204: None, **ERRORS})
    def delete(self, request, endpoint_id):
        deactivate_endpoint(endpoint=_endpoint(request, endpoint_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookDeliveries(Base):
    @extend_schema(
        tags=["webhooks"], responses={200: s.WebhookDeliverySerializer(many=True), **ERRORS}
    )
    def get(self, request, endpoint_id):
        endpoint = _endpoint(request, endpoint_id)
        return Response(
            s.WebhookDeliverySerializer(endpoint.deliveries.all()[:200], many=True).data
        )
