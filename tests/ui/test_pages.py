"""The portal and dashboard pages, through the Django test client: the journey stepper, the
creditors' answers, the signing countdown, the schedule chart, the creditor dashboard's
ordering, deadlines, bulk confirmation and CSV exports, and the error pages."""

import csv
import io
import re
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.test import Client, override_settings
from django.utils import timezone

from finplatform.clock import BUSINESS_TZ
from portal.journey import journey_for_borrower
from resolution.models import CaseStatus, CreditorRequest, DebtConfirmation
from schedules.services.payments import book_payment
from schedules.services.payouts import run_payouts
from tests.factories import BorrowerFactory, CaseFactory, CreditorStaffFactory
from tests.support.ledger import make_plan
from tests.support.payments import pay
from tests.support.workflow import awaiting_case, issued_case

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=BUSINESS_TZ)


def states(journey):
    return {step.key: step.state for step in journey.steps}


# --- the borrower's journey ---------------------------------------------------------------


def test_stepper_follows_the_case_from_identification_to_payments():
    borrower = BorrowerFactory(identified_at=None)
    assert journey_for_borrower(borrower).current.key == "identify"
    borrower.identified_at = timezone.now()
    borrower.save()
    assert journey_for_borrower(borrower).current.key == "apply"
    case = CaseFactory(borrower=borrower, status=CaseStatus.CHECKING)
    journey = journey_for_borrower(borrower)
    assert journey.current.key == "eligibility"
    assert states(journey)["identify"] == states(journey)["apply"] == "done"
    assert states(journey)["creditors"] == "todo"
    case.status = CaseStatus.INELIGIBLE
    case.save()
    assert journey_for_borrower(borrower).current.state == "failed"
    case.status = CaseStatus.ACTIVE
    case.save()
    make_plan([60_000, 40_000], case=case)
    assert journey_for_borrower(borrower).current.key == "schedule"
    book_payment(source="t", item=pay("p1", 5_000, date(2026, 1, 5),
                                                        plan=case.plan))  # fmt: skip
    assert journey_for_borrower(borrower).current.key == "payments"


def test_every_borrower_page_shows_the_stepper_with_the_current_step(client):
    borrower = BorrowerFactory(identified_at=timezone.now(), preferred_language="en")
    world = awaiting_case(borrower=borrower)
    client.force_login(borrower.user)
    for url in ("/portal/", f"/portal/cases/{world.case.reference}/", "/portal/complaints/"):
        page = client.get(url).content.decode()
        assert 'class="stepper"' in page, url
        assert 'aria-current="step"' in page
        assert "Step 4 of 8" in page  # creditors confirm


def test_case_page_says_which_creditor_has_answered(client):
    from resolution.services.confirmation import answer_loan

    world = awaiting_case(language="en")
    answer_loan(creditor=world.creditors[0], case_loan_id=world.loans[0].pk, action="confirm")
    client.force_login(world.case.borrower.user)
    response = client.get(f"/portal/cases/{world.case.reference}/")
    page = response.content.decode()
    assert response.context["answered"] == 1
    assert "1 of 3 loans answered." in page
    assert page.count("Awaiting the creditor") == 2 and "Confirmed" in page


def test_a_checking_case_shows_progress_and_polls_without_inline_script(client):
    case = CaseFactory(status=CaseStatus.CHECKING)
    client.force_login(case.borrower.user)
    page = client.get(f"/portal/cases/{case.reference}/").content.decode()
    assert f'data-status-url="/portal/cases/{case.reference}/status.json"' in page
    assert "<script>" not in page  # the CSP allows only our static script
    assert "js/app.js" in page


@time_machine.travel(NOW, tick=False)
def test_documents_page_counts_down_to_the_signing_deadline(client):
    world = issued_case()
    package = world.case.package
    client.force_login(world.case.borrower.user)
    response = client.get(f"/portal/cases/{world.case.pk}/documents/")
    page = response.content.decode()
    left = package.signing_deadline - NOW
    hours = int(left.total_seconds()) // 3600
    assert 70 <= hours <= 72
    assert response.context["time_left_hms"].startswith(f"{hours}:")
    deadline = timezone.localtime(package.signing_deadline).isoformat()
    assert f'data-deadline="{deadline}"' in page
    assert page.count("data-pdf-src=") == package.documents.count()
    assert page.count("/download/") == package.documents.count()
    assert 'autocomplete="one-time-code"' in page


