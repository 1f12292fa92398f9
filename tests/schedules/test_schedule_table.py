"""The schedule table (SPEC §3), the instalment engine and plan creation."""

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from finplatform.errors import ApplicationError, ConflictError
from finplatform.money import ceil_div
from schedules import engine, selectors
from schedules.models import InstalmentPart, ScheduleBracket, ScheduleTableVersion
from schedules.services.plans import create_plan
from schedules.table import terms_for
from tests.factories import CaseFactory, CreditorFactory
from tests.support.ledger import make_plan

KZT = 100
M = 1_000_000 * KZT


@pytest.mark.django_db
@pytest.mark.parametrize(
    "category,total,term,max_monthly",
    [
        ("general", 1 * M, 12, 84_000 * KZT),
        ("general", 5 * M + 1, 60, 117_000 * KZT),
        ("general", 7 * M, 60, 117_000 * KZT),
        ("vulnerable", 1 * M, 18, 56_000 * KZT),
        ("vulnerable", 5 * M + 1, 84, 84_000 * KZT),
        ("vulnerable", 7 * M, 84, 84_000 * KZT),
    ],
)
def test_the_four_fixed_points_of_the_announcement(category, total, term, max_monthly):
    terms = terms_for(total_tiyn=total, category=category)
    assert terms.term_months == term
    bracket = ScheduleBracket.objects.get(
        category=category, debt_from_tiyn__lte=total, debt_to_tiyn__gte=total
    )
    assert bracket.max_monthly_tiyn == max_monthly
    assert terms.monthly_tiyn == ceil_div(total, term) <= max_monthly


@pytest.mark.django_db
def test_every_bracket_is_contiguous_and_its_payment_stays_under_its_max():
    for category in ("general", "vulnerable"):
        brackets = list(
            ScheduleBracket.objects.filter(category=category).order_by("debt_from_tiyn")
        )
        assert brackets[0].debt_from_tiyn == 1
        assert brackets[-1].debt_to_tiyn == 7 * M
        cap = 60 if category == "general" else 84
        for before, after in zip(brackets, brackets[1:], strict=False):
            assert after.debt_from_tiyn == before.debt_to_tiyn + 1
            assert after.term_months >= before.term_months
        for bracket in brackets:
            assert bracket.term_months <= cap
            # the worst case in the bracket is its top
            for total in (bracket.debt_from_tiyn, bracket.debt_to_tiyn):
                assert ceil_div(total, bracket.term_months) <= bracket.max_monthly_tiyn
            # "near ceil(top / term) rounded up to 1,000 KZT"
            assert bracket.max_monthly_tiyn % (1000 * KZT) == 0
            assert (
                bracket.max_monthly_tiyn - ceil_div(bracket.debt_to_tiyn, bracket.term_months)
                < 1000 * KZT
            )


@pytest.mark.django_db
def test_debt_outside_the_table_is_refused_with_a_code():
    with pytest.raises(ApplicationError) as err:
        terms_for(total_tiyn=7 * M + 1, category="general")
    assert err.value.code == "debt_outside_table"
    with pytest.raises(ApplicationError):
        terms_for(total_tiyn=100, category="nonsense")


@pytest.mark.django_db
def test_a_case_keeps_the_table_version_it_was_decided_under():
    old = ScheduleTableVersion.objects.get()
    plan, _ = make_plan([300 * 1000 * KZT, 200 * 1000 * KZT])
    assert plan.table_version_id == old.pk and plan.term_months == 12
    new = ScheduleTableVersion.objects.create(label="stricter", effective_from=date(2025, 1, 1))
    ScheduleBracket.objects.create(
        version=new, category="general", debt_from_tiyn=1, debt_to_tiyn=7 * M,
        term_months=24, max_monthly_tiyn=300_000 * KZT,
    )  # fmt: skip
    assert terms_for(total_tiyn=500_000 * KZT, category="general").term_months == 24
    old_terms = terms_for(total_tiyn=500_000 * KZT, category="general", table_version=old)
    assert old_terms.term_months == 12 and old_terms.table_version_id == old.pk
    plan.refresh_from_db()
    assert plan.term_months == 12 and plan.table_version_id == old.pk


def test_due_dates_come_from_the_anchor_not_chained():
    lines = engine.build_instalments(total_tiyn=1200, term_months=4, first_due=date(2028, 1, 31))
    assert [d for _, d, _ in lines] == [
        date(2028, 1, 31), date(2028, 2, 29), date(2028, 3, 31), date(2028, 4, 30),
    ]  # fmt: skip


def test_last_instalment_absorbs_the_rounding():
    lines = engine.build_instalments(total_tiyn=1000, term_months=3, first_due=date(2026, 1, 1))
    assert [a for _, _, a in lines] == [334, 334, 332]
    assert [n for n, _, _ in lines] == [1, 2, 3]


@given(total=st.integers(1, 7 * M), term=st.integers(1, 84))
@settings(max_examples=300, deadline=None)
def test_instalments_sum_exactly_and_none_exceeds_the_monthly_amount(total, term):
    lines = engine.build_instalments(
        total_tiyn=total, term_months=term, first_due=date(2026, 5, 31)
    )
    amounts = [a for _, _, a in lines]
    assert sum(amounts) == total
    assert all(0 < a <= ceil_div(total, term) for a in amounts)
    assert len(amounts) <= term
    if total >= term * term:
        assert len(amounts) == term


