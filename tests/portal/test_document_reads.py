"""Every stored document the borrower opens in the portal (the package's documents shown
inline or downloaded, the breach statement, the variation agreement and the income evidence)
leaves exactly one `DocumentRead` row: the borrower's user, the portal, the document and its
case, at business time. Another borrower's request is a 404 and leaves none."""

import pytest
import time_machine
from django.urls import reverse

from resolution.models import DocumentRead
from resolution.models import ReadChannel as Channel
from resolution.models import ReadDocumentKind as Kind
from tests.factories import BorrowerFactory
from tests.support.documents import (
    ISSUED_AT,
    agreed_variation,
    banking_plan,
    breach_statements,
    only_read,
)
from tests.support.workflow import issued_case

pytestmark = pytest.mark.django_db


def _stranger_gets_nothing(client, *urls):
    client.force_login(BorrowerFactory().user)
    for url in urls:
        assert client.get(url).status_code == 404, url
    assert not DocumentRead.objects.exists()


@pytest.mark.parametrize("how", ["preview", "download"])
def test_a_package_document(client, how):
    with time_machine.travel(ISSUED_AT, tick=False):
        world = issued_case()
        doc = world.case.package.documents.first()
        url = reverse(f"resolution_portal:{how}", args=[doc.pk])
        _stranger_gets_nothing(client, url)
        user = world.case.borrower.user
        client.force_login(user)
        assert client.get(url).status_code == 200
    only_read(
        user=user, api_key=None, creditor=None, channel=Channel.BORROWER_PORTAL,
        document_kind=Kind.CASE_DOCUMENT, document_id=doc.pk, case=world.case,
        read_at=ISSUED_AT,
    )  # fmt: skip


def test_the_breach_statement(client):
    world, own, _ = breach_statements()
    url = reverse("resolution:ending_document", args=[own.pk])
    _stranger_gets_nothing(client, url)
    user = world.case.borrower.user
    client.force_login(user)
    assert client.get(url).status_code == 200
    only_read(
        user=user, channel=Channel.BORROWER_PORTAL, document_kind=Kind.ENDING_DOCUMENT,
        document_id=own.pk, case=world.case,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("variation_agreement", Kind.VARIATION_AGREEMENT),
        ("variation_evidence", Kind.VARIATION_EVIDENCE),
    ],
)
def test_the_variation_agreement_and_evidence(client, name, kind):
    world = banking_plan()
    variation = agreed_variation(world)
    url = reverse(f"resolution_portal:{name}", args=[variation.pk])
    _stranger_gets_nothing(client, url)
    user = world.case.borrower.user
    client.force_login(user)
    assert client.get(url).status_code == 200
    only_read(
        user=user, creditor=None, channel=Channel.BORROWER_PORTAL, document_kind=kind,
        document_id=variation.pk, case=world.case,
    )  # fmt: skip
