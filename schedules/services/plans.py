"""The terms a debt gets under the schedule table, and the plan of a case fixed at signing."""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from finplatform import locks
from finplatform.errors import ApplicationError, ConflictError
from schedules import engine, ledger
from schedules.models import CreditorShare, Instalment, InstalmentPart, Plan, ShareHold
from schedules.selectors import instalment_parts
from schedules.table import terms_for

MSG_DEBTS_EMPTY = _("A plan needs at least one creditor with a positive debt.")
MSG_DUPLICATE_CREDITOR = _("A creditor appears twice; give one total per creditor.")
MSG_PLAN_DIFFERS = _("This case already has a different plan.")


@transaction.atomic
def create_plan(
    *,
    case,
    debts,
    category: str,
    first_due: date,
    table_version_id: int | None = None,
    held=(),
) -> Plan:
    """Fix the unified schedule of `case` at signing.

    `debts` is a list of (Creditor, confirmed debt in tiyn), one per creditor. `held` is a
    list of (Creditor, case-loan id, provisional debt in tiyn), one per loan still disputed
    when the ombudsman approved: each gets its own held share, whose parts are credited to a
    held account until the dispute is decided (`holds.decide_held_share`). Each share (debt /
    total) is fixed here; the instalments and each instalment's creditor parts are created so
    that over the whole schedule every share receives exactly its debt. Idempotent per case:
    a second call with the same debts returns the existing plan; with different debts it
    raises ConflictError. Concurrent calls for one case are serialised by an advisory lock on
    the case id (schedules does not lock the workflow's case row).
    """
    debts = [(creditor, int(amount)) for creditor, amount in debts]
    held = [(creditor, case_loan_id, int(amount)) for creditor, case_loan_id, amount in held]
    if not (debts or held) or any(a <= 0 for _, a in debts) or any(a <= 0 for *_, a in held):
        raise ApplicationError(MSG_DEBTS_EMPTY, code="debts_empty")
    if len({creditor.pk for creditor, _ in debts}) != len(debts):
        raise ApplicationError(MSG_DUPLICATE_CREDITOR, code="duplicate_creditor")
    locks.lock_keys("plan-for-case", [case.pk])
    wanted = sorted(
        [(str(c.pk), a, "") for c, a in debts] + [(str(c.pk), a, str(cl)) for c, cl, a in held]
    )
    existing = Plan.objects.filter(case_id=case.pk).first()
    if existing is not None:
        have = sorted(
            (str(s.creditor_id), s.provisional_tiyn or s.debt_tiyn, str(s.case_loan_id or ""))
            for s in existing.shares.all()
        )
        if have != wanted:
            raise ConflictError(MSG_PLAN_DIFFERS, code="plan_differs")
        return existing

    all_debts = [*debts, *((c, a) for c, _, a in held)]
    total = sum(amount for _, amount in all_debts)
    terms = terms_for(total_tiyn=total, category=category, table_version=table_version_id)
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
    shares = [
        CreditorShare(plan=plan, creditor=creditor, position=index, debt_tiyn=amount)
        for index, (creditor, amount) in enumerate(debts)
    ] + [
        CreditorShare(
            plan=plan, creditor=creditor, position=len(debts) + index, debt_tiyn=amount,
            hold=ShareHold.HELD, case_loan_id=case_loan_id, provisional_tiyn=amount,
        )
        for index, (creditor, case_loan_id, amount) in enumerate(held)
    ]  # fmt: skip
    CreditorShare.objects.bulk_create(shares)
    if held:
        ledger.held_account_ids([s for s in shares if s.hold == ShareHold.HELD])
    instalments = Instalment.objects.bulk_create(
        Instalment(plan=plan, number=n, due_date=due, amount_tiyn=amount)
        for n, due, amount in lines
    )
    split = instalment_parts(
        debts=[a for _, a in all_debts], amounts=[i.amount_tiyn for i in instalments]
    )
    # One part per creditor and instalment (a held share adds to its creditor's part).
    InstalmentPart.objects.bulk_create(
        InstalmentPart(instalment=inst, creditor_id=creditor_id, amount_tiyn=amount)
        for inst, parts in zip(instalments, split, strict=True)
        for creditor_id, amount in _by_creditor(all_debts, parts).items()
    )
    return plan


def _by_creditor(debts, parts) -> dict:
    summed: dict = {}
    for (creditor, _amount), part in zip(debts, parts, strict=True):
        summed[creditor.pk] = summed.get(creditor.pk, 0) + part
    return summed
