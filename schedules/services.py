"""What other apps may do to schedules and the ledger. Every service is keyword-only, runs in
one database transaction and says in its docstring what it guarantees."""

from __future__ import annotations

from datetime import date

from django.apps import apps
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from finplatform.errors import ApplicationError, ConflictError
from schedules import engine
from schedules.models import CreditorShare, Instalment, InstalmentPart, Plan
from schedules.selectors import instalment_parts, preview_schedule  # noqa: F401 (re-export)
from schedules.table import Terms, terms_for

MSG_DEBTS_EMPTY = _("A plan needs at least one creditor with a positive debt.")
MSG_DUPLICATE_CREDITOR = _("A creditor appears twice; give one total per creditor.")
MSG_PLAN_DIFFERS = _("This case already has a different plan.")


def propose_terms(*, total_tiyn: int, category: str, table_version=None) -> Terms:
    """Term and even monthly amount for a debt under the schedule table (the current version
    unless `table_version` — an instance or id — is given). Raises ApplicationError when the
    debt is outside the table."""
    return terms_for(total_tiyn=total_tiyn, category=category, table_version=table_version)


def _lock_case(case_id):
    Case = apps.get_model("resolution", "Case")
    return Case.objects.select_for_update(of=("self",)).get(pk=case_id)


@transaction.atomic
def create_plan(
    *, case, debts, category: str, first_due: date, table_version_id: int | None = None
) -> Plan:
    """Fix the unified schedule of `case` at signing.

    `debts` is a list of (Creditor, confirmed debt in tiyn), one per creditor. Each
    creditor's share (debt / total) is fixed here; the instalments and each instalment's
    creditor parts are created so that over the whole schedule every creditor receives
    exactly its debt. Idempotent per case: a second call with the same debts returns the
    existing plan; with different debts it raises ConflictError.
    """
    debts = [(creditor, int(amount)) for creditor, amount in debts]
    if not debts or any(amount <= 0 for _, amount in debts):
        raise ApplicationError(MSG_DEBTS_EMPTY, code="debts_empty")
    if len({creditor.pk for creditor, _ in debts}) != len(debts):
        raise ApplicationError(MSG_DUPLICATE_CREDITOR, code="duplicate_creditor")
    _lock_case(case.pk)  # serialises concurrent create_plan calls for one case
    existing = Plan.objects.filter(case_id=case.pk).first()
    if existing is not None:
        have = sorted((s.creditor_id, s.debt_tiyn) for s in existing.shares.all())
        if have != sorted((c.pk, a) for c, a in debts):
            raise ConflictError(MSG_PLAN_DIFFERS, code="plan_differs")
        return existing

    total = sum(amount for _, amount in debts)
    terms = propose_terms(total_tiyn=total, category=category, table_version=table_version_id)
    lines = engine.build_instalments(
        total_tiyn=total, term_months=terms.term_months, first_due=first_due
    )
    plan = Plan.objects.create(
        case_id=case.pk,
        table_version_id=terms.table_version_id,
        category=category,
        total_tiyn=total,
        term_months=terms.term_months,
        monthly_tiyn=terms.monthly_tiyn,
        first_due=first_due,
    )
    CreditorShare.objects.bulk_create(
        CreditorShare(plan=plan, creditor=creditor, position=index, debt_tiyn=amount)
        for index, (creditor, amount) in enumerate(debts)
    )
    instalments = Instalment.objects.bulk_create(
        Instalment(plan=plan, number=n, due_date=due, amount_tiyn=amount)
        for n, due, amount in lines
    )
    split = instalment_parts(
        debts=[a for _, a in debts], amounts=[i.amount_tiyn for i in instalments]
    )
    InstalmentPart.objects.bulk_create(
        InstalmentPart(instalment=inst, creditor=creditor, amount_tiyn=part)
        for inst, parts in zip(instalments, split, strict=True)
        for (creditor, _), part in zip(debts, parts, strict=True)
    )
    return plan
