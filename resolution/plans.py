"""The one bridge from the workflow to the schedules app: terms, a preview of the
instalments with each creditor's part (for the documents), and the plan created at signing.
All money arithmetic stays in `schedules`."""

from __future__ import annotations

from datetime import date

from schedules import services as schedules


def propose_terms(*, total_tiyn: int, category: str):
    """Terms(term_months, monthly_tiyn, table_version_id) under the current table."""
    return schedules.propose_terms(total_tiyn=total_tiyn, category=category)


def preview_lines(*, total_tiyn: int, category: str, debts: list, first_due: date) -> list[dict]:
    """[{"number", "due", "amount_tiyn", "parts": {str(creditor.pk): tiyn}}]; `debts` is a
    list of (Creditor, confirmed debt in tiyn)."""
    view = schedules.preview_schedule(
        total_tiyn=total_tiyn, category=category, debts=debts, first_due=first_due
    )
    return [
        {
            "number": line.number,
            "due": line.due_date,
            "amount_tiyn": line.amount_tiyn,
            "parts": {str(creditor.pk): part for creditor, part in line.parts},
        }
        for line in view.lines
    ]


def create_plan(*, case, debts, category: str, first_due: date, table_version_id):
    return schedules.create_plan(
        case=case, debts=debts, category=category, first_due=first_due,
        table_version_id=table_version_id,
    )  # fmt: skip
