"""Thin views: the borrower's schedule (with the dev-only simulated "pay" button) and the
creditor's payouts and statements. Each is scoped to the caller's own plan / organisation."""

from __future__ import annotations

import csv
import uuid
from datetime import UTC, datetime

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from creditors.selectors import creditor_for_user
from finplatform.clock import business_date
from finplatform.errors import ApplicationError, ConflictError
from finplatform.permissions import borrower_required, creditor_staff_required
from schedules import selectors, services
from schedules.forms import SimulatedPaymentForm, StatementPeriodForm
from schedules.money import format_tenge


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
    view = selectors.schedule_view(plan)
    state = selectors.plan_state(plan)
    by_number = {s.number: s for s in state.instalments}
    return render(
        request,
        "schedules/borrower_schedule.html",
        {
            "plan": plan,
            "view": view,
            "state": state,
            # each line beside its state (the template used to search the states per line)
            "rows": [(line, by_number.get(line.number)) for line in view.lines],
            "payments": selectors.payments_for_plan(plan)[:100],
            "form": form if settings.PORTAL_SIMULATED_PAYMENTS else None,
        },
    )


@creditor_staff_required
def creditor_payouts(request):
    creditor = creditor_for_user(request.user)
    return render(
        request,
        "schedules/creditor_payouts.html",
        {
            "creditor": creditor,
            "payouts": selectors.payouts_for_creditor(creditor)[:200],
            "resumptions": selectors.resumptions_for_creditor(creditor),
            "period": StatementPeriodForm(),
        },
    )


@creditor_staff_required
def creditor_statement(request, fmt: str):
    creditor = creditor_for_user(request.user)
    today = business_date()
    period = StatementPeriodForm(
        request.GET or {"date_from": today.replace(day=1), "date_to": today}
    )
    if not period.is_valid():
        return render(
            request,
            "schedules/creditor_payouts.html",
            {"creditor": creditor, "period": period, "payouts": [], "resumptions": []},
            status=400,
        )
    date_from, date_to = period.cleaned_data["date_from"], period.cleaned_data["date_to"]
    lines = list(selectors.creditor_statement_lines(creditor, date_from=date_from, date_to=date_to))
    filename = f"statement-{creditor.bin}-{date_from}-{date_to}"
    if fmt == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
        writer = csv.writer(response)
        writer.writerow(["date", "kind", "case", "credit_tiyn", "debit_tiyn"])
        writer.writerows(lines)
        return response
    from weasyprint import HTML

    html = render_to_string(
        "schedules/creditor_statement_pdf.html",
        {
            "creditor": creditor,
            "date_from": date_from,
            "date_to": date_to,
            "lines": lines,
            "total_credit": format_tenge(sum(line[3] for line in lines)),
            "total_debit": format_tenge(sum(line[4] for line in lines)),
        },
    )
    response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}.pdf"'
    return response
