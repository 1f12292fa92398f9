"""Every stored document a creditor downloads, from the dashboard or through the API, leaves
exactly one `DocumentRead` row: the staff member or the API key, the organisation, the door,
the document and its case, at business time. Another organisation's request is a 404 and
leaves none."""

from datetime import datetime

import pytest
import time_machine

from finplatform.clock import BUSINESS_TZ
from resolution.models import DocumentKind, DocumentRead
from resolution.models import ReadChannel as Channel
from resolution.models import ReadDocumentKind as Kind
from tests.factories import CreditorStaffFactory
from tests.support.documents import (
    banking_plan,
    breach_statements,
    only_read,
    signed_case,
    sold,
    terminated,
)
from tests.support.ledger import new_creditor
from tests.support.workflow import api_key_for

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
    world, _, statements = breach_statements()
    mine, theirs = world.creditors
    own, other = statements[mine], statements[theirs]
    staff = CreditorStaffFactory(creditor=mine).user
    client.force_login(staff)
    assert client.get(f"/creditor/ending-documents/{other.pk}/").status_code == 404
    assert not DocumentRead.objects.exists()
    assert client.get(f"/creditor/ending-documents/{own.pk}/").status_code == 200
    only_read(
        user=staff, api_key=None, creditor=mine, channel=Channel.CREDITOR_DASHBOARD,
        document_kind=Kind.ENDING_DOCUMENT, document_id=own.pk, case=world.case,
    )  # fmt: skip


def _terminated(world):
    """The termination document: one of the plan's creditors reads it, a stranger may not."""
    termination = terminated(world)
    path = f"cases/{world.case.pk}/termination/document/"
    return path, new_creditor(), world.creditors[1], Kind.TERMINATION, termination.pk


def _sold(world):
    """The assignment agreement: the buyer reads it; a creditor of the same plan that is not a
    party to the sale may not."""
    buyer = new_creditor()
    transfer = sold(world, buyer)
    return (
        f"transfers/{transfer.pk}/document/",
        world.creditors[1],
        buyer,
        Kind.ASSIGNMENT,
        transfer.pk,
    )


@pytest.mark.parametrize("door", ["dashboard", "api"])
@pytest.mark.parametrize("document", [_terminated, _sold], ids=["termination", "assignment"])
def test_a_plan_change_document(client, door, document):
    world = banking_plan()
    path, refused_creditor, party, kind, document_id = document(world)
    if door == "api":
        _, refused = api_key_for(refused_creditor)
        key, allowed = api_key_for(party)
        url, user, channel = f"/api/v1/creditor/{path}", None, Channel.CREDITOR_API
    else:
        refused = allowed = client
        client.force_login(CreditorStaffFactory(creditor=refused_creditor).user)
        url, key, channel = f"/creditor/{path}", None, Channel.CREDITOR_DASHBOARD
    assert refused.get(url).status_code == 404
    assert not DocumentRead.objects.exists()
    if door == "dashboard":
        user = CreditorStaffFactory(creditor=party).user
        client.force_login(user)
    assert allowed.get(url).status_code == 200
    only_read(
        user=user, api_key=key, creditor=party, channel=channel,
        document_kind=kind, document_id=document_id, case=world.case,
    )  # fmt: skip
