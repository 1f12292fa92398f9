"""Figures for the ombudsman's analytics page (ombudsman/analytics.py), each from one query over
the cases a staff member may see (`cases_for_ombudsman_staff`: their queue; a senior, all).
Aggregates only: no borrower appears. Collections per month are in `schedules.selectors`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Avg, Count, F, Max, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from resolution.models import Case, CaseStatus, CreditorRequest, DocumentPackage
from schedules.models import Plan, PlanStatus

S = CaseStatus
_AFTER_APPROVAL = [
    S.DOCUMENTS_ISSUED, S.SIGNED, S.REFUSED, S.ACTIVE, S.COMPLETED, S.BREACHED, S.TERMINATED
]  # fmt: skip
_AFTER_CONFIRMATION = [S.UNDER_REVIEW, S.REJECTED, *_AFTER_APPROVAL]
_RUNNING = [S.ACTIVE, S.COMPLETED, S.BREACHED, S.TERMINATED]
# (key, label, the statuses of a case that has passed the stage): worked out from the status
# alone, so one query counts every stage.
FUNNEL_STAGES = [
    ("applied", _("Applied"), [s for s in S.values if s != S.DRAFT]),
    ("eligible", _("Eligible"), [S.AWAITING_CREDITORS, *_AFTER_CONFIRMATION]),
    ("confirmed", _("Confirmed by creditors"), _AFTER_CONFIRMATION),
    ("approved", _("Approved by the ombudsman"), _AFTER_APPROVAL),
    ("signed", _("Signed by the borrower"), [S.SIGNED, *_RUNNING]),
    ("active", _("Repayment started"), _RUNNING),
    ("completed", _("Completed"), [S.COMPLETED]),
    ("breached", _("Breached"), [S.BREACHED]),
]


@dataclass(frozen=True)
class FunnelStage:
    key: str
    label: str
    count: int


def funnel(cases: QuerySet[Case]) -> list[FunnelStage]:
    counts = cases.aggregate(
        **{key: Count("pk", filter=Q(status__in=statuses)) for key, _l, statuses in FUNNEL_STAGES}
    )
    return [FunnelStage(key, label, counts[key]) for key, label, _s in FUNNEL_STAGES]


@dataclass(frozen=True)
class AnswerTimes:
    creditor: str
    requests: int
    answered: int
    late: int
    deemed: int
    average_hours: Decimal | None
    longest_hours: Decimal | None


def _hours(value: timedelta | None) -> Decimal | None:
    if value is None:
        return None
    return (Decimal(value.total_seconds()) / 3600).quantize(Decimal("0.1"), ROUND_HALF_UP)


def answer_times(cases: QuerySet[Case]) -> list[AnswerTimes]:
    """Per creditor: requests sent, answered, answered late, deemed confirmed, and the average
    and longest time from the request to the full answer (hours)."""
    answered = Q(answered_at__isnull=False)
    took = F("answered_at") - F("sent_at")
    rows = (
        CreditorRequest.objects.filter(case__in=cases)
        .values("creditor_id", "creditor__name")
        .annotate(
            requests=Count("pk"),
            answered=Count("pk", filter=answered),
            late=Count("pk", filter=Q(late=True)),
            deemed=Count("pk", filter=Q(deemed_at__isnull=False)),
            average=Avg(took, filter=answered),
            longest=Max(took, filter=answered),
        )  # fmt: skip
        .order_by("creditor__name", "creditor_id")
    )
    return [
        AnswerTimes(
            row["creditor__name"],
            row["requests"],
            row["answered"],
            row["late"],
            row["deemed"],
            _hours(row["average"]),
            _hours(row["longest"]),
        )  # fmt: skip
        for row in rows
    ]


@dataclass(frozen=True)
class Signing:
    issued: int
    signed: int
    refused: int
    waiting: int

    @property
    def rate_percent(self) -> Decimal | None:
        """Signed of the packages whose window is over (signed or refused)."""
        decided = self.signed + self.refused
        if not decided:
            return None
        return (Decimal(100 * self.signed) / decided).quantize(Decimal("0.1"), ROUND_HALF_UP)


def signing(cases: QuerySet[Case]) -> Signing:
    counts = DocumentPackage.objects.filter(case__in=cases, issued_at__isnull=False).aggregate(
        issued=Count("pk"),
        signed=Count("pk", filter=Q(signature__isnull=False)),
        refused=Count("pk", filter=Q(signature__isnull=True, case__status=S.REFUSED)),
    )
    waiting = counts["issued"] - counts["signed"] - counts["refused"]
    return Signing(counts["issued"], counts["signed"], counts["refused"], waiting)


PLAN_LABELS = {  # shorter than the statuses' own labels: they fit a chart's label column
    PlanStatus.ACTIVE: _("Under way"),
    PlanStatus.COMPLETED: _("Paid in full"),
    PlanStatus.BREACHED: _("Breached"),
    PlanStatus.TERMINATED: _("Terminated"),
}


def plans_by_status(cases: QuerySet[Case]) -> list[tuple[str, str, int]]:
    """(status, label, plans) for active, completed and breached plans, zeros included."""
    counts = Plan.objects.filter(case__in=cases).aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in PlanStatus.values}
    )
    return [(status, PLAN_LABELS[status], counts[status]) for status in PlanStatus.values]
