"""The audit of documents handed out (`DocumentRead`) holds in the database itself: rows are
append-only and name a reader, proved by going around the ORM."""

from datetime import datetime

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction

from finplatform.clock import BUSINESS_TZ
from resolution.models import DocumentRead, ReadChannel, ReadDocumentKind
from resolution.services.document_reads import record_document_read
from tests.factories import CaseFactory, UserFactory
from tests.support.ledger import new_creditor

pytestmark = pytest.mark.django_db
AT = datetime(2026, 11, 23, 10, 0, tzinfo=BUSINESS_TZ)


def refused(sql, params=()):
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cur:
        cur.execute(sql, params)


@pytest.fixture
def read():
    with time_machine.travel(AT, tick=False):
        return record_document_read(
            channel=ReadChannel.OMBUDSMAN_ADMIN, kind=ReadDocumentKind.COURT_DECISION,
            document_id="3f1c", case_id=CaseFactory().pk, user=UserFactory(),
        )  # fmt: skip


def test_the_service_writes_the_business_time(read):
    assert DocumentRead.objects.get().read_at == AT


def test_a_read_cannot_be_rewritten_or_deleted(read):
    refused("UPDATE resolution_documentread SET document_id = 'forged' WHERE id = %s", [read.pk])
    refused("UPDATE resolution_documentread SET user_id = NULL, case_id = NULL")
    refused("DELETE FROM resolution_documentread WHERE id = %s", [read.pk])
    refused("DELETE FROM resolution_documentread")
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentRead.objects.filter(pk=read.pk).update(
            read_at=datetime(2020, 1, 1, tzinfo=BUSINESS_TZ)
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        DocumentRead.objects.all().delete()
    row = DocumentRead.objects.get()
    assert (row.document_id, row.read_at, row.user_id) == ("3f1c", AT, read.user_id)


def test_a_read_names_a_reader_and_a_creditor_door_names_the_organisation():
    case = CaseFactory()
    nobody = {"channel": ReadChannel.BORROWER_PORTAL, "kind": ReadDocumentKind.CASE_DOCUMENT,
              "document_id": "1", "case_id": case.pk}  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        record_document_read(**nobody)  # neither a user nor an API key
    dashboard = {**nobody, "channel": ReadChannel.CREDITOR_DASHBOARD}
    with pytest.raises(IntegrityError), transaction.atomic():
        record_document_read(**dashboard, user=UserFactory())  # no organisation
    creditor = new_creditor()
    key = creditor.api_keys.create(name="k", prefix="abcd1234", key_hash="0" * 64)
    with pytest.raises(IntegrityError), transaction.atomic():
        record_document_read(**nobody, api_key=key, creditor=creditor)  # a key outside the API
    assert not DocumentRead.objects.exists()
