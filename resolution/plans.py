"""The one bridge from the workflow to the schedules app (issue 5): terms, a preview of the
instalments with each creditor's part, and the plan created at signing."""

from __future__ import annotations

from datetime import date


def propose_terms(*, total_tiyn: int, category: str):
    from schedules.services import propose_terms as _propose

    return _propose(total_tiyn=total_tiyn, category=category)


def preview_lines(*, total_tiyn: int, category: str, debts: list[tuple[str, int]],
                  first_due: date, table_version_id) -> list[dict]:  # fmt: skip
    """[{"number", "due", "amount_tiyn", "parts": {creditor_key: tiyn}}] for the documents."""
    from schedules.services import preview_schedule

    return preview_schedule(
        total_tiyn=total_tiyn, category=category, debts=debts, first_due=first_due,
        table_version_id=table_version_id,
    )  # fmt: skip


def create_plan(*, case, debts, category: str, first_due: date, table_version_id):
    from schedules.services import create_plan as _create

    return _create(
        case=case, debts=debts, category=category, first_due=first_due,
        table_version_id=table_version_id,
    )  # fmt: skip
