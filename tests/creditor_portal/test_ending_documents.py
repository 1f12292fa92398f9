"""A creditor gets its own breach statement (its own lines only) on the case page; another
creditor's statement is not found."""

import io

import pytest
from django.urls import reverse
from pypdf import PdfReader

import resolution.tasks  # noqa: F401  (registers the tasks run_outbox runs)
from resolution.models import EndingDocument
from tests.conftest import run_outbox
from tests.factories import CreditorStaffFactory
from tests.support.endings import active_plan, breach

pytestmark = pytest.mark.django_db


def test_each_creditor_downloads_only_its_own_breach_statement(client):
    world = active_plan((30_000_000, 20_000_000), language="en")
    breach(world)
    run_outbox(task_prefix="resolution.")
    mine, theirs = world.creditors
    staff = CreditorStaffFactory(creditor=mine)
    client.force_login(staff.user)
    page = client.get(reverse("creditors:case_detail", args=[world.case.pk]))
    html = page.content.decode()
    assert page.status_code == 200 and 'id="ending-documents"' in html
    own = EndingDocument.objects.get(ending__case=world.case, creditor=mine, language="ru")
    response = client.get(reverse("creditors:ending_document", args=[own.pk]))
    assert response.status_code == 200
    text = " ".join(PdfReader(io.BytesIO(response.content)).pages[0].extract_text().split())
    assert mine.name in text and theirs.name not in text
    for other in EndingDocument.objects.filter(ending__case=world.case).exclude(creditor=mine):
        url = reverse("creditors:ending_document", args=[other.pk])
        assert url not in html
        assert client.get(url).status_code == 404  # the other's and the borrower's copies
