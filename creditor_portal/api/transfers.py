"""Claim transfers in the creditor REST API: the claims the organisation sold or bought, and
recording a sale (multipart, with the assignment agreement) for the ombudsman to approve."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response

from creditor_portal.api import serializers as s
from creditor_portal.api.auth import ApiPrincipal
from creditor_portal.api.views import ERRORS, Base, api_creditor, record_api_read
from finplatform.errors import ErrorSerializer
from finplatform.uploads import PDF, serve
from resolution.models import ReadDocumentKind
from resolution.selectors import changes as reads
from resolution.services.transfers import record_transfer
from schedules.models import RecordedVia


class TransferList(Base):
    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(tags=["transfers"],
                   responses={200: s.ClaimTransferSerializer(many=True), **ERRORS})  # fmt: skip
    def get(self, request):
        creditor = api_creditor(request)
        rows = reads.transfers_for_creditor(creditor)[:500]
        return Response(s.ClaimTransferSerializer(rows, many=True,
                                                  context={"creditor": creditor}).data)  # fmt: skip

    @extend_schema(
        tags=["transfers"], request={"multipart/form-data": s.ClaimTransferCreateSerializer},
        responses={
            201: s.ClaimTransferSerializer, **ERRORS,
            415: OpenApiResponse(ErrorSerializer, description="not a well-formed multipart body"),
        },
        summary="Record that a loan was sold to another registered creditor (the ombudsman "
        "approves it; until then nothing changes)",
    )  # fmt: skip
    def post(self, request):
        creditor = api_creditor(request)
        data = s.ClaimTransferCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        v = data.validated_data
        user = None if isinstance(request.user, ApiPrincipal) else request.user
        transfer = record_transfer(
            case_loan_id=v["case_loan"], buyer_bin=v["buyer_bin"],
            effective_on=v["effective_on"], document=v["document"], via=RecordedVia.API,
            seller=creditor, user=user,
        )  # fmt: skip
        transfer = reads.transfer_for_creditor(creditor, transfer.pk)
        return Response(
            s.ClaimTransferSerializer(transfer, context={"creditor": creditor}).data,
            status=status.HTTP_201_CREATED,
        )


class TransferDetail(Base):
    @extend_schema(tags=["transfers"], responses={200: s.ClaimTransferSerializer, **ERRORS})
    def get(self, request, transfer_id):
        creditor = api_creditor(request)
        transfer = reads.transfer_for_creditor(creditor, transfer_id)
        return Response(s.ClaimTransferSerializer(transfer, context={"creditor": creditor}).data)


class TransferDocument(Base):
    @extend_schema(
        tags=["transfers"], summary="Download the assignment agreement (PDF; seller and buyer)",
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description=(
                "the PDF as an attachment (X-Content-Type-Options: nosniff)")),
            **ERRORS,
        },
    )  # fmt: skip
    def get(self, request, transfer_id):
        creditor = api_creditor(request)
        transfer = reads.transfer_for_creditor(creditor, transfer_id)
        record_api_read(request, creditor, kind=ReadDocumentKind.ASSIGNMENT,
                        document_id=transfer.pk, case_id=transfer.plan.case_id)  # fmt: skip
        return serve(transfer.document, name=transfer.document_name, content_type=PDF)
