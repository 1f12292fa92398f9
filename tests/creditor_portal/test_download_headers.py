"""Every file a creditor downloads, from the dashboard or through the API, goes out through one
helper (finplatform.uploads.serve / download_headers): the file name survives Cyrillic, Kazakh
and quotes (RFC 6266/5987), nosniff, `Cache-Control: private, no-store` and a sandboxing
policy; the CSV and PDF exports too. Another organisation still gets 404."""

from datetime import date

import pytest
import time_machine

from resolution.models import CaseDocument, DocumentKind, EndingDocument
from schedules.models import ClaimTransfer, PlanTermination
from tests.factories import CreditorStaffFactory
from tests.support.documents import banking_plan, breach_statements, signed_case, sold, terminated
from tests.support.downloads import CSV, PDF, assert_download, assert_each_name, renames
from tests.support.endings import almaty_noon
from tests.support.ledger import new_creditor
from tests.support.workflow import api_client_for

pytestmark = pytest.mark.django_db


def _dashboard(client, creditor):
    client.force_login(CreditorStaffFactory(creditor=creditor).user)
    return client


@pytest.mark.parametrize("door", ["dashboard", "api"])
def test_a_signed_document(client, door):
    world = signed_case()
    mine, theirs = world.creditors[:2]
    doc = world.case.package.documents.get(kind=DocumentKind.CREDITOR, creditor=mine)
    if door == "api":
        url = f"/api/v1/creditor/cases/{world.case.pk}/documents/{doc.pk}/"
        refused, allowed = api_client_for(theirs), api_client_for(mine)
    else:
        url = f"/creditor/cases/{world.case.pk}/documents/{doc.pk}/"
        refused = _dashboard(client, theirs)
    assert refused.get(url).status_code == 404  # a creditor of the case, not its agreement
    if door == "dashboard":
        allowed = _dashboard(client, mine)
    rows = CaseDocument.objects.filter(pk=doc.pk)
    assert_each_name(allowed, url, renames(rows, "filename", append_only=True))
    response = allowed.get(url)
    assert bytes(response.content) == bytes(doc.content)
    if door == "api":
        assert response["X-Content-SHA256"] == doc.sha256


def test_a_breach_statement_from_the_dashboard(client):
    world, _, statements = breach_statements()
    mine, theirs = world.creditors
    own = statements[mine]
    url = f"/creditor/ending-documents/{own.pk}/"
    assert _dashboard(client, theirs).get(url).status_code == 404
    _dashboard(client, mine)
    assert_each_name(client, url, renames(EndingDocument.objects.filter(pk=own.pk), "filename"))


def _terminated(world):
    """The termination document: a creditor of the plan reads it, a stranger may not."""
    termination = terminated(world)
    rows = PlanTermination.objects.filter(pk=termination.pk)
    path = f"cases/{world.case.pk}/termination/document/"
    return path, new_creditor(), world.creditors[1], rows


def _sold(world):
    """The assignment agreement: the buyer reads it; a creditor of the plan that is not a
    party to the sale may not."""
    buyer = new_creditor()
    transfer = sold(world, buyer)
    rows = ClaimTransfer.objects.filter(pk=transfer.pk)
    return f"transfers/{transfer.pk}/document/", world.creditors[1], buyer, rows


@pytest.mark.parametrize("door", ["dashboard", "api"])
@pytest.mark.parametrize("document", [_terminated, _sold], ids=["termination", "assignment"])
def test_a_plan_change_document(client, door, document):
    world = banking_plan()
    path, refused_creditor, party, rows = document(world)
    if door == "api":
        url = f"/api/v1/creditor/{path}"
        refused, allowed = api_client_for(refused_creditor), api_client_for(party)
    else:
        url = f"/creditor/{path}"
        refused = _dashboard(client, refused_creditor)
    assert refused.get(url).status_code == 404
    if door == "dashboard":
        allowed = _dashboard(client, party)
    assert_each_name(allowed, url, renames(rows, "document_name"))


@pytest.mark.parametrize(
    ("path", "name", "content_type"),
    [
        ("cases.csv", "cases-{bin}.csv", CSV),
        ("payouts.csv", "payouts-{bin}.csv", CSV),
        ("statement.csv?month=2026-01", "statement-{bin}-2026-01-01-2026-01-31.csv", CSV),
        ("statement.pdf?month=2026-01", "statement-{bin}-2026-01-01-2026-01-31.pdf", PDF),
    ],
)  # fmt: skip
def test_the_exports(client, path, name, content_type):
    world = banking_plan()
    mine = world.creditors[0]
    with time_machine.travel(almaty_noon(date(2026, 2, 10)), tick=False):
        response = _dashboard(client, mine).get(f"/creditor/{path}")
    assert_download(response, name=name.format(bin=mine.bin), content_type=content_type)
