"""The borrower portal's door into the document-read audit (`resolution.models.DocumentRead`):
every stored document the portal hands a borrower, written after its scoping read found it."""

from __future__ import annotations

from resolution.models import ReadChannel, ReadDocumentKind
from resolution.services.document_reads import record_document_read


def record_portal_read(request, kind: ReadDocumentKind, document_id, case_id) -> None:
    record_document_read(channel=ReadChannel.BORROWER_PORTAL, kind=kind, document_id=document_id,
                         case_id=case_id, user=request.user)  # fmt: skip
