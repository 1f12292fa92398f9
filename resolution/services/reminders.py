"""The borrower's notices around the schedule (SPEC §3 and §7): reminders before each due
date, a notice of a missed payment, and "your monthly statement is ready".

Each is a periodic sweep over the database ("what is due / late by now?"), never an ETA task,
so a worker that was down catches up on its next run, as of *now* (the task runs the sweep
for the latest business date only: what a missed date owed is either still owed now or was
overtaken):

* a reminder goes out for the stage the instalment is in *now* — the smallest N of
  `settings.DUE_REMINDER_DAYS` that is >= the days left — never for a stage already passed,
  and each (instalment, stage) at most once (the notification's unique dedup key); a stage
  skipped because a later one went out first is never sent afterwards either (the sweep
  sends no stage above one already sent for the instalment);
* a missed-payment notice goes out once per instalment, on the first sweep after its grace
  day: a due date on a weekend or holiday moves to the next working day (finplatform.workdays,
  admin overrides included) and nothing is late until that day is over. After a gap every
  instalment still unpaid past its grace day gets its own notice, oldest first;
* a plan that is over 40 days late gets nothing from the sweep: the breach sweep ends it, and
  the breach's ending (`resolution.services.endings`) first sends the missed-payment notices
  still owed as of the breach date (`notify_missed_payments`), then the breach notice;
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
from finplatform.datetext import month_text
from finplatform.money import format_tenge
from finplatform.workdays import WorkCalendar
from resolution.models import Case, Notification
from resolution.services.notifications import borrower_dedups, notify_borrower
from schedules.engine import BREACH_AFTER_DAYS
from schedules.models import Instalment, Plan, PlanStatus
from schedules.selectors import plan_state
from schedules.statement_months import statement_months

# An unpaid instalment older than this has breached its plan (40 days) long ago; the window
# only keeps the sweep from replaying plans that have nothing to say.
LOOKBACK_DAYS = BREACH_AFTER_DAYS + 30
REMINDER, MISSED = "due_reminder", "payment_missed"
MISSED_AT_BREACH = "payment_missed_at_breach"  # the plan ended: no "pay by"


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


def _calendar(on: date) -> WorkCalendar:
    return WorkCalendar(on - timedelta(days=LOOKBACK_DAYS + 10), on + timedelta(days=30))


def _line_prefix(plan: Plan) -> str:
    # A varied timetable renumbers its lines: keys of a later version must not match the
    # notices already sent for the same numbers of an earlier one.
    version = plan.versions.order_by("-number").values_list("number", flat=True).first()
    return f"v{version}:" if version else ""


def _lowest_stage_sent(case: Case) -> dict[str, int]:
    """For each instalment line ("3", "v2:3") the lowest reminder stage already sent."""
    lowest: dict[str, int] = {}
    for dedup in borrower_dedups(case, REMINDER):  # "[v2:]<number>:<stage>"
        line, stage = dedup.rsplit(":", 1)
        lowest[line] = min(int(stage), lowest.get(line, int(stage)))
    return lowest


def _remind(plan: Plan, state, on: date, prefix: str, language: str) -> int:
    stages, case = settings.DUE_REMINDER_DAYS, plan.case
    if not has_consent(case.borrower, ConsentPurpose.NOTIFICATIONS):
        return 0  # reminders need the notifications consent
    due = []  # (instalment, the stage it is in now); one paid in full has nothing due
    for inst in state.instalments:
        stage = reminder_stage((inst.due_date - on).days, stages)
        if inst.outstanding_tiyn and stage is not None:
            due.append((inst, stage))
    sent_before = _lowest_stage_sent(case) if due else {}
    count = 0
    for inst, stage in due:
        if sent_before.get(f"{prefix}{inst.number}", stage) < stage:
            continue  # a later stage went out already: this one was overtaken for good
        sent = notify_borrower(
            case=case, template_key=REMINDER, dedup=f"{prefix}{inst.number}:{stage}",
            context={"number": inst.number, "amount": format_tenge(inst.outstanding_tiyn),
                     "due_date": local_date(inst.due_date, language),
                     "due_on": inst.due_date.isoformat(), "stage": stage},
        )  # fmt: skip
        count += bool(sent)
    return count


def _notify_missed(
    plan: Plan, state, on: date, calendar: WorkCalendar, prefix: str, *, at_breach=False
) -> int:
    """One notice per instalment unpaid past its grace day as of `on`, oldest first; the
    missed-payment notice is owed by law, consent or not. At the breach (`at_breach`) the
    notices still owed say the plan has ended instead of asking to pay by a date now past;
    an instalment whose ordinary notice went out before gets none."""
    case, language = plan.case, _language(plan.case)
    late = [
        s for s in state.instalments
        if s.outstanding_tiyn and calendar.next_working_day(s.due_date) < on
    ]  # fmt: skip
    if not late:
        return 0
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
    # the lines ("3", "v2:3") whose ordinary missed-payment notice went out before
    told = borrower_dedups(case, MISSED) if at_breach else set()
    count = 0
    for inst in late:
        if f"{prefix}{inst.number}" in told:
            continue
        sent = notify_borrower(
            case=case, template_key=MISSED_AT_BREACH if at_breach else MISSED,
            dedup=f"{prefix}{inst.number}",
            context={**context, "number": inst.number,
                     "due_date": local_date(inst.due_date, language)},
        )  # fmt: skip
        count += bool(sent)
    return count


@transaction.atomic
def notify_plan(*, plan: Plan, on: date, calendar: WorkCalendar) -> tuple[int, int]:
    """Reminders and missed-payment notices for one plan as of `on`; returns how many of each
    were created now (0 when a run before already sent them). A plan over 40 days late gets
    nothing here: its breach sends the missed-payment notices it still owes."""
    state = plan_state(plan, on=on)
    if state.is_breached:
        return 0, 0  # the breach sweep has yet to end it (see notify_missed_payments)
    prefix = _line_prefix(plan)
    reminders = _remind(plan, state, on, prefix, _language(plan.case))
    return reminders, _notify_missed(plan, state, on, calendar, prefix)


def notify_missed_payments(*, plan: Plan, on: date) -> int:
    """The missed-payment notices still owed when the plan breached on `on` (a worker that was
    down while its instalments fell late sent none): one per instalment unpaid past its grace
    day on that date, oldest first, each once whatever sent it before. Called by the breach's
    ending before the breach notice, in its transaction."""
    state = plan_state(plan, on=on)
    return _notify_missed(plan, state, on, _calendar(on), _line_prefix(plan), at_breach=True)


def sweep_payment_notices(*, on: date | None = None) -> SweepResult:
    """The periodic sweep: due-date reminders and missed-payment notices for every active
    plan as of `on`. Idempotent (a second run the same day sends nothing) and safe to run
    concurrently (the dedup key is unique in the database)."""
    on = on or business_date()
    calendar = _calendar(on)
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
            context={"month": month_text(month, language), "period": f"{month:%Y-%m}"},
        )  # fmt: skip
        count += bool(sent)
    return count
