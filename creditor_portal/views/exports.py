"""The creditor's downloads: its cases and payouts as CSV, and the statement of a period as
CSV or PDF. Scoped to the signed-in staff member's organisation."""

from __future__ import annotations

from django.shortcuts import render
from django.template.loader import render_to_string
from weasyprint import HTML

from creditor_portal.forms import StatementPeriodForm
from creditors.selectors import creditor_for_user
from finplatform.clock import business_date
from finplatform.csvexport import csv_attachment, kzt, local_time
from finplatform.middleware import query_read_by_form
from finplatform.money import format_tenge, tiyn_to_decimal
from finplatform.permissions import creditor_staff_required
from finplatform.replica import replica_reads
from finplatform.uploads import PDF, serve
from resolution.selectors import creditor as reads
from schedules import selectors, statements
from schedules.allocation import ORDER as ALLOCATION_ORDER


def _money(tiyn: int | None) -> str:
    return "" if tiyn is None else str(tiyn_to_decimal(tiyn))


@creditor_staff_required
@replica_reads  # read-only: the replica when there is one
def cases_csv(request):
    """One row per loan of the organisation in a case; money as plain decimal tenge."""
    creditor = creditor_for_user(request.user)
    response, writer = csv_attachment(f"cases-{creditor.bin}.csv")
    writer.writerow([
        "case_reference", "case_status", "submitted_at", "contract_number", "included",
        "bureau_principal_kzt", "bureau_interest_kzt", "bureau_penalty_kzt", "bureau_total_kzt",
        "confirmation_status", "confirmed_total_kzt", "answer_deadline",
    ])  # fmt: skip
    for cl in reads.case_loans_for_export(creditor).iterator(chunk_size=500):
        writer.writerow([
            cl.case.reference, cl.case.status,
            local_time(cl.case.submitted_at),
            cl.loan.contract_number, "yes" if cl.included else "no",
            _money(cl.bureau_principal_tiyn), _money(cl.bureau_interest_tiyn),
            _money(cl.bureau_penalty_tiyn), _money(cl.bureau_total_tiyn),
            cl.confirmation_status, _money(cl.confirmed_total_tiyn),
            local_time(cl.deadline),
        ])  # fmt: skip
    return response


@creditor_staff_required
@replica_reads  # read-only: the replica when there is one
def payouts_csv(request):
    """Every payout to the caller's organisation; money as plain decimal tenge."""
    creditor = creditor_for_user(request.user)
    response, writer = csv_attachment(f"payouts-{creditor.bin}.csv")
    writer.writerow(["payout_id", "payout_date", "amount_kzt", "iban", "created_at"])
    for payout in selectors.payouts_for_creditor(creditor).iterator(chunk_size=500):
        writer.writerow(
            [
                payout.pk,
                payout.payout_date.isoformat(),
                tiyn_to_decimal(payout.amount_tiyn),
                payout.iban,
                local_time(payout.created_at),
            ]
        )
    return response


@query_read_by_form  # a NUL in ?month= is the period form's error
@creditor_staff_required
@replica_reads  # read-only: the replica when there is one
def creditor_statement(request, fmt: str):
    creditor = creditor_for_user(request.user)
    today = business_date()
    period = StatementPeriodForm(request.GET or {"month": today.strftime("%Y-%m")})
    if not period.is_valid():
        return render(
            request,
            "creditor_portal/payouts.html",
            {"creditor": creditor, "period": period, "payouts": [], "resumptions": []},
            status=400,
        )
    date_from, date_to = period.cleaned_data["date_from"], period.cleaned_data["date_to"]
    statement = statements.creditor_statement(creditor, date_from=date_from, date_to=date_to)
    filename = f"statement-{creditor.bin}-{date_from}-{date_to}"
    if fmt == "csv":
        response, writer = csv_attachment(f"{filename}.csv")
        components = [*ALLOCATION_ORDER, "unallocated"]
        writer.writerow(["date", "kind", "case", "credit_kzt", "debit_kzt", "provider",
                         "reference", "payment_kzt", "case_balance_left_kzt",
                         *(f"{c}_kzt" for c in components)])  # fmt: skip
        for line in statement.lines:
            writer.writerow([
                line.booked_on, line.kind, line.case_reference, kzt(line.credit_tiyn),
                kzt(line.debit_tiyn), line.provider, line.reference, kzt(line.payment_tiyn),
                kzt(line.case_balance_tiyn),
                *(kzt(line.allocated(c)) if line.allocation else "" for c in components),
            ])  # fmt: skip
        return response
    html = render_to_string(
        "creditor_portal/statement_pdf.html",
        {
            "creditor": creditor,
            "date_from": date_from,
            "date_to": date_to,
            "statement": statement,
            "lines": statement.lines,
            "total_credit": format_tenge(statement.total_credit_tiyn),
            "total_debit": format_tenge(statement.total_debit_tiyn),
        },
    )
    return serve(HTML(string=html).write_pdf(), name=f"{filename}.pdf", content_type=PDF)
