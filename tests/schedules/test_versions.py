"""Schedule versions: a variation re-times what is owed and never changes the shares.

Worked example: a 3,000,000 KZT plan (36 months) paid for 11 months, then a 3-month payment
holiday from month 12: the plan runs 39 months (within the 60-month cap), and paying the new
timetable pays every creditor exactly its debt. Hypothesis: random variations (holiday,
lower instalment, catch-up) at random points keep every creditor ending at its debt, keep the
term within the cap and keep payments made before the variation where they were."""

from datetime import date

import pytest
from dateutil.relativedelta import relativedelta
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from finplatform.errors import ApplicationError
from finplatform.money import split_towards_targets
from schedules import engine, revision, selectors
from schedules.models import InstalmentPart, ScheduleVersion
from schedules.services.payments import book_payment
from schedules.services.versions import vary_schedule
from tests.support.ledger import make_plan
from tests.support.payments import pay

FIRST_DUE = date(2026, 1, 31)


def _pay_lines(plan, lines, prefix):
    for number, due, amount in lines:
        book_payment(source="test", item=pay(f"{prefix}{number}", amount, due, plan=plan))


@pytest.mark.django_db
def test_three_month_holiday_in_month_twelve_extends_within_the_cap_and_ends_exact():
    debts = [180_000_000, 90_000_000, 30_000_000]  # 3,000,000 KZT: 36 months
    plan, creditors = make_plan(debts, first_due=FIRST_DUE)
    assert plan.term_months == 36
    old = list(plan.instalments.values_list("number", "due_date", "amount_tiyn"))
    _pay_lines(plan, old[:11], "m")
    anchor = old[11][1]  # month 12's due date
    version = vary_schedule(
        plan_id=plan.pk, on=anchor - relativedelta(days=20), source_key="variation:1",
        change=revision.Change(kind=revision.HOLIDAY, anchor=anchor, holiday_months=3),
    )  # fmt: skip
    plan.refresh_from_db()
    assert (version.number, plan.term_months) == (2, 39)
    assert plan.term_months <= 60
    rows = list(plan.instalments.values_list("number", "due_date", "amount_tiyn", "settled"))
    assert [r[3] for r in rows[:11]] == [True] * 11 and not any(r[3] for r in rows[11:])
    assert rows[11][1] == anchor + relativedelta(months=3)  # nothing due for three months
    assert sum(r[2] for r in rows[11:]) == plan.outstanding_tiyn
    # the shares did not move; the new lines' parts are exactly what each creditor is owed
    assert list(plan.shares.values_list("debt_tiyn", flat=True)) == debts
    for creditor, debt in zip(creditors, debts, strict=True):
        parts = InstalmentPart.objects.filter(instalment__plan=plan, instalment__settled=False,
                                              creditor=creditor)  # fmt: skip
        received = plan.shares.get(creditor=creditor).received_tiyn
        assert sum(parts.values_list("amount_tiyn", flat=True)) == debt - received
    # the holiday months are not late; version 1 (as signed) stays readable
    state = selectors.plan_state(plan, on=anchor + relativedelta(months=2))
    assert state.days_late == 0 and state.oldest_unpaid_due is None
    v1 = ScheduleVersion.objects.get(plan=plan, number=1)
    assert list(v1.lines.values_list("number", "due_date", "amount_tiyn")) == old
    # vary again with the same source: the same version, nothing changes
    again = vary_schedule(
        plan_id=plan.pk, on=anchor, source_key="variation:1",
        change=revision.Change(kind=revision.HOLIDAY, anchor=anchor, holiday_months=1),
    )  # fmt: skip
    assert again.pk == version.pk and plan.instalments.count() == len(rows)
    _pay_lines(plan, [r[:3] for r in rows[11:]], "n")
    plan.refresh_from_db()
    assert plan.status == "completed"
    assert list(plan.shares.values_list("received_tiyn", flat=True)) == debts
    assert selectors.plan_state(plan, on=date(2030, 1, 1)).is_fully_paid


@pytest.mark.django_db
def test_a_lower_instalment_past_the_cap_is_refused_with_the_lowest_that_fits():
    plan, _ = make_plan([400_000_000, 200_000_000], first_due=FIRST_DUE)  # 6M: 60 months
    anchor = plan.instalments.get(number=2).due_date
    with pytest.raises(ApplicationError) as caught:
        lower = plan.monthly_tiyn - 100_000
        change = revision.Change(kind=revision.LOWER, anchor=anchor, monthly_tiyn=lower)
        vary_schedule(plan_id=plan.pk, on=FIRST_DUE, source_key="v", change=change)
    assert caught.value.code == "over_cap"
    assert caught.value.extra["min_monthly_tiyn"] > plan.monthly_tiyn - 100_000
    assert not ScheduleVersion.objects.filter(plan=plan).exists()


