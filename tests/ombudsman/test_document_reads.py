"""Every stored document the admin hands out (assignment agreement, termination document,
court decision, variation evidence and agreement) leaves exactly one `DocumentRead` row: the
staff member, the admin, the document and its case. Another queue's staff get a 404 and
leave none. The audit's own screen is view-only, for seniors, filtered by door and date and
searched by case reference."""

import pytest
from django.contrib.auth.models import Group

from finplatform.roles import OMBUDSMAN_SENIOR
from resolution.models import DocumentRead
from resolution.models import ReadChannel as Channel
from resolution.models import ReadDocumentKind as Kind
from resolution.services.document_reads import record_document_read
from tests.factories import CaseFactory, UserFactory
from tests.ombudsman.test_admin_review import ombudsman_user
from tests.support.documents import (
    agreed_variation,
    banking_plan,
    court_decided_flag,
    only_read,
    sold,
)
from tests.support.documents import terminated as terminated_plan
from tests.support.ledger import new_creditor

pytestmark = pytest.mark.django_db
AUDIT = "/admin/resolution/documentread/"


def _other_queue_gets_nothing(client, url):
    client.force_login(ombudsman_user("microfinance"))
    assert client.get(url).status_code == 404
    assert not DocumentRead.objects.exists()


def _read_by_staff(client, url, **expected):
    _other_queue_gets_nothing(client, url)
    staff = ombudsman_user("banking")
    client.force_login(staff)
    assert client.get(url).status_code == 200
    return only_read(user=staff, api_key=None, creditor=None,
                     channel=Channel.OMBUDSMAN_ADMIN, **expected)  # fmt: skip


def test_the_assignment_agreement(client):
    world = banking_plan()
    transfer = sold(world, new_creditor())
    _read_by_staff(client, f"/admin/schedules/claimtransfer/{transfer.pk}/document/",
                   document_kind=Kind.ASSIGNMENT, document_id=transfer.pk,
                   case=world.case)  # fmt: skip


def test_the_termination_document(client):
    world = banking_plan()
    termination = terminated_plan(world)
    _read_by_staff(client, f"/admin/schedules/plantermination/{termination.pk}/document/",
                   document_kind=Kind.TERMINATION, document_id=termination.pk,
                   case=world.case)  # fmt: skip


def test_the_court_decision(client):
    world, flag = court_decided_flag()  # a banking case
    _read_by_staff(client, f"/admin/resolution/fraudflag/{flag.pk}/court-document/",
                   document_kind=Kind.COURT_DECISION, document_id=flag.pk,
                   case=world.case)  # fmt: skip


@pytest.mark.parametrize(
    ("which", "kind"),
    [("evidence", Kind.VARIATION_EVIDENCE), ("agreement", Kind.VARIATION_AGREEMENT)],
)
def test_the_variation_files(client, which, kind):
    world = banking_plan()
    variation = agreed_variation(world)
    _read_by_staff(client, f"/admin/resolution/variation/{variation.pk}/file/{which}/",
                   document_kind=kind, document_id=variation.pk, case=world.case)  # fmt: skip


def _senior():
    user = ombudsman_user("banking")
    user.groups.add(Group.objects.get(name=OMBUDSMAN_SENIOR))
    return user


def test_the_audit_screen_is_for_seniors_view_only_filtered_and_searched(client):
    cases = [CaseFactory(), CaseFactory()]
    for case, channel in zip(cases, [Channel.BORROWER_PORTAL, Channel.OMBUDSMAN_ADMIN],
                             strict=True):  # fmt: skip
        record_document_read(channel=channel, kind=Kind.CASE_DOCUMENT, document_id="d",
                             case_id=case.pk, user=UserFactory())  # fmt: skip
    client.force_login(ombudsman_user("banking"))
    assert client.get(AUDIT).status_code == 403  # ordinary staff: not theirs to read
    client.force_login(_senior())
    listing = client.get(AUDIT).content.decode()
    assert cases[0].reference in listing and cases[1].reference in listing
    by_door = client.get(AUDIT, {"channel__exact": "ombudsman_admin"}).content.decode()
    assert cases[1].reference in by_door and cases[0].reference not in by_door
    by_case = client.get(AUDIT, {"q": cases[0].reference}).content.decode()
    assert cases[0].reference in by_case and cases[1].reference not in by_case
    today = DocumentRead.objects.first().read_at
    by_day = client.get(AUDIT, {"read_at__year": today.year, "read_at__month": today.month,
                                "read_at__day": today.day}).content.decode()  # fmt: skip
    assert cases[0].reference in by_day
    assert f"{AUDIT}add/" not in listing
    row = DocumentRead.objects.first()
    assert client.get(f"{AUDIT}add/").status_code == 403
    assert client.post(f"{AUDIT}{row.pk}/change/", {"document_id": "forged"}).status_code == 403
    assert client.post(f"{AUDIT}{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert DocumentRead.objects.filter(document_id="d").count() == 2
