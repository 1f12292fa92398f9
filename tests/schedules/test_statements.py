"""Monthly statements: the borrower's (PDF and CSV, in the cabinet, own plan only) and the
creditor's (month selector, payment reference, balance left). Totals are checked against the
ledger, not against the statement's own arithmetic."""

import csv
import io
from datetime import date, datetime
from decimal import Decimal

import pytest
import time_machine
from django.db.models import Q, Sum
from django.urls import reverse
from pypdf import PdfReader

from finplatform.clock import BUSINESS_TZ
from resolution.models import Notification
from resolution.services.reminders import send_statement_notices
from schedules.models import LedgerEntry, Side
from schedules.services.payments import book_payment, reverse_payment
from schedules.statement_months import month_bounds, statement_months
from schedules.statements import borrower_statement
from tests.factories import CreditorStaffFactory
from tests.support.ledger import make_plan
from tests.support.payments import pay

pytestmark = pytest.mark.django_db

DEC = month_bounds(date(2026, 12, 1))


def at(day: date, hour=12):
    return time_machine.travel(
        datetime(day.year, day.month, day.day, hour, tzinfo=BUSINESS_TZ), tick=False
    )


@pytest.fixture
def paid_plan():
    """A plan signed on 16 Nov 2026 with payments in November, December and January and, in
    December, one payment reversed a few days later."""
    with at(date(2026, 11, 16)):
        plan, creditors = make_plan(
            [60_000_000, 40_000_000, 3_333_333], first_due=date(2026, 12, 16)
        )
    book = book_payment
    book(source="provider:kaspi", item=pay("nov-1", 1_000_000, date(2026, 11, 25), plan=plan))
    book(source="provider:kaspi", item=pay("dec-1", 5_000_000, date(2026, 12, 5), plan=plan))
    wrong = book(source="provider:halyk", item=pay("dec-2", 777_777, date(2026, 12, 9), plan=plan))
    book(source="provider:kaspi", item=pay("dec-3", 3_333_333, date(2026, 12, 20), plan=plan))
    with at(date(2026, 12, 22)):
        reverse_payment(payment_id=wrong.payment.pk, reason="sent by mistake")
    book(source="provider:kaspi", item=pay("jan-1", 2_000_000, date(2027, 1, 3), plan=plan))
    plan.refresh_from_db()
    return plan, creditors


def ledger_received(creditor, *, before: date) -> int:
    sums = LedgerEntry.objects.filter(
        account__creditor=creditor, transaction__booked_on__lt=before
    ).aggregate(
        c=Sum("amount_tiyn", filter=Q(side=Side.CREDIT)),
        d=Sum("amount_tiyn", filter=Q(side=Side.DEBIT)),
    )
    return (sums["c"] or 0) - (sums["d"] or 0)


def test_statement_totals_equal_the_ledger(paid_plan):
    plan, creditors = paid_plan
    s = borrower_statement(plan, date_from=DEC[0], date_to=DEC[1])
    assert [(line.reference, line.amount_tiyn) for line in s.lines] == [
        ("dec-1", 5_000_000), ("dec-2", 777_777), ("dec-3", 3_333_333), ("dec-2", -777_777),
    ]  # fmt: skip
    assert s.lines[0].provider == "provider:kaspi" and s.lines[3].kind == "reversal"
    # the sum of payments in the month is the statement total
    bank_in = (
        LedgerEntry.objects.filter(
            transaction__plan=plan,
            transaction__booked_on__range=DEC,
            account__code="bank",
        ).aggregate(d=Sum("amount_tiyn", filter=Q(side=Side.DEBIT)),
                    c=Sum("amount_tiyn", filter=Q(side=Side.CREDIT)))
    )  # fmt: skip
    assert s.total_in_tiyn == bank_in["d"] - bank_in["c"] == 8_333_333
    # each payment's parts add up to it; each creditor's parts are its ledger credits
    for line in s.lines:
        assert line.parts_total + line.overpaid_tiyn == line.amount_tiyn
    for index, creditor in enumerate(creditors):
        got = ledger_received(creditor, before=date(2027, 1, 1)) - ledger_received(
            creditor, before=date(2026, 12, 1)
        )
        assert s.parts_totals[index] == got
        assert s.opening[index] == s.debts[index] - ledger_received(creditor, before=DEC[0])
        assert s.closing[index] == s.opening[index] - got
    assert s.opening_total == plan.total_tiyn - 1_000_000
    # balances match the plan: what is outstanding now, less January's payment
    assert s.closing_total == plan.outstanding_tiyn + 2_000_000
    january = borrower_statement(plan, date_from=date(2027, 1, 1), date_to=date(2027, 1, 31))
    assert january.opening == s.closing
    assert january.closing_total == plan.outstanding_tiyn