@time_machine.travel(datetime(2026, 12, 2, 10, 0, tzinfo=BUSINESS_TZ), tick=False)
def test_schedule_page_has_a_chart_and_the_next_due_date(client):
    case = CaseFactory(status=CaseStatus.ACTIVE, borrower__preferred_language="en")
    plan, _ = make_plan([600_000_00, 400_000_00], case=case, first_due=date(2026, 12, 20))
    first = plan.instalments.order_by("number").first()
    book_payment(source="t", item=pay("half", first.amount_tiyn // 2, date(2026, 12, 1), plan=plan))
    client.force_login(case.borrower.user)
    response = client.get("/portal/schedule/")
    page = response.content.decode()
    chart = response.context["chart"]
    assert len(chart["bars"]) == plan.instalments.count()
    assert chart["paid_tiyn"] == first.amount_tiyn // 2
    assert 0 < chart["paid_percent"] < 100
    assert page.count('class="paid" x=') == 1  # only the first bar is partly paid
    assert response.context["next_due"].number == 1
    assert 'datetime="2026-12-20"' in page
    assert "Partly paid" in page and "Upcoming" in page  # statuses in words, not codes
    assert 'id="payments"' in page
    case.borrower.preferred_language = "kk"
    case.borrower.save(update_fields=["preferred_language"])
    kazakh = client.get("/portal/schedule/").content.decode()
    assert "Ішінара төленді" in kazakh and "Алда" in kazakh  # the words are translated too
    assert "Upcoming" not in kazakh


# --- the creditor dashboard -------------------------------------------------------------


@time_machine.travel(NOW, tick=False)
def test_dashboard_lists_cases_needing_action_first_with_deadlines_highlighted(client):
    from resolution.services.confirmation import answer_loan

    first = awaiting_case()
    staff = first.staff[0]
    creditor = first.creditors[0]
    answered = awaiting_case()
    overdue = awaiting_case()
    soon = awaiting_case()
    for world in (answered, overdue, soon):  # the same creditor has a loan in each case
        from tests.factories import CaseLoanFactory, LoanFactory

        loan = LoanFactory(creditor=creditor, borrower_iin=world.case.borrower.iin)
        case_loan = CaseLoanFactory(case=world.case, loan=loan)
        CreditorRequest.objects.get_or_create(
            case=world.case, creditor=creditor,
            defaults={"sent_at": NOW, "deadline": NOW + timedelta(days=3)},
        )  # fmt: skip
        world.mine = case_loan
    answer_loan(creditor=creditor, case_loan_id=answered.mine.pk, action="confirm")
    CreditorRequest.objects.filter(case=overdue.case, creditor=creditor).update(
        deadline=NOW - timedelta(hours=1)
    )
    CreditorRequest.objects.filter(case=soon.case, creditor=creditor).update(
        deadline=NOW + timedelta(hours=5)
    )
    client.force_login(staff)
    response = client.get("/creditor/")
    cases = response.context["cases"]
    assert [c.pk for c in cases][:3] == [overdue.case.pk, soon.case.pk, first.case.pk]
    assert cases[-1].pk == answered.case.pk and not cases[-1].needs_action
    assert [c.urgency for c in cases[:3]] == ["overdue", "soon", ""]
    page = response.content.decode()
    assert 'class="overdue needs-action"' in page and 'class="soon needs-action"' in page
    pending = response.context["pending"]
    assert answered.mine.pk not in {cl.pk for cl in pending}
    assert pending[0].pk == overdue.mine.pk


def test_bulk_confirm_confirms_each_selected_loan_once(client):
    world = awaiting_case()
    creditor = world.creditors[0]
    second = awaiting_case()
    from tests.factories import CaseLoanFactory, LoanFactory

    loan = LoanFactory(creditor=creditor, borrower_iin=second.case.borrower.iin)
    extra = CaseLoanFactory(case=second.case, loan=loan)
    client.force_login(world.staff[0])
    ids = [str(world.loans[0].pk), str(extra.pk)]
    response = client.post("/creditor/bulk-confirm/", {"case_loan": ids})
    assert response.status_code == 302
    rows = DebtConfirmation.objects.filter(creditor=creditor)
    assert sorted(str(r.case_loan_id) for r in rows) == sorted(ids)
    assert all(r.action == "confirm" and r.via == "dashboard" and r.by_id for r in rows)
    world.loans[0].refresh_from_db()
    assert world.loans[0].confirmation_status == "confirmed"
    assert world.loans[0].confirmed_total_tiyn == world.loans[0].bureau_total_tiyn
    # a double submit books nothing twice
    again = client.post("/creditor/bulk-confirm/", {"case_loan": ids}, follow=True)
    assert DebtConfirmation.objects.filter(creditor=creditor).count() == 2
    assert "2 loans were already answered" in again.content.decode()


def test_bulk_confirm_is_scoped_to_the_organisation(client):
    world = awaiting_case()
    other = awaiting_case()
    client.force_login(world.staff[0])
    mixed = [str(world.loans[0].pk), str(other.loans[0].pk)]
    assert client.post("/creditor/bulk-confirm/", {"case_loan": mixed}).status_code == 404
    # another creditor's loan in the same case is not ours either
    same_case = [str(world.loans[1].pk)]
    assert client.post("/creditor/bulk-confirm/", {"case_loan": same_case}).status_code == 404
    assert client.post("/creditor/bulk-confirm/", {"case_loan": ["nonsense"]}).status_code == 404
    assert not DebtConfirmation.objects.exists()
    assert client.get("/creditor/bulk-confirm/").status_code == 405
    borrower = Client()
    borrower.force_login(world.case.borrower.user)
    assert borrower.post("/creditor/bulk-confirm/", {"case_loan": mixed[:1]}).status_code == 403
    assert not DebtConfirmation.objects.exists()


def test_single_answers_need_a_post(client):
    world = awaiting_case()
    client.force_login(world.staff[0])
    assert client.get(f"/creditor/case-loans/{world.loans[0].pk}/confirm/").status_code == 405
    assert not DebtConfirmation.objects.exists()


def _csv(response):
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode())))


