"""A case's timeline, in order: every status change, notice, creditor answer and ombudsman
decision, the payments month by month, and the breach or completion.

Scoped by audience: the ombudsman sees everything; the borrower (only ever given their own
case by `resolution.selectors.borrower`) sees the notices sent to them, never a creditor's
notices, and creditors' answers without the creditor's internal comment.

Everything reads in the viewer's language (the active one): a status change's reason is
its code's label (`resolution.trail`), and a notice's title is its subject as sent when it
was sent in that language, else its subject written again from its template and the data
it was sent with."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Max, Sum
from django.db.models.functions import TruncMonth
from django.utils import formats, translation
from django.utils.translation import gettext as _

from finplatform.datetext import month_text
from finplatform.money import format_tenge
from resolution import trail
from resolution.models import (
    Case,
    CaseDecision,
    CaseEnding,
    CaseTransition,
    DebtConfirmation,
    EndingKind,
    Notification,
)
from resolution.services.notification_texts import MESSAGES  # the notices' texts (data)
from schedules.models import IncomingPayment, PaymentStatus

BORROWER, OMBUDSMAN = "borrower", "ombudsman"


@dataclass(frozen=True)
class TimelineEvent:
    at: datetime
    kind: str  # transition | notice | answer | decision | payments | ending
    title: str
    detail: str = ""
    month: date | None = None


def case_timeline(case: Case, *, audience: str) -> list[TimelineEvent]:
    """Every event of the case, oldest first (ties keep the order of the sources)."""
    if audience not in (BORROWER, OMBUDSMAN):
        raise ValueError(audience)
    events = (
        _transitions(case) + _notices(case, audience) + _answers(case, audience)
        + _decision(case) + _payments(case) + _endings(case)
    )  # fmt: skip
    return sorted(events, key=lambda e: e.at)


def _transitions(case: Case) -> list[TimelineEvent]:
    return [
        TimelineEvent(
            t.at,
            "transition",
            _("Status: %(status)s") % {"status": t.get_to_status_display()},
            trail.reason_text(t),
        )  # fmt: skip
        for t in CaseTransition.objects.filter(case=case).order_by("at", "pk")
    ]


def _notices(case: Case, audience: str) -> list[TimelineEvent]:
    notices = (
        Notification.objects.filter(case=case)
        .select_related("creditor")
        .order_by("created_at", "pk")
    )
    if audience == BORROWER:
        notices = notices.filter(borrower=case.borrower, creditor__isnull=True)
    grouped: dict[tuple, list] = {}
    for n in notices:  # one line per message, its channels together
        # the dedup key without its channel names the message (two reminders of one subject
        # are two messages)
        key = (n.creditor_id, n.template_key, n.dedup_key.replace(f":{n.channel}", "", 1))
        grouped.setdefault(key, []).append(n)
    language = (translation.get_language() or "ru")[:2]
    events = []
    for group in grouped.values():
        first = group[0]
        to = first.creditor.name if first.creditor else _("the borrower")
        channels = ", ".join(sorted({str(n.get_channel_display()) for n in group}))
        detail = _("To %(to)s by %(channels)s") % {"to": to, "channels": channels}
        title = notice_title(first, language)
        events.append(TimelineEvent(first.created_at, "notice", title, detail))
    return events


def notice_title(notice: Notification, language: str) -> str:
    """The notice's subject in `language`: as sent, when it was sent in that language; else
    its template's subject with the data it was sent with, the dates and months in it written
    anew (a due-date reminder from before its date was kept gets a plain title)."""
    if notice.language == language or notice.template_key not in MESSAGES:
        return notice.subject
    context = dict(notice.context)
    with translation.override(language):
        if "due_on" in context:
            day = date.fromisoformat(context["due_on"])
            context["due_date"] = formats.date_format(day, "DATE_FORMAT")
        elif notice.template_key == "due_reminder":
            number = context.get("number", "")
            return _("Payment reminder: instalment %(number)s") % {"number": number}
        if "period" in context:
            context["month"] = month_text(date.fromisoformat(f"{context['period']}-01"), language)
        try:
            return str(MESSAGES[notice.template_key][0]) % context
        except (KeyError, TypeError, ValueError):  # data that no longer fits the template
            return notice.subject


def _answers(case: Case, audience: str) -> list[TimelineEvent]:
    rows = DebtConfirmation.objects.filter(case_loan__case=case).select_related(
        "creditor", "case_loan__loan"
    ).order_by("at", "pk")  # fmt: skip
    events = []
    for row in rows:
        detail = f"{row.creditor.name}, {row.case_loan.loan.contract_number}"
        if row.total_tiyn is not None:
            detail += f": {format_tenge(row.total_tiyn)}"
        if audience == OMBUDSMAN and row.comment:
            detail += f" ({row.comment})"
        events.append(TimelineEvent(row.at, "answer", str(row.get_action_display()), detail))
    return events


def _decision(case: Case) -> list[TimelineEvent]:
    decision = CaseDecision.objects.filter(case=case).first()
    if decision is None:
        return []
    return [TimelineEvent(decision.decided_at, "decision", _("The ombudsman approved the plan"),
                          _("%(total)s over %(months)s months, %(monthly)s a month") % {
                              "total": format_tenge(decision.total_tiyn),
                              "months": decision.term_months,
                              "monthly": format_tenge(decision.monthly_tiyn)})]  # fmt: skip


def _payments(case: Case) -> list[TimelineEvent]:
    months = (
        IncomingPayment.objects.filter(plan__case=case)
        .exclude(status__in=[PaymentStatus.REVERSED, PaymentStatus.SUSPENSE])
        .annotate(month=TruncMonth("paid_on"))
        .values("month")
        .annotate(
            n=Count("pk"),
            applied=Sum("applied_tiyn"),
            refund=Sum("refund_tiyn"),
            last=Max("paid_at"),
        )  # fmt: skip
        .order_by("month")
    )
    events = []
    for m in months:
        detail = _("Payments: %(n)s; %(applied)s to the schedule") % {
            "n": m["n"], "applied": format_tenge(m["applied"])}  # fmt: skip
        if m["refund"]:
            detail += "; " + _("%(refund)s owed back") % {"refund": format_tenge(m["refund"])}
        events.append(TimelineEvent(m["last"], "payments", _("Payments of the month"), detail,
                                    month=m["month"]))  # fmt: skip
    return events


def _endings(case: Case) -> list[TimelineEvent]:
    events = []
    for ending in CaseEnding.objects.filter(case=case).order_by("at"):
        s = ending.snapshot
        if ending.kind == EndingKind.BREACHED:
            title = _("Breach: the creditors may resume collection")
            detail = _("Outstanding %(outstanding)s of %(debt)s") % {
                "outstanding": format_tenge(s["outstanding_tiyn"]),
                "debt": format_tenge(s["debt_tiyn"])}  # fmt: skip
        elif ending.kind == EndingKind.TERMINATED:
            title = _("Terminated by the ombudsman")
            detail = _("Outstanding %(outstanding)s of %(debt)s") % {
                "outstanding": format_tenge(s["outstanding_tiyn"]),
                "debt": format_tenge(s["debt_tiyn"])}  # fmt: skip
        else:
            title = _("Completion: the schedule is paid in full")
            detail = _("Paid %(received)s") % {"received": format_tenge(s["received_tiyn"])}
        events.append(TimelineEvent(ending.at, "ending", title, detail))
    return events