@st.composite
def scenarios(draw):
    count = draw(st.integers(1, 5))
    debts = [draw(st.integers(1_000, 140_000_000)) for _ in range(count)]
    category = draw(st.sampled_from(["general", "vulnerable"]))
    paid_months = draw(st.integers(0, 20))
    kind = draw(st.sampled_from(revision.KINDS))
    return debts, category, paid_months, kind, draw(st.integers(1, 6)), draw(st.floats(0.3, 0.99))


TERMS = {"general": [12, 24, 36, 48, 60, 60], "vulnerable": [18, 36, 54, 72, 84, 84]}
CAP = {"general": 60, "vulnerable": 84}


@given(scenario=scenarios(), skipped=st.integers(0, 2))
@settings(max_examples=300, deadline=None)
def test_random_variations_keep_every_creditor_at_exactly_its_debt(scenario, skipped):
    debts, category, paid_months, kind, months, fraction = scenario
    total = sum(debts)
    term = TERMS[category][min((total - 1) // 100_000_000, 5)]
    lines = engine.build_instalments(total_tiyn=total, term_months=term, first_due=FIRST_DUE)
    paid_months = min(paid_months, len(lines) - 1)
    # pay the first months, skip a few (arrears), vary from the next due date
    events = [
        engine.PaymentEvent(a, due, n) for n, due, a in lines[: max(paid_months - skipped, 0)]
    ]
    anchor = lines[paid_months][1]
    on = anchor - relativedelta(days=5)
    state = engine.replay(instalments=lines, events=events, business_date=on)
    change = revision.Change(
        kind=kind, anchor=anchor, holiday_months=min(months, 3), catch_up_months=months,
        monthly_tiyn=max(1, int(lines[0][2] * fraction)),
    )  # fmt: skip
    try:
        result = revision.revise(lines=lines, state=state, first_due=FIRST_DUE,
                                 current_monthly_tiyn=lines[0][2], cap_months=CAP[category],
                                 change=change)  # fmt: skip
    except revision.RevisionError as error:
        assert error.code in {"over_cap", "no_arrears", "monthly_not_lower"}
        return
    assert result.term_months <= CAP[category]
    assert sum(a for *_, a in result.all_lines) == total  # nothing was lowered here
    assert sum(a for *_, a in result.lines) == state.outstanding_tiyn
    # the earlier payments stay where they were: nothing is late after the variation
    replayed = revision.replay_versioned(settled=result.settled, lines=result.lines,
                                         events=events, business_date=on)  # fmt: skip
    assert replayed.paid_tiyn == sum(e.amount_tiyn for e in events)
    assert replayed.days_late == 0
    # paying the new timetable, split by debt as the ledger splits it, ends exact
    received = [0] * len(debts)
    for event in events:
        received = [r + p for r, p in zip(received, split_towards_targets(
            event.amount_tiyn, debts, received), strict=True)]  # fmt: skip
    for *_, amount in result.lines:
        parts = split_towards_targets(amount, debts, received)
        received = [r + p for r, p in zip(received, parts, strict=True)]
    assert received == debts
    final = revision.replay_versioned(
        settled=result.settled, lines=result.lines, business_date=date(2040, 1, 1),
        events=events + [engine.PaymentEvent(a, d, 1000 + n) for n, d, a in result.lines],
    )  # fmt: skip
    assert final.is_fully_paid and final.overpaid_tiyn == 0


@pytest.mark.django_db
@given(scenario=scenarios())
@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])  # fmt: skip
def test_booked_random_variations_pay_each_creditor_its_debt(scenario):
    debts, category, paid_months, kind, months, fraction = scenario
    plan, _ = make_plan(debts, category=category, first_due=FIRST_DUE)
    lines = list(plan.instalments.values_list("number", "due_date", "amount_tiyn"))
    paid_months = min(paid_months, len(lines) - 1)
    source = f"vprop-{plan.pk}"
    for n, due, amount in lines[:paid_months]:
        book_payment(source=source, item=pay(f"a{n}", amount, due, plan=plan))
    anchor = lines[paid_months][1]
    change = revision.Change(kind=revision.HOLIDAY if kind == revision.CATCH_UP else kind,
                             anchor=anchor, holiday_months=min(months, 3),
                             monthly_tiyn=max(1, int(plan.monthly_tiyn * fraction)))  # fmt: skip
    try:
        vary_schedule(plan_id=plan.pk, change=change, on=anchor, source_key="prop")
    except ApplicationError as error:
        assert error.code in {"over_cap", "monthly_not_lower"}
        return
    plan.refresh_from_db()
    assert plan.term_months <= CAP[category]
    for n, due, amount in plan.instalments.filter(settled=False).values_list(
        "number", "due_date", "amount_tiyn"
    ):
        book_payment(source=source, item=pay(f"b{n}", amount, due, plan=plan))
    plan.refresh_from_db()
    assert plan.status == "completed"
    assert list(plan.shares.order_by("position").values_list("received_tiyn", flat=True)) == debts
