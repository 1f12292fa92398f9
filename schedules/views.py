"""Thin views: the borrower's schedule (with the dev-only simulated "pay" button) and the
creditor's payouts and statements. Each is scoped to the caller's own plan / organisation."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from creditors.selectors import active_payout_details, creditor_for_user
from finplatform.clock import business_date
from finplatform.csvexport import csv_attachment
from finplatform.errors import ApplicationError, ConflictError
from finplatform.money import format_tenge, tiyn_to_decimal
from finplatform.permissions import borrower_required, creditor_staff_required
from schedules import selectors, statements
from schedules.forms import SimulatedPaymentForm, StatementMonthForm, StatementPeriodForm
from schedules.services import payments as services

INSTALMENT_STATUS = {
    "paid": pgettext_lazy("instalment status", "Paid"),
    "partial": pgettext_lazy("instalment status", "Partly paid"),
    "overdue": pgettext_lazy("instalment status", "Overdue"),
    "due": pgettext_lazy("instalment status", "Due"),
    "upcoming": pgettext_lazy("instalment status", "Upcoming"),
}
CHART_WIDTH, CHART_HEIGHT = 600, 120


def _chart(state) -> dict:
    """Paid vs remaining for the page: the overall share and one SVG bar per instalment
    (integer arithmetic on tiyn; only the drawing coordinates are rounded)."""
    total = sum(i.amount_tiyn for i in state.instalments)
    paid = sum(i.paid_tiyn for i in state.instalments)
    rows = state.instalments
    biggest = max((i.amount_tiyn for i in rows), default=0) or 1
    slot = CHART_WIDTH / max(len(rows), 1)
    bars = []
    for index, inst in enumerate(rows):
        height = round(100 * inst.amount_tiyn / biggest, 1)
        share = inst.paid_tiyn / inst.amount_tiyn if inst.amount_tiyn else 0
        paid_height = round(height * share, 1)
        bars.append({
            "x": round(index * slot + slot * 0.15, 1), "width": round(slot * 0.7, 1),
            "y": round(105 - height, 1), "height": height,
            "paid_y": round(105 - paid_height, 1), "paid_height": paid_height,
            "late": inst.status == "overdue", "number": inst.number,
            "label": inst.due_date, "inst": inst,
        })  # fmt: skip
    return {
        "total_tiyn": total,
        "paid_tiyn": paid,
        "left_tiyn": total - paid,
        "paid_percent": round(100 * paid / total, 1) if total else 0,
        "bars": bars,
        "label_every": max(1, len(rows) // 12),
        "width": CHART_WIDTH,
        "height": CHART_HEIGHT,
    }


LANGS = {"ru", "kk", "en"}


@borrower_required
def borrower_schedule(request):
    plan = selectors.plan_for_borrower(request.user.borrower)
    if plan is None:
        raise Http404
    form = SimulatedPaymentForm(request.POST or None, initial={"idempotency_key": uuid.uuid4()})
    if request.method == "POST":
        if not settings.PORTAL_SIMULATED_PAYMENTS:
            raise Http404
        if form.is_valid():
            try:
                services.book_payment(
                    source=f"portal:{request.user.borrower.pk}",
                    item=services.PaymentIn(
                        idempotency_key=str(form.cleaned_data["idempotency_key"]),
                        amount_tiyn=form.cleaned_data["amount"],
                        paid_at=datetime.now(UTC),
                        payer_iin=request.user.borrower.iin,
                        case_reference=plan.case.reference,
                    ),
                )
            except ConflictError:
                # The form's one-off key was booked already: this is a double submit.
                messages.info(request, _("This payment was already received."))
                return redirect("schedules:borrower_schedule")
            except ApplicationError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, _("Payment received."))
                return redirect("schedules:borrower_schedule")
    return _render_schedule(request, plan, form=form)


def _render_schedule(request, plan, *, form=None, statement_form=None, status=200):
    if statement_form is None:
        statement_form = StatementMonthForm(months=statements.statement_months(plan))
    if form is None:
        form = SimulatedPaymentForm(initial={"idempotency_key": uuid.uuid4()})
    state = selectors.plan_state(plan)
    view = selectors.schedule_view(plan)
    by_number = {i.number: i for i in state.instalments}
    rows = [
        {"line": line, "state": by_number.get(line.number),
         "status": INSTALMENT_STATUS.get(getattr(by_number.get(line.number), "status", ""), "")}
        for line in view.lines
    ]  # fmt: skip
    return render(
        request,
        "schedules/borrower_schedule.html",
        {
            "plan": plan,
            "view": view,
            "rows": rows,
            "state": state,
            "chart": _chart(state),
            "next_due": next((i for i in state.instalments if i.outstanding_tiyn > 0), None),
            "payments": selectors.payments_for_plan(plan)[:100],
            "form": form if settings.PORTAL_SIMULATED_PAYMENTS else None,
            "statement_form": statement_form,
        },
        status=status,
    )


@borrower_required
def borrower_statement(request, reference: str, fmt: str):
    """The borrower's statement for one month of the plan, as CSV or PDF (own plan only)."""
    borrower = request.user.borrower
    plan = statements.plan_for_borrower_reference(borrower, reference)
    months = statements.statement_months(plan)
    form = StatementMonthForm(request.GET, months=months)
    if not form.is_valid():
        return _render_schedule(request, plan, statement_form=form, status=400)
    month = statements.parse_month(form.cleaned_data["month"])
    date_from, date_to = statements.month_bounds(month)
    statement = statements.borrower_statement(plan, date_from=date_from, date_to=date_to)
    filename = f"statement-{plan.case.reference}-{month:%Y-%m}"
    if fmt == "csv":
        response, writer = csv_attachment(f"{filename}.csv")
        write_borrower_statement_csv(writer, statement)
        return response
    from weasyprint import HTML

    language = borrower.preferred_language if borrower.preferred_language in LANGS else "ru"
    with translation.override(language):
        html = render_to_string(
            "schedules/borrower_statement_pdf.html",
            {"s": statement, "plan": plan, "borrower": borrower, "month": month,
             "language": language},
        )  # fmt: skip
    response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
    return response


