"""Every file the borrower downloads from the portal goes out through one helper
(finplatform.uploads.serve / download_headers): the file name survives Cyrillic, Kazakh and
quotes (RFC 6266/5987), nosniff, `Cache-Control: private, no-store` (a shared computer's browser
keeps no copy of a debtor's documents) and a policy that runs nothing; the signing preview is
inline, framed only by our own page. Another borrower still gets 404."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from resolution.models import CaseDocument, EndingDocument, Variation
from tests.factories import BorrowerFactory
from tests.support.documents import ISSUED_AT, agreed_variation, banking_plan, breach_statements
from tests.support.downloads import CSV, assert_download, assert_each_name, renames
from tests.support.endings import almaty_noon
from tests.support.workflow import issued_case

pytestmark = pytest.mark.django_db


def _stranger_gets_404(client, *urls):
    client.force_login(BorrowerFactory().user)
    for url in urls:
        assert client.get(url).status_code == 404, url


@pytest.mark.parametrize(("how", "inline"), [("preview", True), ("download", False)])
def test_a_package_document_previewed_inline_or_downloaded(client, how, inline):
    with time_machine.travel(ISSUED_AT, tick=False):
        world = issued_case()
        doc = world.case.package.documents.first()
        url = reverse(f"resolution_portal:{how}", args=[doc.pk])
        _stranger_gets_404(client, url)
        client.force_login(world.case.borrower.user)
        rows = CaseDocument.objects.filter(pk=doc.pk)
        assert_each_name(client, url, renames(rows, "filename", append_only=True),
                         inline=inline)  # fmt: skip
        response = client.get(url)
    assert bytes(response.content) == bytes(doc.content)
    assert response["X-Frame-Options"] == ("SAMEORIGIN" if inline else "DENY")


def test_the_breach_statement(client):
    world, own, _ = breach_statements()
    url = reverse("resolution:ending_document", args=[own.pk])
    _stranger_gets_404(client, url)
    client.force_login(world.case.borrower.user)
    rows = EndingDocument.objects.filter(pk=own.pk)
    assert_each_name(client, url, renames(rows, "filename"))


def test_the_variation_agreement_and_income_evidence(client):
    world = banking_plan()
    variation = agreed_variation(world)
    agreement = reverse("resolution_portal:variation_agreement", args=[variation.pk])
    evidence = reverse("resolution_portal:variation_evidence", args=[variation.pk])
    _stranger_gets_404(client, agreement, evidence)
    client.force_login(world.case.borrower.user)
    assert_download(client.get(agreement), name=f"{world.case.reference}-variation.pdf")
    rows = Variation.objects.filter(pk=variation.pk)
    assert_each_name(client, evidence, renames(rows, "evidence_name"))


@pytest.mark.parametrize(("fmt", "content_type"), [("csv", CSV), ("pdf", "application/pdf")])
def test_the_monthly_statement(client, fmt, content_type):
    world = banking_plan()  # signed in January 2026
    reference = world.case.reference
    url = reverse(f"schedules:borrower_statement_{fmt}", args=[reference])
    with time_machine.travel(almaty_noon(date(2026, 2, 10)), tick=False):
        _stranger_gets_404(client, f"{url}?month=2026-01")
        client.force_login(world.case.borrower.user)
        response = client.get(url, {"month": "2026-01"})
    assert_download(response, name=f"statement-{reference}-2026-01.{fmt}",
                    content_type=content_type)  # fmt: skip