def test_cases_csv_is_scoped_with_plain_decimal_money(client):
    world = awaiting_case(totals=[(1_234_567_89, 10_00, 5), (20_000_000, 0, 0), (1, 0, 0)])
    other = awaiting_case()
    client.force_login(world.staff[0])
    rows = _csv(client.get("/creditor/cases.csv"))
    header, body = rows[0], rows[1:]
    assert header[:4] == ["case_reference", "case_status", "submitted_at", "contract_number"]
    assert len(body) == 1
    row = dict(zip(header, body[0], strict=True))
    assert row["case_reference"] == world.case.reference and row["contract_number"] == "K-1-2024"
    assert row["bureau_principal_kzt"] == "1234567.89"
    assert row["bureau_penalty_kzt"] == "0.05"
    assert row["bureau_total_kzt"] == "1234577.94"
    assert row["confirmation_status"] == "pending" and row["answer_deadline"]
    assert row["answer_deadline"].endswith("+05:00")  # Almaty time, as the screens show
    assert other.case.reference not in "".join(",".join(r) for r in rows)


def test_payouts_csv_is_scoped_with_plain_decimal_money(client):
    plan, (mine, theirs) = make_plan([60_000_00, 40_000_00])
    book_payment(source="t", item=pay("p", 10_000_01, date(2026, 1, 5),
                                                        plan=plan))  # fmt: skip
    payouts = run_payouts(on=date(2026, 1, 5))
    assert len(payouts) == 2
    client.force_login(CreditorStaffFactory(creditor=mine).user)
    rows = _csv(client.get("/creditor/payouts.csv"))
    assert rows[0] == ["payout_id", "payout_date", "amount_kzt", "iban", "created_at"]
    mine_payout = next(p for p in payouts if p.creditor_id == mine.pk)
    approved = mine.payout_details.get(status="active")
    assert mine_payout.payout_details == approved and mine_payout.iban == approved.iban
    assert rows[1:] == [[str(mine_payout.pk), "2026-01-05",
                         str(Decimal(mine_payout.amount_tiyn) / 100), approved.iban,
                         rows[1][4]]]  # fmt: skip
    assert "." in rows[1][2] and "," not in rows[1][2]


# --- error pages ---------------------------------------------------------------------------


@override_settings(DEBUG=False)
@pytest.mark.parametrize(
    ("language", "not_found", "denied"),
    [
        ("kk", "Бет табылмады", "Кіруге рұқсат жоқ"),
        ("ru", "Страница не найдена", "Доступ запрещён"),
    ],
)
def test_error_pages_speak_the_users_language(language, not_found, denied):
    world = awaiting_case(language=language)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(world.case.borrower.user)
    missing = client.get("/portal/cases/NOPE-1/")
    assert missing.status_code == 404 and not_found in missing.content.decode()
    forbidden = client.get("/creditor/")
    assert forbidden.status_code == 403 and denied in forbidden.content.decode()
    assert "Traceback" not in missing.content.decode() + forbidden.content.decode()


@override_settings(DEBUG=False)
@pytest.mark.urls("tests.ui.error_urls")
@pytest.mark.parametrize(("language", "words"), [("kk", 'lang="kk"'), ("ru", 'lang="ru"')])
def test_server_error_page_is_translated_and_has_no_trace(language, words):
    client = Client(HTTP_ACCEPT_LANGUAGE=language, raise_request_exception=False)
    response = client.get("/boom/")
    page = response.content.decode()
    assert response.status_code == 500
    assert words in page
    assert "Something went wrong on our side" not in page  # translated, not the English msgid
    assert "Traceback" not in page and "ZeroDivisionError" not in page
    assert "secret-detail" not in page


def test_field_errors_are_tied_to_their_inputs(client):
    response = client.post("/portal/register/", {"iin": "123", "full_name": "", "phone": "+7"})
    page = response.content.decode()
    assert response.status_code == 200
    iin_input = re.search(r"<input[^>]*name=\"iin\"[^>]*>", page).group(0)
    assert 'aria-invalid="true"' in iin_input
    described = re.search(r'aria-describedby="([^"]+)"', iin_input).group(1).split()
    assert "id_iin-error" in described
    assert 'id="id_iin-error"' in page and 'class="field-error" id="id_iin-error"' in page
    phone_input = re.search(r"<input[^>]*name=\"phone\"[^>]*>", page).group(0)
    assert "id_phone-help" in phone_input and 'id="id_phone-help"' in page
    email_input = re.search(r"<input[^>]*name=\"email\"[^>]*>", page).group(0)
    assert "aria-invalid" not in email_input  # optional and empty: not an error
