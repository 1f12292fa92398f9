"""Reads about the end of procedures: the ombudsman's queue of breached cases."""

from __future__ import annotations

from django.db.models import BigIntegerField, Count, OuterRef, QuerySet, Subquery
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from resolution.models import Case, CaseEnding, CaseStatus, EndingKind
from resolution.selectors.ombudsman import cases_for_ombudsman_staff


def breached_queue(user) -> QuerySet[Case]:
    """Breached cases of the staff member's ombudsman (a superuser sees all), with the breach
    date and what is still outstanding from the breach snapshot; oldest breach first."""
    ending = CaseEnding.objects.filter(case=OuterRef("pk"), kind=EndingKind.BREACHED)
    outstanding = ending.annotate(
        v=Cast(KT("snapshot__outstanding_tiyn"), BigIntegerField())
    ).values("v")[:1]
    return (
        cases_for_ombudsman_staff(user)
        .filter(status=CaseStatus.BREACHED)
        .annotate(
            breached_on=Subquery(ending.values("on")[:1]),
            outstanding_tiyn=Subquery(outstanding),
            creditor_count=Count("plan__shares__creditor", distinct=True),
        )
        .select_related("borrower")
        .order_by("breached_on", "created_at")
    )
