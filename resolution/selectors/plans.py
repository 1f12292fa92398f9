"""What the workflow reads of the schedules app: a preview of the instalments with each
creditor's part (for the review page and the documents) and the plan shares held for
disputes. All money arithmetic stays in `schedules`; the workflow's writes call its services
(`schedules.services.plans.create_plan`, `schedules.services.holds.decide_held_share`)."""

from __future__ import annotations

from datetime import date

from schedules.models import CreditorShare, Plan, ShareHold
from schedules.selectors import preview_schedule, refund_owed


def preview_lines(*, total_tiyn: int, category: str, debts: list, first_due: date) -> list[dict]:
    """[{"number", "due", "amount_tiyn", "parts": {str(creditor.pk): tiyn}}]; `debts` is a
    list of (Creditor, debt in tiyn) in plan-share order: one per creditor for its confirmed
    loans, then one per loan held for a dispute (a creditor may appear twice)."""
    view = preview_schedule(
        total_tiyn=total_tiyn, category=category, debts=debts, first_due=first_due
    )
    return [
        {
            "number": line.number,
            "due": line.due_date,
            "amount_tiyn": line.amount_tiyn,
            "parts": _summed(line.parts),
        }
        for line in view.lines
    ]


def _summed(parts) -> dict[str, int]:
    """{str(creditor.pk): part}; a creditor with a held share too gets the sum of both."""
    result: dict[str, int] = {}
    for creditor, part in parts:
        result[str(creditor.pk)] = result.get(str(creditor.pk), 0) + part
    return result


def held_share_for(case_loan_id):
    """The plan share held for this disputed loan, or None (not held, or decided)."""
    return CreditorShare.objects.filter(case_loan_id=case_loan_id, hold=ShareHold.HELD).first()


def held_case_loan_ids(case) -> set:
    """Ids of the case's loans whose plan share is held (dispute still undecided)."""
    return set(
        CreditorShare.objects.filter(plan__case=case, hold=ShareHold.HELD).values_list(
            "case_loan_id", flat=True
        )
    )


def creditor_balances(case) -> list[dict]:
    """Per creditor of the case's plan, in share order: {"key", "name", "bin", "debt_tiyn",
    "received_tiyn", "outstanding_tiyn"}, summed over its shares (a decided held share's
    debt and received moved to the regular share). Empty when the case has no plan."""
    rows: dict[str, dict] = {}
    shares = CreditorShare.objects.filter(plan__case=case).select_related("creditor")
    for share in shares.order_by("position"):
        row = rows.setdefault(str(share.creditor_id), {
            "key": str(share.creditor_id), "name": share.creditor.name,
            "bin": share.creditor.bin, "debt_tiyn": 0, "received_tiyn": 0,
        })  # fmt: skip
        row["debt_tiyn"] += share.debt_tiyn
        row["received_tiyn"] += share.received_tiyn
    lines = [r for r in rows.values() if r["debt_tiyn"] > 0]
    for r in lines:
        r["outstanding_tiyn"] = r["debt_tiyn"] - r["received_tiyn"]
    return lines


def refund_owed_tiyn(case) -> int:
    """What the borrower paid beyond the plan and is owed back (0 without a plan)."""
    plan = Plan.objects.filter(case=case).first()
    return refund_owed(plan) if plan is not None else 0
