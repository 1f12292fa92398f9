"""Issue 15, point 9: an email addressed to one staff member is in that person's language;
the borrower's notice of the same event stays in the borrower's, and a shared address (no
person behind it) still gets Russian."""

from datetime import date

import pytest
import time_machine
from django.utils import translation

from resolution.models import Notification, OmbudsmanStaff
from resolution.services.notifications import notify_address
from resolution.services.variations import (
    object_to_variation,
    propose_variation,
    request_variation,
)
from tests.factories import UserFactory
from tests.support.endings import active_plan, almaty_noon

pytestmark = pytest.mark.django_db


def _in(language: str, text: str, **params) -> str:
    with translation.override(language):
        return translation.gettext(text) % params


def _objected(staff_language: str):
    world = active_plan((180_000_000, 120_000_000), language="kk")
    user = UserFactory(is_staff=True, email="proposer@example.kz")
    OmbudsmanStaff.objects.create(user=user, ombudsman="banking",
                                  preferred_language=staff_language)  # fmt: skip
    with time_machine.travel(almaty_noon(date(2026, 3, 10)), tick=False):
        variation = request_variation(
            case=world.case, reason="lost my job", monthly_income_tiyn=15_000_000,
            evidence=b"%PDF-1.4 payslip", evidence_name="payslip.pdf", kind="holiday",
            holiday_months=3,
        )  # fmt: skip
        variation = propose_variation(variation_id=variation.pk, staff=user)
        object_to_variation(creditor=world.creditors[1], variation_id=variation.pk,
                            reason="income is higher")  # fmt: skip
    return world


@pytest.mark.parametrize("language", ["en", "kk"])
def test_the_objection_email_is_in_the_proposers_language_the_borrowers_in_theirs(language):
    world = _objected(language)
    ref = world.case.reference
    email = Notification.objects.get(template_key="variation_objected_staff",
                                     recipient="proposer@example.kz")  # fmt: skip
    assert email.language == language
    assert email.subject == _in(language, "Variation of %(reference)s blocked by an objection",
                                reference=ref)  # fmt: skip
    borrower = Notification.objects.filter(template_key="variation_objected", case=world.case)
    assert borrower.exists()
    kazakh = _in("kk", "Procedure %(reference)s: a creditor objected to the change", reference=ref)
    assert kazakh != f"Procedure {ref}: a creditor objected to the change"
    assert {(n.language, n.subject) for n in borrower} == {("kk", kazakh)}


def test_an_english_preferring_staff_member_gets_english_not_russian():
    world = _objected("en")
    email = Notification.objects.get(template_key="variation_objected_staff")
    assert email.subject == f"Variation of {world.case.reference} blocked by an objection"


def test_a_shared_address_still_gets_russian():
    world = active_plan(language="kk")
    n = notify_address(case=world.case, email="office@example.kz",
                       template_key="variation_objected_staff",
                       context={"creditor": "Bank", "reason": "x"})  # fmt: skip
    assert n.language == "ru"
    assert n.subject == _in("ru", "Variation of %(reference)s blocked by an objection",
                            reference=world.case.reference)  # fmt: skip