def write_borrower_statement_csv(writer, statement: statements.BorrowerStatement) -> None:
    """One row per payment: its money in, the overpaid part and each creditor's part (a column
    per creditor) and the total left to pay after it; an opening and a closing row carry what
    is left to pay to each creditor. Amounts in tiyn."""
    writer.writerow(
        ["date", "kind", "provider", "reference", "amount_tiyn", "overpaid_tiyn"]
        + [f"creditor_{c.bin}_tiyn" for c in statement.creditors]
        + ["balance_left_tiyn"]
    )
    writer.writerow(
        [statement.date_from, "opening_balance", "", "", "", ""]
        + list(statement.opening) + [statement.opening_total]
    )  # fmt: skip
    left = statement.opening_total
    for line in statement.lines:
        left -= line.parts_total
        writer.writerow(
            [line.booked_on, line.kind, line.provider, line.reference, line.amount_tiyn,
             line.overpaid_tiyn] + list(line.parts) + [left]
        )  # fmt: skip
    writer.writerow(
        [statement.date_to, "total_in_month", "", "", statement.total_in_tiyn,
         statement.overpaid_tiyn] + list(statement.parts_totals) + [""]
    )  # fmt: skip
    writer.writerow(
        [statement.date_to, "closing_balance", "", "", "", ""]
        + list(statement.closing) + [statement.closing_total]
    )  # fmt: skip


@creditor_staff_required
def creditor_payouts(request):
    creditor = creditor_for_user(request.user)
    return render(
        request,
        "schedules/creditor_payouts.html",
        {
            "creditor": creditor,
            "payout_details": active_payout_details(creditor),
            "payouts": selectors.payouts_for_creditor(creditor)[:200],
            "resumptions": selectors.resumptions_for_creditor(creditor),
            "period": StatementPeriodForm(),
        },
    )


@creditor_staff_required
def creditor_payouts_csv(request):
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
                payout.created_at.isoformat(),
            ]
        )
    return response


@creditor_staff_required
def creditor_statement(request, fmt: str):
    creditor = creditor_for_user(request.user)
    today = business_date()
    period = StatementPeriodForm(request.GET or {"month": today.strftime("%Y-%m")})
    if not period.is_valid():
        return render(
            request,
            "schedules/creditor_payouts.html",
            {"creditor": creditor, "period": period, "payouts": [], "resumptions": []},
            status=400,
        )
    date_from, date_to = period.cleaned_data["date_from"], period.cleaned_data["date_to"]
    statement = statements.creditor_statement(creditor, date_from=date_from, date_to=date_to)
    filename = f"statement-{creditor.bin}-{date_from}-{date_to}"
    if fmt == "csv":
        response, writer = csv_attachment(f"{filename}.csv")
        writer.writerow(["date", "kind", "case", "credit_tiyn", "debit_tiyn", "provider",
                         "reference", "payment_tiyn", "case_balance_left_tiyn"])  # fmt: skip
        for line in statement.lines:
            writer.writerow([
                line.booked_on, line.kind, line.case_reference, line.credit_tiyn,
                line.debit_tiyn, line.provider, line.reference, line.payment_tiyn,
                "" if line.case_balance_tiyn is None else line.case_balance_tiyn,
            ])  # fmt: skip
        return response
    from weasyprint import HTML

    html = render_to_string(
        "schedules/creditor_statement_pdf.html",
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
    response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
    return response
