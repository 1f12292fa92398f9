"""Reads of plan variations and schedule versions, scoped to the caller: a borrower sees the
variations of its own cases, a creditor those of plans it has a share in; anything else is
simply not found (Http404)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet
from django.shortcuts import get_object_or_404

from resolution.models import Case, Variation, VariationObjection
from schedules.models import CreditorShare, Plan, ScheduleVersion
from schedules.models.plan import LIVE_HOLDS


def variations_for_borrower(borrower) -> QuerySet[Variation]:
    return Variation.objects.filter(case__borrower=borrower).select_related("case").defer(
        "evidence", "document"
    )  # fmt: skip


def variation_for_borrower(borrower, variation_id) -> Variation:
    return get_object_or_404(Variation.objects.filter(case__borrower=borrower), pk=variation_id)


def variations_for_creditor(creditor, *, status: str | None = None) -> QuerySet[Variation]:
    """Variations of plans where `creditor` has a share; each with `my_objection` (or None)."""
    mine = CreditorShare.objects.filter(
        plan__case=OuterRef("case"), creditor=creditor, hold__in=LIVE_HOLDS
    )
    qs = Variation.objects.filter(Exists(mine)).select_related("case").defer("evidence", "document")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-requested_at")


def live_shares(plan: Plan) -> QuerySet[CreditorShare]:
    """The shares still taking part (a decided held share is closed), with their creditor."""
    return plan.shares.filter(hold__in=LIVE_HOLDS).select_related("creditor")


def variation_for_creditor(creditor, variation_id) -> Variation:
    return get_object_or_404(variations_for_creditor(creditor), pk=variation_id)


def objection_of(variation: Variation, creditor) -> VariationObjection | None:
    return variation.objections.filter(creditor=creditor).first()


def schedule_versions(case: Case) -> list[ScheduleVersion]:
    """Every version of the case's timetable with its lines, oldest first (none before the
    first variation: the signed timetable is then the plan's own instalments)."""
    plan = Plan.objects.filter(case=case).first()
    if plan is None:
        return []
    return list(plan.versions.order_by("number").prefetch_related("lines"))
