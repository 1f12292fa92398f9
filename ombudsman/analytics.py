"""The ombudsman's analytics page (/admin/analytics/): the funnel, creditors' answer times,
the signing rate, plans by status and collections per month, as server-drawn SVG charts with
the figures in tables, and the same figures as CSV. Scoped to the staff member's queue; a
senior sees all queues, or one with ?queue=. Aggregates only: no personal data."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from creditors.models import Ombudsman
from finplatform.clock import business_date
from finplatform.csvexport import csv_attachment
from finplatform.money import format_tenge, tiyn_to_decimal
from ombudsman import charts
from resolution.selectors import analytics as reads
from resolution.selectors.ombudsman import cases_for_ombudsman_staff, is_senior, own_queue
from schedules.selectors import collections_by_month

MONTHS = 12


def _scope(request):
    """(cases, the queue shown or None for all, queue choices for a senior)."""
    user = request.user
    if is_senior(user):
        queue = request.GET.get("queue")
        cases = cases_for_ombudsman_staff(user)
        if queue in Ombudsman.values:
            return cases.filter(ombudsman=queue), queue, Ombudsman.choices
        return cases, None, Ombudsman.choices
    queue = own_queue(user)
    if queue is None:
        raise PermissionDenied
    return cases_for_ombudsman_staff(user), queue, []


def _figures(cases) -> dict:
    return {
        "funnel": reads.funnel(cases),
        "answers": reads.answer_times(cases),
        "signing": reads.signing(cases),
        "plans": reads.plans_by_status(cases),
        "collections": collections_by_month(cases, months=MONTHS),
    }


def _hours(value) -> str:
    return "—" if value is None else _("%(hours)s h") % {"hours": number_format(value, 1)}


def _charts(figures: dict) -> list[charts.Chart]:
    funnel = [(stage.label, stage.count, str(stage.count)) for stage in figures["funnel"]]
    tones = ["main"] * (len(funnel) - 2) + ["good", "bad"]
    answers = [(row.creditor, int((row.average_hours or 0) * 10), _hours(row.average_hours))
               for row in figures["answers"]]  # fmt: skip
    signing = figures["signing"]
    signed = [(_("Signed"), signing.signed, str(signing.signed)),
              (_("Refused (not signed in time)"), signing.refused, str(signing.refused)),
              (_("Waiting for the signature"), signing.waiting, str(signing.waiting))]  # fmt: skip
    plans = [(str(label), count, str(count)) for _s, label, count in figures["plans"]]
    months = [(date_format(first, "m.Y"), applied, format_tenge(applied))
              for first, applied, _n in figures["collections"]]  # fmt: skip
    return [
        charts.rows(_("Funnel: cases that reached each stage"), funnel, tones=tones),
        charts.rows(_("Creditors' average answer time"), answers),
        charts.rows(_("Signing"), signed, tones=["good", "bad", "main"]),
        charts.rows(_("Repayment plans"), plans, tones=["main", "good", "bad", "bad"]),
        charts.columns(_("Collections per month (applied to the schedules)"), months),
    ]


def analytics_view(request):
    cases, queue, queues = _scope(request)
    figures = _figures(cases)
    context = {
        **admin.site.each_context(request),
        "title": _("Analytics"),
        "queue": queue,
        "queue_label": dict(Ombudsman.choices)[queue] if queue else _("All queues"),
        "queues": queues,
        "charts": _charts(figures),
        "collection_rows": [
            (date_format(first, "m.Y"), format_tenge(applied), count)
            for first, applied, count in figures["collections"]
        ],  # fmt: skip
        **figures,
    }
    return TemplateResponse(request, "admin/ombudsman/analytics.html", context)


def analytics_csv(request):
    """The page's figures, one row each: figure, label, value (money as plain decimal tenge)."""
    cases, queue, _queues = _scope(request)
    figures = _figures(cases)
    name = f"analytics-{queue or 'all'}-{business_date():%Y-%m-%d}.csv"
    response, writer = csv_attachment(name)
    writer.writerow(["figure", "label", "value"])
    for stage in figures["funnel"]:
        writer.writerow(["funnel", stage.key, stage.count])
    for row in figures["answers"]:
        for key in ("requests", "answered", "late", "deemed", "average_hours", "longest_hours"):
            value = getattr(row, key)
            writer.writerow([f"answers.{key}", row.creditor, "" if value is None else value])
    signing = figures["signing"]
    for key in ("issued", "signed", "refused", "waiting", "rate_percent"):
        value = getattr(signing, key)
        writer.writerow(["signing", key, "" if value is None else value])
    for status, _label, count in figures["plans"]:
        writer.writerow(["plans", status, count])
    for first, applied, count in figures["collections"]:
        writer.writerow(["collections_tenge", f"{first:%Y-%m}", tiyn_to_decimal(applied)])
        writer.writerow(["collections_payments", f"{first:%Y-%m}", count])
    return response