def test_statement_months_run_from_signing_to_now(paid_plan):
    plan, _ = paid_plan
    assert statement_months(plan, today=date(2027, 2, 10)) == [
        date(2027, 2, 1), date(2027, 1, 1), date(2026, 12, 1), date(2026, 11, 1),
    ]  # fmt: skip


def test_borrower_downloads_csv_and_pdf_of_a_month(client, paid_plan):
    plan, creditors = paid_plan
    with at(date(2027, 1, 10)):
        client.force_login(plan.case.borrower.user)
        page = client.get(reverse("schedules:borrower_schedule")).content.decode()
        assert 'value="2026-12"' in page and 'value="2026-10"' not in page
        url = reverse("schedules:borrower_statement_csv", args=[plan.case.reference])
        response = client.get(url, {"month": "2026-12"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0][:6] == ["date", "kind", "provider", "reference", "amount_kzt", "overpaid_kzt"]
    assert rows[0][6:9] == [f"{c.name} (BIN {c.bin}) kzt" for c in creditors]
    assert rows[1][1] == "opening_balance" and rows[-1][1] == "closing_balance"
    payments = rows[2:-2]
    assert [r[3] for r in payments] == ["dec-1", "dec-2", "dec-3", "dec-2"]
    assert rows[-2][1] == "total_in_month" and rows[-2][4] == "83333.33"
    tiyn = [round(Decimal(r[-1]) * 100) for r in (rows[-1], rows[1], payments[-1])]
    assert tiyn[0] == tiyn[1] - 8_333_333 == tiyn[2]

    with at(date(2027, 1, 10)):
        pdf = client.get(
            reverse("schedules:borrower_statement_pdf", args=[plan.case.reference]),
            {"month": "2026-12"},
        )
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert plan.case.reference in text and creditors[0].name in text
    assert "83 333,33" in text.replace("\u00a0", " ")  # 8 333 333 tiyn in the month


def test_month_outside_the_plan_is_a_field_error(client, paid_plan):
    plan, _ = paid_plan
    url = reverse("schedules:borrower_statement_csv", args=[plan.case.reference])
    with at(date(2027, 1, 10)):
        client.force_login(plan.case.borrower.user)
        response = client.get(url, {"month": "2026-10"})
        assert response.status_code == 400
        assert response.context["statement_form"].errors["month"]
        assert client.get(url, {"month": "nonsense"}).status_code == 400


def test_another_borrowers_statement_is_not_found(client, paid_plan):
    plan, _ = paid_plan
    with at(date(2026, 11, 16)):
        other, _ = make_plan([10_000_000], first_due=date(2026, 12, 16))
    with at(date(2027, 1, 10)):
        client.force_login(other.case.borrower.user)
        for name in ("schedules:borrower_statement_csv", "schedules:borrower_statement_pdf"):
            url = reverse(name, args=[plan.case.reference])
            assert client.get(url, {"month": "2026-12"}).status_code == 404
        own = reverse("schedules:borrower_statement_csv", args=[other.case.reference])
        assert client.get(own, {"month": "2026-12"}).status_code == 200
    # creditor staff are not borrowers
    client.force_login(CreditorStaffFactory().user)
    url = reverse("schedules:borrower_statement_csv", args=[plan.case.reference])
    assert client.get(url, {"month": "2026-12"}).status_code == 403


def test_pdf_is_in_the_borrowers_language(client, paid_plan):
    plan, _ = paid_plan
    borrower = plan.case.borrower
    borrower.preferred_language = "kk"
    borrower.save(update_fields=["preferred_language"])
    with at(date(2027, 1, 10)):
        client.force_login(borrower.user)
        pdf = client.get(
            reverse("schedules:borrower_statement_pdf", args=[plan.case.reference]),
            {"month": "2026-12"},
        )
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Айлық үзінді көшірме" in text


def test_statement_ready_notice_once_per_month(paid_plan):
    plan, _ = paid_plan
    with at(date(2026, 12, 1)):
        assert send_statement_notices() == 1  # November's
    with at(date(2026, 12, 2)):
        assert send_statement_notices() == 0
    with at(date(2027, 1, 1)):
        assert send_statement_notices() == 1  # December's
    notices = Notification.objects.filter(case=plan.case, template_key="statement_ready")
    assert sorted(n.context["period"] for n in notices) == ["2026-11", "2026-12"]
    assert "December 2026" in notices.get(context__period="2026-12").subject


def test_creditor_statement_by_month_with_reference_and_balance(client, paid_plan):
    plan, creditors = paid_plan
    creditor = creditors[0]
    client.force_login(CreditorStaffFactory(creditor=creditor).user)
    response = client.get(reverse("creditors:statement_csv"), {"month": "2026-12"})
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["date", "kind", "case", "credit_kzt", "debit_kzt", "provider",
                       "reference", "payment_kzt", "case_balance_left_kzt",
                       "overdue_principal_kzt", "overdue_interest_kzt", "penalty_kzt",
                       "current_principal_kzt", "current_interest_kzt", "costs_kzt",
                       "unallocated_kzt"]  # fmt: skip
    assert [r[6] for r in rows[1:]] == ["dec-1", "dec-2", "dec-3", "dec-2"]
    assert [r[7] for r in rows[1:]] == ["50000.00", "7777.77", "33333.33", "-7777.77"]
    s = borrower_statement(plan, date_from=DEC[0], date_to=DEC[1])
    tiyn = lambda text: round(Decimal(text) * 100)  # noqa: E731
    assert [tiyn(r[3]) - tiyn(r[4]) for r in rows[1:]] == [line.parts[0] for line in s.lines]
    assert tiyn(rows[-1][8]) == s.closing[0]
    pdf = client.get(reverse("creditors:statement_pdf"), {"month": "2026-12"})
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "dec-3" in text and creditors[1].name not in text
    assert client.get(reverse("creditors:statement_csv"), {"month": "2026-13"}).status_code == 400


def test_statement_csvs_do_not_turn_a_providers_key_into_a_spreadsheet_formula(client, paid_plan):
    plan, creditors = paid_plan
    key = '=HYPERLINK("http://evil.example","refund")'
    book_payment(source="provider:kaspi", item=pay(key, 1_000_000, date(2027, 1, 9), plan=plan))
    client.force_login(CreditorStaffFactory(creditor=creditors[0]).user)
    creditor_rows = list(
        csv.reader(
            io.StringIO(
                client.get(
                    reverse("creditors:statement_csv"), {"month": "2027-01"}
                ).content.decode()
            )
        )
    )
    assert [r[6] for r in creditor_rows[1:]] == ["jan-1", "'" + key]
    url = reverse("schedules:borrower_statement_csv", args=[plan.case.reference])
    with at(date(2027, 1, 20)):
        client.force_login(plan.case.borrower.user)
        borrower_rows = list(
            csv.reader(io.StringIO(client.get(url, {"month": "2027-01"}).content.decode()))
        )
    assert "'" + key in [r[3] for r in borrower_rows]
    assert key not in [r[3] for r in borrower_rows]


def test_csv_cells_keep_numbers_and_neutralise_formula_text():
    from finplatform.csvexport import csv_attachment

    response, writer = csv_attachment("x.csv")
    writer.writerow(["=1+1", "+7", "-2", "@SUM(A1)", "plain", None, -500, date(2027, 1, 9)])
    assert response["Content-Disposition"] == 'attachment; filename="x.csv"'
    assert list(csv.reader(io.StringIO(response.content.decode()))) == [
        ["'=1+1", "'+7", "'-2", "'@SUM(A1)", "plain", "", "-500", "2027-01-09"]
    ]
