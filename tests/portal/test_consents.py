"""Consent as data: each consent is accepted per text version with time and method, shown on
"My consents", withdrawable where the law allows, and printed into the application record."""

import pytest
from django.urls import reverse
from django.utils import timezone

from borrowers.consents import current_text, has_consent
from borrowers.models import Borrower, ConsentAcceptance, ConsentPurpose, ConsentText
from resolution.models import CaseStatus
from resolution.services.documents import build_snapshot
from tests.factories import BorrowerFactory, next_iin
from tests.portal.test_enrolment import _identify, _register

pytestmark = pytest.mark.django_db


def _login(client, borrower):
    client.force_login(borrower.user, backend="borrowers.auth.IINBackend")


def test_each_consent_has_a_versioned_text_in_three_languages():
    for purpose in ConsentPurpose.values:
        text = current_text(purpose)
        assert text.version >= 1
        assert text.text_ru and text.text_kk and text.text_en
        assert len({text.text_ru, text.text_kk, text.text_en}) == 3  # translated, not copied
    assert ConsentText.objects.filter(version=1).count() == 3


def test_registration_records_the_processing_consent_version(client, sim):
    iin, phone = next_iin(), "+77011112299"
    sim.set_phone(iin, phone)
    page = client.get(reverse("borrowers:register")).content.decode()
    assert current_text(ConsentPurpose.PROCESSING).text_en[:40] in page
    _register(client, iin, phone)
    _identify(client, sim, iin, "eds")
    row = ConsentAcceptance.objects.get(borrower__iin=iin)
    assert (row.purpose, row.method, row.text.version) == ("processing", "registration", 1)
    assert row.withdrawn_at is None and row.accepted_at is not None


def test_the_application_records_each_consent_with_its_version(client):
    borrower = BorrowerFactory(identified_at=timezone.now(), notifications_consent=False)
    _login(client, borrower)
    page = client.get(reverse("resolution:apply")).content.decode()
    assert current_text(ConsentPurpose.BUREAU).text_en[:40] in page
    client.post(reverse("resolution:apply"), {"consent": "on", "notifications_consent": "on"})
    rows = {r.purpose: r for r in ConsentAcceptance.objects.filter(borrower=borrower)}
    assert set(rows) == {"processing", "bureau", "notifications"}
    assert {r.method for r in rows.values()} == {"application"}
    assert rows["bureau"].text == current_text(ConsentPurpose.BUREAU)


def test_without_the_notifications_tick_no_notifications_consent(client):
    borrower = BorrowerFactory(identified_at=timezone.now(), notifications_consent=False)
    _login(client, borrower)
    client.post(reverse("resolution:apply"), {"consent": "on"})
    assert borrower.cases.exists()
    assert not has_consent(borrower, ConsentPurpose.NOTIFICATIONS)
    assert has_consent(borrower, ConsentPurpose.BUREAU)


def test_my_consents_withdraws_notifications_but_not_processing_during_a_case(client):
    borrower = BorrowerFactory(identified_at=timezone.now())
    _login(client, borrower)
    client.post(reverse("resolution:apply"), {"consent": "on"})
    case = borrower.cases.get()
    page = client.get(reverse("borrowers:consents")).content.decode()
    assert "version 1" in page and case.reference in page  # why processing stays
    client.post(reverse("borrowers:consent_withdraw", args=["processing"]))
    assert has_consent(borrower, ConsentPurpose.PROCESSING)
    client.post(reverse("borrowers:consent_withdraw", args=["notifications"]))
    assert not has_consent(borrower, ConsentPurpose.NOTIFICATIONS)
    assert ConsentAcceptance.objects.filter(purpose="notifications",
                                            withdrawn_at__isnull=False).exists()  # fmt: skip
    # once the case is finished, processing may be withdrawn too
    type(case).objects.filter(pk=case.pk).update(status=CaseStatus.INELIGIBLE)
    client.post(reverse("borrowers:consent_withdraw", args=["processing"]))
    assert not has_consent(borrower, ConsentPurpose.PROCESSING)
    client.post(reverse("borrowers:consent_give", args=["notifications"]))
    assert has_consent(borrower, ConsentPurpose.NOTIFICATIONS)


def test_nobody_else_sees_or_withdraws_my_consents(client):
    mine = BorrowerFactory()
    other = BorrowerFactory()
    _login(client, other)
    client.post(reverse("borrowers:consent_withdraw", args=["notifications"]))
    assert has_consent(mine, ConsentPurpose.NOTIFICATIONS)
    assert not has_consent(other, ConsentPurpose.NOTIFICATIONS)
    assert Borrower.objects.count() == 2


def test_the_application_record_prints_the_consents():
    from resolution.services.decision import approve_case
    from tests.support.workflow import answer_all, awaiting_case

    world = awaiting_case()
    answer_all(world, dispute_second=False)
    decision = approve_case(case_id=world.case.pk)
    snapshot = build_snapshot(case=world.case, decision=decision)
    purposes = {c["purpose"]: c for c in snapshot["consents"]}
    assert purposes["notifications"]["version"] == 1
    assert purposes["notifications"]["ru"]["label"] and purposes["notifications"]["kk"]["label"]
