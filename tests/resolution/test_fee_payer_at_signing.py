"""The mediator's fee payer follows the moment of signing (SPEC §1: the ombudsmen for
agreements signed before 2027-01-01, the borrower after). A package that can be signed on both
sides of the switch carries both variants in the agreement and the signature records the one in
force; a package naming one payer cannot be signed once that payer is no longer the one in
force, so the signed text is always true (issue 13, point 4)."""

import io
import re
from datetime import datetime

import pytest
import time_machine
from pypdf import PdfReader

from finplatform.clock import BUSINESS_TZ
from finplatform.errors import ConflictError
from resolution.models import CaseStatus
from resolution.services.signing import issue_signing_code, sign_with_code
from tests.support.workflow import issued_case

pytestmark = pytest.mark.django_db


def mediator_text(world) -> str:
    doc = world.case.package.documents.get(kind="mediator")
    pages = PdfReader(io.BytesIO(bytes(doc.content))).pages
    return re.sub(r"[\s\u00a0\u202f]+", " ", "".join(p.extract_text() for p in pages))


def sign_at(world, moment):
    with time_machine.travel(moment, tick=False):
        _, code = issue_signing_code(case_id=world.case.pk)
        return sign_with_code(case_id=world.case.pk, code=code)


def test_approved_31_december_and_signed_1_january_the_borrower_pays():
    with time_machine.travel(datetime(2026, 12, 31, 15, 0, tzinfo=BUSINESS_TZ), tick=False):
        world = issued_case()
    assert world.case.package.snapshot["mediator"]["fee_payer"] == "by_signing_date"
    signature = sign_at(world, datetime(2027, 1, 1, 10, 0, tzinfo=BUSINESS_TZ))
    world.case.refresh_from_db()
    assert world.case.status == CaseStatus.ACTIVE
    assert signature.mediator_fee_payer == "borrower"
    text = mediator_text(world)
    # the agreement as signed says the borrower pays when signed on 01.01.2027 or later
    assert "подписан 01.01.2027 или позже, вознаграждение оплачивает заёмщик" in text
    # and never asserts that it was signed before the switch
    assert "подписывается до" not in text and "подписан до 01.01.2027)" not in text


def test_approved_31_december_and_signed_the_same_day_the_ombudsmen_pay():
    with time_machine.travel(datetime(2026, 12, 31, 9, 0, tzinfo=BUSINESS_TZ), tick=False):
        world = issued_case()
    signature = sign_at(world, datetime(2026, 12, 31, 23, 59, tzinfo=BUSINESS_TZ))
    assert signature.mediator_fee_payer == "ombudsman"
    assert "подписан до 01.01.2027, вознаграждение оплачивают омбудсманы" in mediator_text(world)


def test_far_from_the_switch_the_agreement_names_one_payer():
    with time_machine.travel(datetime(2026, 11, 23, 10, 0, tzinfo=BUSINESS_TZ), tick=False):
        world = issued_case()
    assert world.case.package.snapshot["mediator"]["fee_payer"] == "ombudsman"
    signature = sign_at(world, datetime(2026, 11, 24, 10, 0, tzinfo=BUSINESS_TZ))
    assert signature.mediator_fee_payer == "ombudsman"
    text = mediator_text(world)
    assert "Вознаграждение оплачивают омбудсманы" in text and "заёмщик, если" not in text
    with time_machine.travel(datetime(2027, 3, 1, 10, 0, tzinfo=BUSINESS_TZ), tick=False):
        later = issued_case()
    assert later.case.package.snapshot["mediator"]["fee_payer"] == "borrower"
    assert "Вознаграждение оплачивает заёмщик" in mediator_text(later)


def test_a_package_naming_a_payer_no_longer_in_force_cannot_be_signed(settings):
    with time_machine.travel(datetime(2026, 11, 23, 10, 0, tzinfo=BUSINESS_TZ), tick=False):
        world = issued_case()  # states "the ombudsmen pay"
    # the switch date is moved (policy) to a day inside the signing window
    settings.RESOLUTION_POLICY = {**settings.RESOLUTION_POLICY,
                                  "MEDIATOR_FEE_BORROWER_FROM": "2026-11-24"}  # fmt: skip
    with pytest.raises(ConflictError) as err:
        sign_at(world, datetime(2026, 11, 24, 10, 0, tzinfo=BUSINESS_TZ))
    assert err.value.code == "fee_terms_changed"
    world.case.refresh_from_db()
    assert world.case.status == CaseStatus.DOCUMENTS_ISSUED
