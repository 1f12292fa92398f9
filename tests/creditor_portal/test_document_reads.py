"""Every stored document a creditor downloads, from the dashboard or through the API, leaves
exactly one `DocumentRead` row: the staff member or the API key, the organisation, the door,
the document and its case, at business time. Another organisation's request is a 404 and
leaves none."""

from datetime import datetime

import pytest
import time_machine

from finplatform.clock import BUSINESS_TZ
from resolution.models import DocumentKind, DocumentRead, EndingDocument
from resolution.models import ReadChannel as Channel
from resolution.models import ReadDocumentKind as Kind
from tests.conftest import run_outbox
from tests.factories import CreditorStaffFactory
from tests.support.documents import (
    api_key_for,
    banking_plan,
    only_read,
    signed_case,
    sold,
    terminated,
)
from tests.support.endings import breach
from tests.support.ledger import new_creditor

pytestmark = pytest.mark.django_db
AT = datetime(2026, 12, 1, 9, 30, tzinfo=BUSINESS_TZ)


def _own_agreement(world, creditor):
    return world.case.package.documents.get(kind=DocumentKind.CREDITOR, creditor=creditor)


def test_a_signed_document_from_the_dashboard(client):
    world = signed_case()
    mine, theirs = world.creditors[:2]
    doc = _own_agreement(world, mine)
    url = f"/creditor/cases/{world.case.pk}/documents/{doc.pk}/"
    client.force_login(CreditorStaffFactory(creditor=theirs).user)
    assert client.get(url).status_code == 404  # a creditor of the case, not its agreement
    client.force_login(CreditorStaffFactory(creditor=new_creditor()).user)
    protocol = world.case.package.documents.get(kind=DocumentKind.PROTOCOL)
    assert (
        client.get(f"/creditor/cases/{world.case.pk}/documents/{protocol.pk}/").status_code == 404
    )
    assert not DocumentRead.objects.exists()
    staff = CreditorStaffFactory(creditor=mine).user
    with time_machine.travel(AT, tick=False):
        client.force_login(staff)  # signed in then: the session's idle limit counts from here
        assert client.get(url).status_code == 200
    only_read(
        user=staff, api_key=None, creditor=mine, channel=Channel.CREDITOR_DASHBOARD,
        document_kind=Kind.CASE_DOCUMENT, document_id=doc.pk, case=world.case, read_at=AT,
    )  # fmt: skip


def test_a_signed_document_through_the_api_by_key_and_by_session(client):
    world = signed_case()
    mine, theirs = world.creditors[:2]
    doc = _own_agreement(world, mine)
    url = f"/api/v1/creditor/cases/{world.case.pk}/documents/{doc.pk}/"
    _, other_api = api_key_for(theirs)
    assert other_api.get(url).status_code == 404
    _, outsider_api = api_key_for(new_creditor())
    assert outsider_api.get(url).status_code == 404
    assert not DocumentRead.objects.exists()
    key, api = api_key_for(mine)
    with time_machine.travel(AT, tick=False):
        assert api.get(url).status_code == 200
    by_key = only_read(
        user=None, api_key=key, creditor=mine, channel=Channel.CREDITOR_API,
        document_kind=Kind.CASE_DOCUMENT, document_id=doc.pk, case=world.case, read_at=AT,
    )  # fmt: skip
    staff = CreditorStaffFactory(creditor=mine).user
    client.force_login(staff)  # the API also takes a creditor staff member's session
    assert client.get(url).status_code == 200
    only_read(by_key, user=staff, api_key=None, creditor=mine, channel=Channel.CREDITOR_API)


def test_a_breach_statement_from_the_dashboard(client):
    world = banking_plan()
    breach(world)
    run_outbox(task_prefix="resolution.")
    mine, theirs = world.creditors
    own = EndingDocument.objects.filter(ending__case=world.case, creditor=mine).first()
    other = EndingDocument.objects.filter(ending__case=world.case, creditor=theirs).first()
    staff = CreditorStaffFactory(creditor=mine).user
    client.force_login(staff)
    assert client.get(f"/creditor/ending-documents/{other.pk}/").status_code == 404
    assert not DocumentRead.objects.exists()
    assert client.get(f"/creditor/ending-documents/{own.pk}/").status_code == 200
    only_read(
        user=staff, api_key=None, creditor=mine, channel=Channel.CREDITOR_DASHBOARD,
        document_kind=Kind.ENDING_DOCUMENT, document_id=own.pk, case=world.case,
    )  # fmt: skip


@pytest.mark.parametrize("door", ["dashboard", "api"])
def test_the_termination_document(client, door):
    world = banking_plan()
    termination = terminated(world)
    creditor = world.creditors[1]
    path = f"cases/{world.case.pk}/termination/document/"
    outsider = new_creditor()
    if door == "api":
        _, refused = api_key_for(outsider)
        key, allowed = api_key_for(creditor)
        url, user, channel = f"/api/v1/creditor/{path}", None, Channel.CREDITOR_API
    else:
        refused = allowed = client
        client.force_login(CreditorStaffFactory(creditor=outsider).user)
        url, key, channel = f"/creditor/{path}", None, Channel.CREDITOR_DASHBOARD
    assert refused.get(url).status_code == 404
    assert not DocumentRead.objects.exists()
    if door == "dashboard":
        user = CreditorStaffFactory(creditor=creditor).user
        client.force_login(user)
    assert allowed.get(url).status_code == 200
    only_read(
        user=user, api_key=key, creditor=creditor, channel=channel,
        document_kind=Kind.TERMINATION, document_id=termination.pk, case=world.case,
    )  # fmt: skip


@pytest.mark.parametrize("door", ["dashboard", "api"])
def test_the_assignment_agreement(client, door):
    world = banking_plan()
    buyer = new_creditor()
    transfer = sold(world, buyer)
    bystander = world.creditors[1]  # a creditor of the same plan, not a party to the sale
    path = f"transfers/{transfer.pk}/document/"
    if door == "api":
        _, refused = api_key_for(bystander)
        key, allowed = api_key_for(buyer)
        url, user, channel = f"/api/v1/creditor/{path}", None, Channel.CREDITOR_API
    else:
        refused = allowed = client
        client.force_login(CreditorStaffFactory(creditor=bystander).user)
        url, key, channel = f"/creditor/{path}", None, Channel.CREDITOR_DASHBOARD
    assert refused.get(url).status_code == 404
    assert not DocumentRead.objects.exists()
    if door == "dashboard":
        user = CreditorStaffFactory(creditor=buyer).user
        client.force_login(user)
    assert allowed.get(url).status_code == 200
    only_read(
        user=user, api_key=key, creditor=buyer, channel=channel,
        document_kind=Kind.ASSIGNMENT, document_id=transfer.pk, case=world.case,
    )  # fmt: skip
