"""The borrower's case page after the end: the completion certificate or breach statement to
download (their own copy only), the refund owed back, and the timeline."""

import pytest
from django.urls import reverse

import resolution.tasks  # noqa: F401  (registers the tasks run_outbox runs)
from resolution.models import EndingDocument
from tests.conftest import run_outbox
from tests.factories import BorrowerFactory
from tests.support.endings import active_plan, breach, pay_in_full

pytestmark = pytest.mark.django_db


def _sign_in(client, borrower):
    client.force_login(borrower.user, backend="borrowers.auth.IINBackend")


def test_a_completed_case_shows_the_certificate_the_refund_and_the_timeline(client):
    world = active_plan((30_000_000, 20_000_000), language="en")
    pay_in_full(world, extra_tiyn=50_000)
    run_outbox(task_prefix="resolution.")
    _sign_in(client, world.case.borrower)
    page = client.get(reverse("resolution:case", args=[world.case.reference]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Your procedure is completed" in html
    assert 'id="refund"' in html and "500,00" in html
    assert 'id="timeline"' in html and "Completion: the schedule is paid in full" in html
    documents = EndingDocument.objects.filter(ending__case=world.case)
    assert documents.count() == 2
    for document in documents:
        url = reverse("resolution:ending_document", args=[document.pk])
        assert url in html
        response = client.get(url)
        assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
        assert response.content.startswith(b"%PDF") and document.sha256 in html


def test_a_breached_case_shows_the_statement_and_no_creditors_copy(client):
    world = active_plan((30_000_000, 20_000_000), language="en")
    breach(world)
    run_outbox(task_prefix="resolution.")
    _sign_in(client, world.case.borrower)
    html = client.get(reverse("resolution:case", args=[world.case.reference])).content.decode()
    assert "over 40 days late" in html and 'id="refund"' not in html
    creditors_copy = EndingDocument.objects.filter(ending__case=world.case,
                                                   creditor=world.creditors[0]).first()  # fmt: skip
    url = reverse("resolution:ending_document", args=[creditors_copy.pk])
    assert url not in html
    assert client.get(url).status_code == 404


def test_another_borrower_cannot_download_the_certificate(client):
    world = active_plan((30_000_000,))
    pay_in_full(world)
    run_outbox(task_prefix="resolution.")
    document = EndingDocument.objects.filter(ending__case=world.case).first()
    _sign_in(client, BorrowerFactory())
    assert client.get(reverse("resolution:ending_document", args=[document.pk])).status_code == 404
