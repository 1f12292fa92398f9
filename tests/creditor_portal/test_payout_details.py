import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from creditors import services
from creditors.models import PayoutDetails, PayoutDetailsStatus
from finplatform.errors import ApplicationError, ConflictError
from finplatform.iban import format_iban, make_kz_iban, validate_kz_iban
from tests.factories import CreditorStaffFactory

pytestmark = pytest.mark.django_db

IBAN_A = make_kz_iban("601", "KZT5022044001")  # Halyk Bank, HSBKKZKX
IBAN_B = make_kz_iban("722", "S000000123456")  # Kaspi Bank, CASPKZKA
BIC = {IBAN_A: "HSBKKZKX", IBAN_B: "CASPKZKA"}


def _propose(staff, iban=IBAN_A):
    return services.propose_payout_details(
        user=staff.user, iban=iban, bank_bic=BIC.get(iban, "HSBKKZKX"),
        beneficiary_name=staff.creditor.name,
    )  # fmt: skip


def test_iban_validation_accepts_valid_and_rejects_typos():
    validate_kz_iban(IBAN_A)
    validate_kz_iban(" ".join(IBAN_A[i : i + 4] for i in range(0, 20, 4)).lower())
    typo = IBAN_A[:10] + ("1" if IBAN_A[10] != "1" else "2") + IBAN_A[11:]
    for bad, code in [
        (typo, "iban_check"),
        ("KZ12", "iban_format"),
        ("DE" + IBAN_A[2:], "iban_format"),
    ]:
        with pytest.raises(ValidationError) as error:
            validate_kz_iban(bad)
        assert error.value.code == code


def test_second_person_of_the_same_creditor_must_approve():
    maker = CreditorStaffFactory()
    checker = CreditorStaffFactory(creditor=maker.creditor)
    details = _propose(maker)
    assert details.status == PayoutDetailsStatus.PROPOSED

    with pytest.raises(ConflictError) as error:
        services.approve_payout_details(user=maker.user, details_id=details.pk)
    assert error.value.message == services.MSG_SAME_PERSON

    approved = services.approve_payout_details(user=checker.user, details_id=details.pk)
    assert approved.status == PayoutDetailsStatus.ACTIVE
    assert approved.decided_by == checker.user


def test_approving_new_details_supersedes_the_old_ones():
    maker = CreditorStaffFactory()
    checker = CreditorStaffFactory(creditor=maker.creditor)
    first = _propose(maker)
    services.approve_payout_details(user=checker.user, details_id=first.pk)
    second = _propose(checker, IBAN_B)
    with pytest.raises(ConflictError):
        _propose(maker, IBAN_A)  # only one change awaits approval at a time
    services.approve_payout_details(user=maker.user, details_id=second.pk)
    first.refresh_from_db()
    assert first.status == PayoutDetailsStatus.SUPERSEDED
    assert PayoutDetails.objects.get(status=PayoutDetailsStatus.ACTIVE).iban == IBAN_B


def test_staff_of_another_creditor_cannot_approve():
    maker = CreditorStaffFactory()
    outsider = CreditorStaffFactory()
    details = _propose(maker)
    with pytest.raises(PayoutDetails.DoesNotExist):
        services.approve_payout_details(user=outsider.user, details_id=details.pk)


def test_database_refuses_self_approval_even_around_the_service():
    maker = CreditorStaffFactory()
    details = _propose(maker)
    with pytest.raises(IntegrityError), transaction.atomic():
        PayoutDetails.objects.filter(pk=details.pk).update(
            status=PayoutDetailsStatus.ACTIVE, decided_by=maker.user
        )


def test_invalid_iban_is_refused_by_the_service():
    with pytest.raises(ApplicationError):
        _propose(CreditorStaffFactory(), "KZ000000000000000000")


def test_dashboard_flow_and_cross_organisation_404(client):
    maker = CreditorStaffFactory()
    checker = CreditorStaffFactory(creditor=maker.creditor)
    outsider = CreditorStaffFactory()
    client.force_login(maker.user)
    form = {"bank_bic": "HSBKKZKX", "beneficiary_name": maker.creditor.name}
    bad = client.post(reverse("creditors:payout_details"), {**form, "iban": "KZ11"})
    assert "field-error" in bad.content.decode()
    assert not PayoutDetails.objects.exists()
    client.post(reverse("creditors:payout_details"), {**form, "iban": IBAN_A})
    details = PayoutDetails.objects.get()

    client.force_login(outsider.user)
    url = reverse("creditors:payout_details_decide", args=[details.pk, "approve"])
    assert client.post(url).status_code == 404
    page = client.get(reverse("creditors:payout_details")).content.decode()
    assert IBAN_A not in page and format_iban(IBAN_A) not in page

    client.force_login(checker.user)
    client.post(url)
    details.refresh_from_db()
    assert details.status == PayoutDetailsStatus.ACTIVE
