"""The document a plan was ended on (death certificate, court ruling, fraud finding) in the
creditor REST API: to the organisations with a share in that plan, as an attachment."""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema

from creditor_portal.api.views import ERRORS, Base, api_creditor, record_api_read
from finplatform.uploads import PDF, serve
from resolution.models import ReadDocumentKind
from resolution.selectors.changes import termination_document_for_creditor


class TerminationDocument(Base):
    @extend_schema(
        tags=["cases"],
        summary="Download the document the plan was ended on (PDF; creditors of the plan)",
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description=(
                "the PDF as an attachment (X-Content-Type-Options: nosniff, sandboxed)")),
            401: ERRORS[401],
            404: OpenApiResponse(ERRORS[404].response, description=(
                "no approved termination of this case's plan, or a case where the "
                "organisation has no share")),
        },
    )  # fmt: skip
    def get(self, request, case_id):
        creditor = api_creditor(request)
        termination = termination_document_for_creditor(creditor, case_id)
        record_api_read(request, creditor, kind=ReadDocumentKind.TERMINATION,
                        document_id=termination.pk, case_id=case_id)  # fmt: skip
        return serve(termination.document, name=termination.document_name, content_type=PDF)