@pytest.mark.django_db
def test_create_plan_fixes_shares_and_each_creditor_gets_exactly_its_debt():
    debts = [123_456_789, 98_765_432, 1]  # the last creditor is owed one tiyn
    plan, creditors = make_plan(debts)
    assert plan.total_tiyn == sum(debts)
    assert list(plan.shares.values_list("debt_tiyn", flat=True)) == debts
    view = selectors.plan_for_case(plan.case)
    assert len(view.lines) == plan.term_months == 36
    for line in view.lines:
        assert sum(amount for _, amount in line.parts) == line.amount_tiyn
    for index, creditor in enumerate(creditors):
        got = sum(
            InstalmentPart.objects.filter(instalment__plan=plan, creditor=creditor).values_list(
                "amount_tiyn", flat=True
            )
        )
        assert got == debts[index]


@pytest.mark.django_db
def test_preview_equals_the_plan_created_later_and_writes_nothing():
    case = CaseFactory()
    a, b = CreditorFactory(), CreditorFactory()
    debts = [(a, 70_000_001), (b, 29_999_999)]
    preview = selectors.preview_schedule(
        total_tiyn=100_000_000, category="vulnerable", debts=debts, first_due=date(2026, 3, 15)
    )
    assert not case.__class__.objects.filter(plan__isnull=False).exists()
    plan = create_plan(case=case, debts=debts, category="vulnerable", first_due=date(2026, 3, 15))
    stored = selectors.plan_for_case(case)
    assert preview.terms == stored.terms
    assert [(ln.number, ln.due_date, ln.amount_tiyn, ln.parts) for ln in preview.lines] == [
        (ln.number, ln.due_date, ln.amount_tiyn, ln.parts) for ln in stored.lines
    ]
    assert stored.plan == plan and plan.term_months == 18


@pytest.mark.django_db
def test_create_plan_is_idempotent_per_case_and_refuses_different_debts():
    plan, creditors = make_plan([50_000_000, 25_000_000])
    again = create_plan(
        case=plan.case, debts=list(zip(creditors, [50_000_000, 25_000_000], strict=True)),
        category="general", first_due=date(2026, 1, 31),
    )  # fmt: skip
    assert again.pk == plan.pk
    assert plan.instalments.count() == 12
    with pytest.raises(ConflictError):
        create_plan(
            case=plan.case, debts=[(creditors[0], 1)], category="general",
            first_due=date(2026, 1, 31),
        )  # fmt: skip


@pytest.mark.django_db
def test_create_plan_refuses_bad_debts():
    case, creditor = CaseFactory(), CreditorFactory()
    with pytest.raises(ApplicationError):
        create_plan(case=case, debts=[], category="general", first_due=date(2026, 1, 1))
    with pytest.raises(ApplicationError):
        create_plan(
            case=case, debts=[(creditor, 10), (creditor, 20)], category="general",
            first_due=date(2026, 1, 1),
        )  # fmt: skip


@pytest.mark.django_db
def test_a_bracket_whose_max_is_below_the_even_payment_is_refused_and_used_versions_freeze(
    client,
):
    from django.core.exceptions import ValidationError
    from django.urls import reverse

    from tests.factories import UserFactory

    version = ScheduleTableVersion.objects.get()
    bad = ScheduleBracket(
        version=version, category="general", debt_from_tiyn=1, debt_to_tiyn=1_200_000,
        term_months=12, max_monthly_tiyn=99_999,
    )  # fmt: skip
    with pytest.raises(ValidationError):
        bad.full_clean()
    admin_user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(admin_user)
    url = reverse("admin:schedules_scheduletableversion_change", args=[version.pk])
    assert 'name="brackets-0-term_months"' in client.get(url).content.decode()
    make_plan([100_000])
    page = client.get(url).content.decode()
    assert 'name="brackets-0-term_months"' not in page  # frozen once a plan used it


def test_allocation_oldest_first_then_the_current_then_from_the_end():
    lines = engine.build_instalments(total_tiyn=600, term_months=6, first_due=date(2026, 1, 5))
    E = engine.PaymentEvent  # noqa: N806
    # Two instalments overdue on 2026-03-01 (Jan 5, Feb 5); 350 pays them, the current one
    # (Mar 5) and reduces the last (Jun 5) by 50.
    state = engine.replay(
        instalments=lines, events=[E(350, date(2026, 3, 1))], business_date=date(2026, 3, 1)
    )
    assert [s.paid_tiyn for s in state.instalments] == [100, 100, 100, 0, 0, 50]
    assert state.days_late == 0
    # A partial payment stays on the oldest instalment; a reversal is just a shorter event list.
    partial = engine.replay(
        instalments=lines, events=[E(30, date(2026, 2, 20))], business_date=date(2026, 2, 20)
    )
    assert [s.status for s in partial.instalments[:3]] == ["overdue", "overdue", "upcoming"]
    assert partial.instalments[0].paid_tiyn == 30
    assert partial.oldest_unpaid_due == date(2026, 1, 5) and partial.days_late == 46
    assert partial.is_breached
    # Paying more than the schedule leaves an overpayment, and the date it was fully paid.
    over = engine.replay(
        instalments=lines, events=[E(700, date(2026, 1, 2))], business_date=date(2026, 1, 2)
    )
    assert over.is_fully_paid and over.overpaid_tiyn == 100
    assert over.fully_paid_on == date(2026, 1, 2)
