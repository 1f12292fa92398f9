import hashlib
import io
from datetime import date, datetime

import pytest
import time_machine
from pypdf import PdfReader

from finplatform.clock import BUSINESS_TZ
from finplatform.errors import ConflictError
from resolution.models import CaseDocument, CaseStatus, DocumentPackage
from resolution.policy import mediator_fee_payer
from resolution.selectors.borrower import documents_for_borrower
from resolution.selectors.ombudsman import debt_burden, proposal
from resolution.services.decision import (
    approve_case,
    decide_disputed_loan,
    reassign_case,
    reject_case,
)
from resolution.services.documents import generate_package, render_pdf
from tests.support.workflow import answer_all, awaiting_case, issued_case

pytestmark = pytest.mark.django_db


def text_of(document: CaseDocument) -> str:
    reader = PdfReader(io.BytesIO(bytes(document.content)))
    return " ".join(page.extract_text() for page in reader.pages).replace("\xa0", " ")


def test_disputed_loan_decided_before_approval_is_left_out():
    # (approving with the dispute still open is allowed: tests/schedules/test_disputed_hold.py)
    world = awaiting_case()
    answer_all(world)
    world.case.refresh_from_db()
    assert world.case.status == CaseStatus.UNDER_REVIEW
    decide_disputed_loan(case_loan_id=world.loans[1].pk, include=False, reason="sold on")
    decision = approve_case(case_id=world.case.pk)
    # 510 000,00 corrected + 102 500,00 confirmed; the disputed loan left out
    assert decision.total_tiyn == 51_000_000 + 10_250_000
    world.case.refresh_from_db()
    assert world.case.total_debt_tiyn == decision.total_tiyn
    assert world.case.status == CaseStatus.UNDER_REVIEW  # documents come from the worker


def test_disputed_loan_included_with_the_decided_amount():
    world = awaiting_case()
    answer_all(world)
    decide_disputed_loan(case_loan_id=world.loans[1].pk, include=True, amount_tiyn=20_000_000)
    world.loans[1].refresh_from_db()
    assert world.loans[1].confirmed_total_tiyn == 20_000_000
    assert world.loans[1].bureau_total_tiyn == 21_500_000
    assert proposal(world.case)["total_tiyn"] == 51_000_000 + 20_000_000 + 10_250_000


def test_debt_burden_warning_uses_the_lower_limit_after_90_days_overdue():
    world = awaiting_case(income_tiyn=20_000_000)  # 200 000 KZT a month
    world.case.refresh_from_db()
    calm = debt_burden(world.case, 7_000_000)  # 70 000 KZT: ratio 0.35
    assert (str(calm["ratio"]), calm["warning"], calm["long_overdue"]) == ("0.350", False, False)
    world.loans[0].loan.__class__.objects.filter(pk=world.loans[0].loan_id).update(overdue_days=120)
    strict = debt_burden(world.case, 7_000_000)
    assert strict["long_overdue"] and strict["warning"] and str(strict["limit"]) == "0.25"


def test_reject_needs_a_reason_and_closes_the_case():
    world = awaiting_case()
    answer_all(world, dispute_second=False)
    with pytest.raises(Exception):  # noqa: B017 - ApplicationError, no reason given
        reject_case(case_id=world.case.pk, reason=" ")
    reject_case(case_id=world.case.pk, reason="fictitious restructuring signs")
    world.case.refresh_from_db()
    assert world.case.status == CaseStatus.REJECTED
    assert world.case.transitions.last().reason == "fictitious restructuring signs"


def test_reassign_between_ombudsmen():
    world = awaiting_case()
    reassign_case(case_id=world.case.pk, ombudsman="microfinance")
    world.case.refresh_from_db()
    assert world.case.ombudsman == "microfinance"


def test_package_is_issued_with_a_72_hour_deadline_and_pdfs_show_the_case():
    world = issued_case()
    package = world.case.package
    assert world.case.status == CaseStatus.DOCUMENTS_ISSUED
    assert (package.signing_deadline - package.issued_at).total_seconds() == 72 * 3600
    docs = list(package.documents.order_by("position"))
    assert [d.kind for d in docs] == ["protocol", "schedule", "mediator"] + ["creditor"] * 3
    name = world.case.borrower.full_name
    for doc in docs:
        assert hashlib.sha256(bytes(doc.content)).hexdigest() == doc.sha256
        assert name in text_of(doc)
    protocol = text_of(docs[0])
    for creditor in world.creditors:
        assert creditor.name in protocol
    schedule_text = text_of(docs[1])
    lines = package.snapshot["schedule"]
    assert len(lines) == package.case.decision.term_months == 12
    for line in lines:
        assert line["due"] in schedule_text
    assert sum(line["amount_tiyn"] for line in lines) == package.case.decision.total_tiyn
    # each creditor's parts add up to its confirmed debt, to the tiyn
    for index, creditor in enumerate(package.snapshot["creditors"]):
        assert sum(line["parts"][index] for line in lines) == creditor["total_tiyn"]
    # a creditor's agreement names that creditor only
    own = text_of(docs[3])
    assert world.creditors[0].name in own and world.creditors[1].name not in own
    assert "Протокол" in protocol


def test_rendering_again_gives_the_same_bytes_and_generation_is_idempotent():
    world = issued_case()
    package = world.case.package
    doc = package.documents.get(kind="schedule")
    again = render_pdf(snapshot=package.snapshot, kind="schedule", creditor_key=None,
                       language=package.language)  # fmt: skip
    assert hashlib.sha256(again).hexdigest() == doc.sha256
    before = package.package_hash
    generate_package(package_id=package.pk)
    package.refresh_from_db()
    assert package.package_hash == before
    assert package.documents.count() == 6
    assert world.case.transitions.filter(to_status="documents_issued").count() == 1


def test_kazakh_borrower_gets_kazakh_documents():
    world = issued_case(language="kk")
    package = DocumentPackage.objects.get(case=world.case)
    assert package.language == "kk"
    schedule = package.documents.get(kind="schedule")
    assert "Өтеудің бірыңғай кестесі" in schedule.title
    assert "Төлем күні" in text_of(schedule)


def test_mediator_fee_payer_follows_the_2027_switch():
    assert mediator_fee_payer(date(2026, 12, 31)) == "ombudsman"
    assert mediator_fee_payer(date(2027, 1, 1)) == "borrower"
    with time_machine.travel(datetime(2026, 11, 23, 10, tzinfo=BUSINESS_TZ), tick=False):
        world = issued_case()
    assert world.case.package.snapshot["mediator"]["fee_payer"] == "ombudsman"
    assert "оплачивают омбудсманы" in text_of(world.case.package.documents.get(kind="mediator"))


def test_documents_are_visible_only_once_issued():
    world = awaiting_case()
    answer_all(world, dispute_second=False)
    approve_case(case_id=world.case.pk)
    assert not documents_for_borrower(world.case.borrower, world.case).exists()


def test_approving_again_re_enqueues_an_unissued_package(django_capture_on_commit_callbacks):
    world = awaiting_case()
    answer_all(world, dispute_second=False)
    first = approve_case(case_id=world.case.pk)
    with django_capture_on_commit_callbacks() as callbacks:
        again = approve_case(case_id=world.case.pk)
    assert again.pk == first.pk and len(callbacks) == 1
    generate_package(package_id=world.case.package.pk)
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ConflictError):
        approve_case(case_id=world.case.pk)  # issued: no longer under review
    assert callbacks == []
