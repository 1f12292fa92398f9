"""The audit of stored documents handed out (see `resolution.models.DocumentRead`). Every
download view of the four doors calls `record_document_read` once, after its scoping read
found the document: a refused request (another organisation's, another borrower's) raises
its 404 before this runs and leaves no row."""

from __future__ import annotations

from creditors.models import ApiKey, Creditor
from finplatform.clock import business_now
from resolution.models import DocumentRead, ReadChannel, ReadDocumentKind


def record_document_read(
    *,
    channel: ReadChannel,
    kind: ReadDocumentKind,
    document_id,
    case_id,
    user=None,
    api_key: ApiKey | None = None,
    creditor: Creditor | None = None,
) -> DocumentRead:
    """Write one audit row: `user` (or the creditor API's `api_key`), for `creditor` when a
    creditor reads, was handed document `document_id` of `kind` of the case `case_id`
    through `channel`, now (business time). Append-only: a trigger refuses UPDATE and
    DELETE. One INSERT, before the document's bytes leave: a failed write is a failed
    download, never an unrecorded one."""
    return DocumentRead.objects.create(
        user=user, api_key=api_key, creditor=creditor, channel=channel, document_kind=kind,
        document_id=str(document_id), case_id=case_id, read_at=business_now(),
    )  # fmt: skip
