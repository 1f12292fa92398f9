"""The borrower's schedule (with the dev-only simulated "pay" button) and monthly statements
as CSV or PDF. Scoped to the borrower's own plan."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from weasyprint import HTML

from finplatform.clock import business_now
from finplatform.csvexport import csv_attachment, kzt
from finplatform.errors import ApplicationError, ConflictError
from finplatform.middleware import query_read_by_form
from finplatform.money import format_tenge
from finplatform.permissions import borrower_required
from finplatform.uploads import PDF, serve
from portal.forms import SimulatedPaymentForm, StatementMonthForm
from portal.payment_details import payment_instructions
from resolution.selectors.changes import approved_transfers_for_case, termination_of
from schedules import selectors, statement_months, statements
from schedules.models import PlanStatus
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
                        paid_at=business_now(),  # the business clock (dev clock too)
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
        statement_form = StatementMonthForm(months=statement_months.statement_months(plan))
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
    terminated = plan.status == PlanStatus.TERMINATED
    termination = termination_of(plan.case) if terminated else None
    next_due = None if termination else next(
        (i for i in state.instalments if i.outstanding_tiyn > 0), None
    )  # fmt: skip
    return render(
        request,
        "portal/borrower_schedule.html",
        {
            "plan": plan,
            "view": view,
            "rows": rows,
            "state": state,
            "chart": _chart(state),
            "next_due": next_due,
            "pay": payment_instructions(
                reference=plan.case.reference,
                amount_text=format_tenge(next_due.outstanding_tiyn) if next_due else None,
            ),
            "payments": selectors.payments_for_plan(plan)[:100],
            "form": form if settings.PORTAL_SIMULATED_PAYMENTS else None,
            "statement_form": statement_form,
            "termination": termination,
            "transfers": approved_transfers_for_case(plan.case) if view.sold else (),
        },
        status=status,
    )


@query_read_by_form  # a NUL in ?month= is the month form's error
@borrower_required
def borrower_statement(request, reference: str, fmt: str):
    """The borrower's statement for one month of the plan, as CSV or PDF (own plan only)."""
    borrower = request.user.borrower
    plan = statements.plan_for_borrower_reference(borrower, reference)
    months = statement_months.statement_months(plan)
    form = StatementMonthForm(request.GET, months=months)
    if not form.is_valid():
        return _render_schedule(request, plan, statement_form=form, status=400)
    month = statement_months.parse_month(form.cleaned_data["month"])
    date_from, date_to = statement_months.month_bounds(month)
    statement = statements.borrower_statement(plan, date_from=date_from, date_to=date_to)
    filename = f"statement-{plan.case.reference}-{month:%Y-%m}"
    if fmt == "csv":
        response, writer = csv_attachment(f"{filename}.csv")
        write_borrower_statement_csv(writer, statement)
        return response
    language = borrower.preferred_language if borrower.preferred_language in LANGS else "ru"
    with translation.override(language):
        html = render_to_string(
            "portal/borrower_statement_pdf.html",
            {"s": statement, "plan": plan, "borrower": borrower, "month": month,
             "language": language},
        )  # fmt: skip
    return serve(HTML(string=html).write_pdf(), name=f"{filename}.pdf", content_type=PDF)


def _kzt_all(values) -> list[str]:
    return [kzt(v) for v in values]


def write_borrower_statement_csv(writer, statement: statements.BorrowerStatement) -> None:
    """One row per payment: its money in, the overpaid part and each creditor's part (a column
    per creditor) and the total left to pay after it; an opening and a closing row carry what
    is left to pay to each creditor, named with its BIN. Amounts in plain decimal tenge."""
    writer.writerow(
        ["date", "kind", "provider", "reference", "amount_kzt", "overpaid_kzt"]
        + [f"{c.name} (BIN {c.bin}) kzt" for c in statement.creditors]
        + ["balance_left_kzt"]
    )
    writer.writerow(
        [statement.date_from, "opening_balance", "", "", "", ""]
        + _kzt_all(statement.opening) + [kzt(statement.opening_total)]
    )  # fmt: skip
    left = statement.opening_total
    for line in statement.lines:
        left -= line.parts_total
        writer.writerow(
            [line.booked_on, line.kind, line.provider, line.reference, kzt(line.amount_tiyn),
             kzt(line.overpaid_tiyn)] + _kzt_all(line.parts) + [kzt(left)]
        )  # fmt: skip
    writer.writerow(
        [statement.date_to, "total_in_month", "", "", kzt(statement.total_in_tiyn),
         kzt(statement.overpaid_tiyn)] + _kzt_all(statement.parts_totals) + [""]
    )  # fmt: skip
    writer.writerow(
        [statement.date_to, "closing_balance", "", "", "", ""]
        + _kzt_all(statement.closing) + [kzt(statement.closing_total)]
    )  # fmt: skip
