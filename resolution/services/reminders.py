"""The borrower's notices around the schedule (SPEC §3 and §7): reminders before each due
date, a notice of a missed payment, and "your monthly statement is ready".

Each is a periodic sweep over the database ("what is due / late by now?"), never an ETA task,
so a worker that was down catches up on its next run:

* a reminder goes out for the stage the instalment is in *now* — the smallest N of
  `settings.DUE_REMINDER_DAYS` that is >= the days left — never for a stage already passed,
  and each (instalment, stage) at most once (the notification's unique dedup key);
* a missed-payment notice goes out once per instalment, on the first sweep after its grace
  day: a due date on a weekend or holiday moves to the next working day (finplatform.workdays,
  admin overrides included) and nothing is late until that day is over;
* an instalment paid in full gets neither; amounts come from replaying the plan's payments.

Texts are in the borrower's language, amounts as `1 234 567,89 ₸`, dates in the locale.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import formats, translation

from borrowers.consents import has_consent
from borrowers.models import ConsentPurpose
from finplatform.clock import BUSINESS_TZ, business_date
from finplatform.money import format_tenge
from finplatform.workdays import WorkCalendar
from resolution.models import Case, Notification
from resolution.services.notifications import notify_borrower
from schedules.engine import BREACH_AFTER_DAYS
from schedules.models import Instalment, Plan, PlanStatus
from schedules.selectors import plan_state
from schedules.statement_months import statement_months

# An unpaid instalment older than this has breached its plan (40 days) long ago; the window
# only keeps the sweep from replaying plans that have nothing to say.
LOOKBACK_DAYS = BREACH_AFTER_DAYS + 30


def reminder_stage(days_left: int, stages: Sequence[int]) -> int | None:
    """The reminder stage an instalment due in `days_left` days is in: the smallest stage
    N >= days_left, or None before the first stage and after the due date."""
    if days_left < 0 or not stages or days_left > max(stages):
        return None
    return min(n for n in stages if n >= days_left)


def _language(case: Case) -> str:
    language = case.borrower.preferred_language
    return language if language in {"ru", "kk", "en"} else "ru"


def local_date(day: date, language: str, fmt: str = "DATE_FORMAT") -> str:
    with translation.override(language):
        return formats.date_format(day, fmt)


@dataclass(frozen=True)
class SweepResult:
    plans: int = 0
    reminders: int = 0
    missed: int = 0


def _candidate_plans(on: date):
    """Active plans with an instalment due in the reminder window or recently passed."""
    horizon = max(settings.DUE_REMINDER_DAYS or (0,))
    plan_ids = (
        Instalment.objects.filter(
            plan__status=PlanStatus.ACTIVE,
            due_date__gte=on - timedelta(days=LOOKBACK_DAYS),
            due_date__lte=on + timedelta(days=horizon),
        )
        .values_list("plan_id", flat=True)
        .distinct()
    )
    return Plan.objects.filter(pk__in=plan_ids).select_related("case__borrower").order_by("pk")


@transaction.atomic
def notify_plan(*, plan: Plan, on: date, calendar: WorkCalendar) -> tuple[int, int]:
    """Reminders and missed-payment notices for one plan as of `on`; returns how many of each
    were created now (0 when a run before already sent them)."""
    stages = settings.DUE_REMINDER_DAYS
    case, language = plan.case, _language(plan.case)
    state = plan_state(plan, on=on)
    # A varied timetable renumbers its lines: keys of a later version must not match the
    # reminders already sent for the same numbers of an earlier one.
    version = plan.versions.order_by("-number").values_list("number", flat=True).first()
    prefix = f"v{version}:" if version else ""
    reminders = missed = 0
    late = [
        s for s in state.instalments
        if s.outstanding_tiyn and calendar.next_working_day(s.due_date) < on
    ]  # fmt: skip
    # reminders need the notifications consent; the missed-payment notice is owed by law
    remind = has_consent(case.borrower, ConsentPurpose.NOTIFICATIONS)
    for inst in state.instalments:
        if not inst.outstanding_tiyn or not remind:
            continue  # paid in full, or no consent: nothing to remind of
        stage = reminder_stage((inst.due_date - on).days, stages)
        if stage is not None:
            sent = notify_borrower(
                case=case, template_key="due_reminder", dedup=f"{prefix}{inst.number}:{stage}",
                context={"number": inst.number, "amount": format_tenge(inst.outstanding_tiyn),
                         "due_date": local_date(inst.due_date, language), "stage": stage},
            )  # fmt: skip
            reminders += bool(sent)
    if late:
        # The 40-day breach counts calendar days from the oldest unpaid due date (moved to its
        # working day, as the breach sweep counts): paying by `pay_by` keeps the plan.
        oldest = calendar.next_working_day(late[0].due_date)
        pay_by = oldest + timedelta(days=BREACH_AFTER_DAYS)
        context = {
            "overdue": format_tenge(sum(s.outstanding_tiyn for s in late)),
            # a deadline, written as one where the notice is rendered ("до 23:59, 4 декабря")
            "pay_by": datetime.combine(pay_by, time(23, 59), BUSINESS_TZ),
            "breach_date": local_date(pay_by + timedelta(days=1), language),
        }
        for inst in late:
            sent = notify_borrower(
                case=case, template_key="payment_missed", dedup=f"{prefix}{inst.number}",
                context={**context, "number": inst.number,
                         "due_date": local_date(inst.due_date, language)},
            )  # fmt: skip
            missed += bool(sent)
    return reminders, missed


def sweep_payment_notices(*, on: date | None = None) -> SweepResult:
    """The periodic sweep: due-date reminders and missed-payment notices for every active
    plan. Idempotent (a second run the same day sends nothing) and safe to run concurrently
    (the dedup key is unique in the database)."""
    on = on or business_date()
    calendar = WorkCalendar(on - timedelta(days=LOOKBACK_DAYS + 10), on + timedelta(days=30))
    plans = reminders = missed = 0
    for plan in _candidate_plans(on):
        plans += 1
        sent_reminders, sent_missed = notify_plan(plan=plan, on=on, calendar=calendar)
        reminders += sent_reminders
        missed += sent_missed
    return SweepResult(plans, reminders, missed)


def send_statement_notices(*, on: date | None = None) -> int:
    """Tell each borrower with a plan that last month's statement is ready, once per month
    (dedup key per plan and month), for plans still running in that month. Runs daily, so a
    beat that was down on the 1st catches up; safe to run again."""
    on = on or business_date()
    month = on.replace(day=1) - timedelta(days=1)  # a day in the previous month
    start = month.replace(day=1)
    told = Notification.objects.filter(
        template_key="statement_ready", dedup_key__endswith=f":{month:%Y-%m}"
    ).values("case_id")
    plans = (
        Plan.objects.filter(
            Q(status=PlanStatus.ACTIVE) | Q(completed_on__gte=start) | Q(breached_on__gte=start)
        )
        .exclude(case_id__in=told)
        .select_related("case__borrower")
        .order_by("pk")
    )
    count = 0
    for plan in plans:
        if month.replace(day=1) not in statement_months(plan, today=on):
            continue  # signed this month: no statement for last month
        if not has_consent(plan.case.borrower, ConsentPurpose.NOTIFICATIONS):
            continue  # the statement is in the cabinet; the notice needs the consent
        language = _language(plan.case)
        sent = notify_borrower(
            case=plan.case, template_key="statement_ready", dedup=f"{month:%Y-%m}",
            context={"month": local_date(month, language, "YEAR_MONTH_FORMAT"),
                     "period": f"{month:%Y-%m}"},
        )  # fmt: skip
        count += bool(sent)
    return count
