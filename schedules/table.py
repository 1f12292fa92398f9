"""The schedule table (SPEC §3) as data: which version applies, which bracket a debt falls
in, and the terms that follow. Reads only; `terms_for` is the front door."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext_lazy as _

from finplatform.clock import business_date
from finplatform.errors import ApplicationError
from finplatform.money import ceil_div
from schedules.engine import regular_amount
from schedules.models import Category, ScheduleBracket, ScheduleTableVersion

MSG_NO_TABLE = _("No schedule table is in force.")
MSG_OUT_OF_TABLE = _("The total debt is outside the schedule table.")
MSG_TABLE_INCONSISTENT = _("The schedule table bracket allows less than the even monthly amount.")
MSG_BAD_CATEGORY = _("Unknown borrower category.")


@dataclass(frozen=True)
class Terms:
    term_months: int
    monthly_tiyn: int
    table_version_id: int


def current_table_version(*, on: date | None = None) -> ScheduleTableVersion:
    version = (
        ScheduleTableVersion.objects.filter(
            is_active=True, effective_from__lte=on or business_date()
        )
        .order_by("-effective_from", "-pk")
        .first()
    )
    if version is None:
        raise ApplicationError(MSG_NO_TABLE, code="no_schedule_table")
    return version


def find_bracket(*, version_id: int, category: str, total_tiyn: int) -> ScheduleBracket:
    if category not in Category.values:
        raise ApplicationError(MSG_BAD_CATEGORY, code="bad_category", extra={"category": category})
    bracket = ScheduleBracket.objects.filter(
        version_id=version_id,
        category=category,
        debt_from_tiyn__lte=total_tiyn,
        debt_to_tiyn__gte=total_tiyn,
    ).first()
    if bracket is None:
        raise ApplicationError(
            MSG_OUT_OF_TABLE, code="debt_outside_table", extra={"total_tiyn": total_tiyn}
        )
    return bracket


def terms_for(*, total_tiyn: int, category: str, table_version=None) -> Terms:
    if table_version is None:
        version_id = current_table_version().pk
    else:
        version_id = getattr(table_version, "pk", table_version)
    bracket = find_bracket(version_id=version_id, category=category, total_tiyn=total_tiyn)
    monthly = regular_amount(total_tiyn, bracket.term_months)
    if monthly > bracket.max_monthly_tiyn:
        raise ApplicationError(
            MSG_TABLE_INCONSISTENT,
            code="schedule_table_inconsistent",
            extra={"bracket": bracket.pk},
        )
    # Tiny debts are covered in fewer lines than the bracket's term (see build_instalments).
    return Terms(
        term_months=ceil_div(total_tiyn, monthly), monthly_tiyn=monthly, table_version_id=version_id
    )
