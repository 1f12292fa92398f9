"""A loan still disputed when the ombudsman approves goes into the plan provisionally (at its
bureau figure); its share of every payment is held — credited to a held account, never paid
out — until the ombudsman decides. Include: the held money moves to the creditor's payable,
to the tiyn. Leave out: it goes to the other creditors, the plan and the remaining instalments
shrink, and each remaining creditor still receives exactly its confirmed debt. The ledger
balances after every step."""

import io
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import Q, Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pypdf import PdfReader

from finplatform.errors import ApplicationError, ConflictError
from finplatform.money import split_towards_targets
from outbox.models import OutboxMessage
from resolution.models import (
    CaseStatus,
    ConfirmationAction,
    DebtConfirmation,
    DocumentKind,
    Notification,
)
from resolution.selectors.ombudsman import proposal
from resolution.services.decision import approve_case, decide_disputed_loan
from resolution.services.documents import generate_package
from resolution.services.signing import issue_signing_code, sign_with_code
from schedules import engine, ledger, selectors
from schedules.models import (
    Account,
    AccountKind,
    CreditorShare,
    LedgerEntry,
    LedgerTransaction,
    Payout,
    Plan,
    PlanAdjustment,
    PlanStatus,
    ShareHold,
    Side,
    TransactionKind,
)
from schedules.reconciliation import reconcile
from schedules.services.holds import decide_held_share
from schedules.services.payments import book_payment, reverse_payment
from schedules.services.payouts import run_payouts
from schedules.services.plans import create_plan
from tests.factories import CaseFactory, CaseLoanFactory, LoanFactory
from tests.support.ledger import ensure_default_table, new_creditor
from tests.support.payments import pay
from tests.support.workflow import answer_all, awaiting_case

CORRECTED, DISPUTED, CONFIRMED = 51_000_000, 21_500_000, 10_250_000  # answer_all's figures
TOTAL = CORRECTED + DISPUTED + CONFIRMED

pytestmark = pytest.mark.django_db


# --- helpers ------------------------------------------------------------------------------


def balance(account) -> int:
    """Credit minus debit of one account (0 when it does not exist yet)."""
    if account is None:
        return 0
    sums = LedgerEntry.objects.filter(account=account).aggregate(
        c=Sum("amount_tiyn", filter=Q(side=Side.CREDIT)),
        d=Sum("amount_tiyn", filter=Q(side=Side.DEBIT)),
    )
    return (sums["c"] or 0) - (sums["d"] or 0)


def payable(creditor):
    return Account.objects.filter(creditor=creditor).first()


def credited_to(creditor) -> int:
    """Everything ever credited to the creditor's payable (paid out or not)."""
    return (
        LedgerEntry.objects.filter(account__creditor=creditor, side=Side.CREDIT).aggregate(
            s=Sum("amount_tiyn")
        )["s"]
        or 0
    )


def assert_books_clean():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM (SELECT transaction_id FROM schedules_ledgerentry GROUP BY 1"
            " HAVING sum(CASE WHEN side = 'D' THEN amount_tiyn ELSE -amount_tiyn END) <> 0) t"
        )
        assert cursor.fetchone()[0] == 0
    debit, credit = (
        LedgerEntry.objects.filter(side=side).aggregate(s=Sum("amount_tiyn"))["s"] or 0
        for side in (Side.DEBIT, Side.CREDIT)
    )
    assert debit == credit
    report = reconcile()
    assert report.ok, [c for c in report.checks if not c.ok]
    return report


def almaty_noon(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 7, tzinfo=UTC)  # 12:00 in Almaty


def pdf_text(document) -> str:
    reader = PdfReader(io.BytesIO(bytes(document.content)))
    return " ".join(page.extract_text() for page in reader.pages).replace("\xa0", " ")


def approved_with_open_dispute():
    """awaiting_case + answer_all: creditor 1 corrects, creditor 2 disputes, creditor 3
    confirms; the ombudsman approves with the dispute still open."""
    ensure_default_table()
    world = awaiting_case()
    answer_all(world)
    world.case.refresh_from_db()
    assert world.case.status == CaseStatus.UNDER_REVIEW
    view = proposal(world.case)
    assert view["total_tiyn"] == TOTAL and view["held_tiyn"] == DISPUTED
    decision = approve_case(case_id=world.case.pk)
    assert decision.total_tiyn == TOTAL
    return world


def sign(world) -> Plan:
    _, code = issue_signing_code(case_id=world.case.pk)
    sign_with_code(case_id=world.case.pk, code=code)
    world.case.refresh_from_db()
    assert world.case.status == CaseStatus.ACTIVE
    return Plan.objects.get(case=world.case)


def pay_on(plan, key, amount, day):
    with time_machine.travel(almaty_noon(day), tick=False):
        return book_payment(source="test", item=pay(key, amount, day, plan=plan))


class Expected:
    """The split every payment should get, worked out here from the shares' debts."""

    def __init__(self, plan):
        self.shares = list(plan.shares.order_by("position"))
        self.received = [0] * len(self.shares)

    def pay(self, amount) -> list[int]:
        parts = split_towards_targets(amount, [s.debt_tiyn for s in self.shares], self.received)
        self.received = [r + p for r, p in zip(self.received, parts, strict=True)]
        return parts


# --- end to end: held, then included --------------------------------------------------------


@pytest.mark.slow
@pytest.mark.worker
def test_disputed_share_is_held_then_released_to_the_creditor_on_include(worker):
    import time

    world = approved_with_open_dispute()
    first, second, third = world.creditors
    disputed = world.loans[1]
    deadline = time.monotonic() + 60
    while world.case.status != CaseStatus.DOCUMENTS_ISSUED:  # the worker renders the package
        assert time.monotonic() < deadline, "documents not issued"
        time.sleep(0.2)
        world.case.refresh_from_db()
    package = world.case.package
    assert package.snapshot["held_tiyn"] == DISPUTED
    protocol = package.documents.get(kind=DocumentKind.PROTOCOL)
    assert "удерживается" in pdf_text(protocol)
    assert "215 000,00" in pdf_text(protocol)

    plan = sign(world)
    assert plan.total_tiyn == TOTAL
    held_share = plan.shares.get(hold=ShareHold.HELD)
    assert (held_share.creditor, held_share.case_loan_id, held_share.debt_tiyn) == (
        second, disputed.pk, DISPUTED
    )  # fmt: skip
    assert not plan.shares.filter(creditor=second, hold=ShareHold.NONE).exists()
    held_account = held_share.held_account
    assert held_account.kind == AccountKind.HELD
    expected = Expected(plan)
    held_index = expected.shares.index(held_share)
    dues = list(plan.instalments.order_by("number"))

    paid_out = {first.pk: 0, third.pk: 0}
    for k, inst in enumerate(dues[:3]):
        pay_on(plan, f"m{k}", inst.amount_tiyn, inst.due_date)
        parts = expected.pay(inst.amount_tiyn)
        # the held account grows by exactly the held loan's part; creditor 2 gets nothing
        assert balance(held_account) == expected.received[held_index]
        assert parts[held_index] > 0
        assert balance(payable(second)) == 0
        payouts = run_payouts(on=inst.due_date)
        assert {p.creditor_id for p in payouts} == {first.pk, third.pk}
        for p in payouts:
            paid_out[p.creditor_id] += p.amount_tiyn
        report = assert_books_clean()
        assert report.figures["held_for_disputes"] == balance(held_account)
    assert not Payout.objects.filter(creditor=second).exists()
    held_before = balance(held_account)
    assert held_before == expected.received[held_index]
    # within a tiyn of the exact proportion of what was paid
    paid = sum(i.amount_tiyn for i in dues[:3])
    assert abs(held_before * TOTAL - paid * DISPUTED) <= TOTAL

    ombudsman = get_user_model().objects.create_superuser("omb-hold", "oh@x.kz", "pw")
    with time_machine.travel(almaty_noon(dues[2].due_date + timedelta(days=5)), tick=False):
        decide_disputed_loan(case_loan_id=disputed.pk, include=True, amount_tiyn=DISPUTED,
                             user=ombudsman)  # fmt: skip
    # one release transaction moves the held balance to the creditor's payable, exactly
    assert balance(held_account) == 0
    assert balance(payable(second)) == held_before
    release = LedgerTransaction.objects.get(plan=plan, kind=TransactionKind.RELEASE)
    assert sorted(release.entries.values_list("account_id", "side", "amount_tiyn")) == sorted(
        [(held_account.pk, Side.DEBIT, held_before), (payable(second).pk, Side.CREDIT, held_before)]
    )
    held_share.refresh_from_db()
    assert (held_share.hold, held_share.decided_tiyn, held_share.debt_tiyn) == (
        ShareHold.INCLUDED, DISPUTED, 0
    )  # fmt: skip
    merged = plan.shares.get(creditor=second, hold=ShareHold.NONE)
    assert (merged.debt_tiyn, merged.received_tiyn) == (DISPUTED, held_before)
    assert DebtConfirmation.objects.filter(
        case_loan=disputed, action=ConfirmationAction.INCLUDE, total_tiyn=DISPUTED, by=ombudsman
    ).exists()
    assert Notification.objects.filter(creditor=second, template_key="dispute_included_creditor")
    assert Notification.objects.filter(case=world.case, template_key="dispute_included_borrower")
    disputed.refresh_from_db()
    assert disputed.confirmed_total_tiyn == DISPUTED
    assert_books_clean()

    # later parts go to the payable directly; the next payout includes what was held
    inst = dues[3]
    pay_on(plan, "m3", inst.amount_tiyn, inst.due_date)
    assert balance(held_account) == 0
    after = balance(payable(second))
    assert after > held_before
    payouts = {p.creditor_id: p.amount_tiyn for p in run_payouts(on=inst.due_date)}
    assert payouts[second.pk] == after
    assert_books_clean()

    plan.refresh_from_db()
    last_day = dues[-1].due_date
    pay_on(plan, "rest", plan.total_tiyn - plan.paid_tiyn, last_day)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.COMPLETED
    live = plan.shares.filter(hold=ShareHold.NONE)
    assert {(s.creditor_id, s.received_tiyn) for s in live} == {
        (first.pk, CORRECTED), (second.pk, DISPUTED), (third.pk, CONFIRMED)
    }  # fmt: skip
    assert credited_to(second) == DISPUTED
    assert_books_clean()


# --- held, then left out (through the admin review page) ---------------------------------


def test_left_out_disputed_loan_goes_to_the_others_and_the_schedule_shrinks(client):
    from tests.ombudsman.test_admin_review import ombudsman_user, review_url

    world = approved_with_open_dispute()
    first, second, third = world.creditors
    disputed = world.loans[1]
    generate_package(package_id=world.case.package.pk)
    plan = sign(world)
    expected = Expected(plan)
    held_share = plan.shares.get(hold=ShareHold.HELD)
    held_account = held_share.held_account
    dues = list(plan.instalments.order_by("number"))
    contracted = [i.amount_tiyn for i in dues]
    for k, inst in enumerate(dues[:4]):
        pay_on(plan, f"m{k}", inst.amount_tiyn, inst.due_date)
        expected.pay(inst.amount_tiyn)
        run_payouts(on=inst.due_date)
        assert_books_clean()
    held_before = balance(held_account)
    paid = sum(contracted[:4])
    others = [s for s in expected.shares if s.hold == ShareHold.NONE]
    received_before = {s.creditor_id: expected.received[expected.shares.index(s)] for s in others}
    credited_before = {s.creditor_id: credited_to(s.creditor) for s in others}
    assert received_before == credited_before and held_before > 0

    # the creditor sees what is held for its loan (API and dashboard); another creditor does not
    from tests.support.workflow import api_client_for

    loan_url = f"/api/v1/creditor/loans/{disputed.pk}/"
    shown = api_client_for(second).get(loan_url).json()["share_held"]
    assert shown == {"provisional_tiyn": DISPUTED, "held_tiyn": held_before}
    assert api_client_for(first).get(loan_url).status_code == 404
    assert api_client_for(first).get(f"/api/v1/creditor/loans/{world.loans[0].pk}/").json()[
        "share_held"
    ] is None  # fmt: skip

    prefix = f"l{disputed.pk.hex}"
    decided_on = dues[3].due_date + timedelta(days=3)
    with time_machine.travel(almaty_noon(decided_on), tick=False):
        # the other ombudsman cannot see or decide this case
        client.force_login(ombudsman_user("microfinance"))
        assert client.get(review_url(world.case)).status_code == 404
        response = client.post(review_url(world.case), {
            "action": "decide_loan", "case_loan": str(disputed.pk), f"{prefix}-include": "0",
            f"{prefix}-reason": "not mine to decide",
        })  # fmt: skip
        assert response.status_code == 404
        assert balance(held_account) == held_before
        client.force_login(world.staff[1])
        dashboard = client.get(f"/creditor/cases/{world.case.pk}/", HTTP_ACCEPT_LANGUAGE="en")
        assert "is held until the ombudsman decides" in dashboard.content.decode()
        client.force_login(ombudsman_user("banking"))  # a session of that day
        queue = client.get("/admin/resolution/reviewqueuecase/")
        rows = list(queue.context["cl"].result_list)
        assert [(r.pk, r.n_disputed) for r in rows] == [(world.case.pk, 1)]  # signed, held
        page = client.get(review_url(world.case), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert page.count("decide later: share held") == 1
        response = client.post(review_url(world.case), {
            "action": "decide_loan", "case_loan": str(disputed.pk), f"{prefix}-include": "0",
            f"{prefix}-amount": "", f"{prefix}-reason": "sold to a collector before the case",
        })  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:500]
    assert response["Location"].endswith(review_url(world.case))
    with pytest.raises(ConflictError) as err:  # a second decision (a retry) books nothing
        decide_disputed_loan(case_loan_id=disputed.pk, include=False, reason="again")
    assert err.value.code == "loan_not_disputed"

    # the held money went to the other creditors by their shares (largest remainder)
    assert balance(held_account) == 0
    want = split_towards_targets(
        held_before, [s.debt_tiyn for s in others], [received_before[s.creditor_id] for s in others]
    )
    got = [credited_to(s.creditor) - credited_before[s.creditor_id] for s in others]
    assert got == want and sum(got) == held_before
    release = LedgerTransaction.objects.get(plan=plan, kind=TransactionKind.RELEASE)
    legs = list(release.entries.values_list("account_id", "side", "amount_tiyn"))
    assert (held_account.pk, Side.DEBIT, held_before) in legs
    assert sum(a for _, side, a in legs if side == Side.CREDIT) == held_before
    assert credited_to(second) == 0

    # the plan: total lower by the loan's provisional amount; paid unchanged
    plan.refresh_from_db()
    assert plan.total_tiyn == CORRECTED + CONFIRMED
    assert plan.paid_tiyn == paid
    adjustment = PlanAdjustment.objects.get(plan=plan)
    assert (adjustment.total_drop_tiyn, adjustment.reduction_tiyn, adjustment.refund_tiyn) == (
        DISPUTED, DISPUTED, 0
    )  # fmt: skip
    # remaining instalments shrink from the end, worked out here by hand
    remaining = [0] * 4 + contracted[4:]
    cut = DISPUTED
    for k in range(len(remaining) - 1, -1, -1):
        take = min(cut, remaining[k])
        remaining[k] -= take
        cut -= take
    with time_machine.travel(almaty_noon(decided_on), tick=False):
        state = selectors.plan_state(plan)
    assert [line.outstanding_tiyn for line in state.instalments] == remaining
    assert sum(line.amount_tiyn for line in state.instalments) == plan.total_tiyn
    assert state.outstanding_tiyn == plan.total_tiyn - paid
    # each remaining creditor: received so far + its future parts = its confirmed debt
    with time_machine.travel(almaty_noon(decided_on), tick=False):
        future = selectors.projected_parts(plan)
    for share in plan.shares.filter(hold=ShareHold.NONE):
        ahead = sum(parts.get(share.creditor_id, 0) for _, parts in future)
        assert share.received_tiyn + ahead == share.debt_tiyn
    assert all(sum(parts.values()) == remaining[n - 1] for n, parts in future)

    disputed.refresh_from_db()
    world.case.refresh_from_db()
    assert not disputed.included and "collector" in disputed.exclusion_reason
    assert world.case.total_debt_tiyn == plan.total_tiyn
    row = DebtConfirmation.objects.get(case_loan=disputed, action=ConfirmationAction.EXCLUDE)
    assert row.by is not None and row.via == "ombudsman"
    notices = Notification.objects.filter(creditor=second, template_key="dispute_excluded_creditor")
    assert notices and all(str(disputed.pk) in n.dedup_key for n in notices)  # one per loan
    assert "sold to a collector" in notices[0].body
    assert Notification.objects.filter(case=world.case, template_key="dispute_excluded_borrower")
    assert_books_clean()
    with time_machine.travel(almaty_noon(decided_on), tick=False):
        page = client.get(review_url(world.case), HTTP_ACCEPT_LANGUAGE="en").content.decode()
        queue = client.get("/admin/resolution/reviewqueuecase/")
    assert "decide later: share held" not in page and "left out" in page
    assert list(queue.context["cl"].result_list) == []  # nothing left to decide

    # pay the shrunk schedule line by line: each remaining creditor ends at its debt exactly
    for k in range(4, len(dues)):
        if not remaining[k]:
            continue
        pay_on(plan, f"m{k}", remaining[k], dues[k].due_date)
        assert_books_clean()
    plan.refresh_from_db()
    assert plan.status == PlanStatus.COMPLETED and plan.paid_tiyn == plan.total_tiyn
    assert {(s.creditor_id, s.received_tiyn) for s in plan.shares.filter(hold="")} == {
        (first.pk, CORRECTED), (third.pk, CONFIRMED)
    }  # fmt: skip
    run_payouts(on=dues[-1].due_date)
    assert Payout.objects.filter(creditor=first).aggregate(s=Sum("amount_tiyn"))["s"] == CORRECTED
    assert not Payout.objects.filter(creditor=second).exists()
    assert_books_clean()


def test_replay_lowers_the_remaining_instalments_from_the_end():
    lines = [(n, date(2027, n, 10), 100_00) for n in (1, 2, 3, 4)]
    events = [
        engine.PaymentEvent(150_00, date(2027, 1, 10), 0),
        engine.PaymentEvent(120_00, date(2027, 1, 20), 1, reduction=True),
    ]
    state = engine.replay(instalments=lines, events=events, business_date=date(2027, 1, 21))
    assert [(i.amount_tiyn, i.paid_tiyn) for i in state.instalments] == [
        (100_00, 100_00), (100_00, 50_00), (80_00, 0), (0, 0)
    ]  # fmt: skip
    assert state.outstanding_tiyn == 130_00 and state.paid_tiyn == 150_00
    assert state.instalments[3].status == "paid"  # nothing left to pay on the last line
    events.append(engine.PaymentEvent(130_00, date(2027, 2, 10), 2))
    done = engine.replay(instalments=lines, events=events, business_date=date(2027, 2, 11))
    assert done.is_fully_paid and done.overpaid_tiyn == 0
    assert done.fully_paid_on == date(2027, 2, 10)


# --- decisions straight through the schedules service --------------------------------------


def plan_with_held(regular, held_amount, *, first_due=date(2027, 1, 31)):
    """A plan with one creditor per regular debt and one held disputed loan."""
    ensure_default_table()
    case = CaseFactory()
    creditors = [new_creditor() for _ in regular]
    holder = new_creditor()
    case_loan = CaseLoanFactory(
        case=case, loan=LoanFactory(creditor=holder, borrower_iin=case.borrower.iin,
                                    principal_tiyn=held_amount, interest_tiyn=0, penalty_tiyn=0),
    )  # fmt: skip
    plan = create_plan(
        case=case, debts=list(zip(creditors, regular, strict=True)), category="general",
        first_due=first_due, held=[(holder, case_loan.pk, held_amount)],
    )  # fmt: skip
    return plan, creditors, holder, plan.shares.get(hold=ShareHold.HELD)


def test_create_plan_is_idempotent_with_held_shares_and_parts_add_up():
    plan, creditors, holder, held = plan_with_held([600_000_00, 150_000_00], 250_000_00)
    again = create_plan(
        case=plan.case, debts=[(creditors[0], 600_000_00), (creditors[1], 150_000_00)],
        category="general", first_due=plan.first_due,
        held=[(holder, held.case_loan_id, 250_000_00)],
    )  # fmt: skip
    assert again.pk == plan.pk
    with pytest.raises(ConflictError):
        create_plan(
            case=plan.case, debts=[(creditors[0], 600_000_00), (creditors[1], 150_000_00)],
            category="general", first_due=plan.first_due,
        )  # fmt: skip
    view = selectors.schedule_view(plan)
    assert [s.creditor for s in view.shares] == [*creditors, holder]
    for line in view.lines:
        assert sum(part for _, part in line.parts) == line.amount_tiyn
    assert [sum(line.parts[i][1] for line in view.lines) for i in range(3)] == [
        600_000_00, 150_000_00, 250_000_00
    ]  # fmt: skip


def test_include_at_a_lower_amount_lowers_the_plan_and_keeps_the_books_exact():
    plan, creditors, holder, held = plan_with_held([600_000_00, 150_000_00], 250_000_00)
    for k in range(3):
        pay_on(plan, f"p{k}", 70_000_00, date(2027, 1 + k, 28))
    held.refresh_from_db()
    held_before = held.received_tiyn
    outcome = decide_held_share(share_id=held.pk, decided_tiyn=200_000_00)
    plan.refresh_from_db()
    assert plan.total_tiyn == 950_000_00 and plan.paid_tiyn == 210_000_00
    assert outcome.refund_tiyn == 0
    assert outcome.released_tiyn + sum(outcome.redistributed.values()) == held_before
    assert Account.objects.get(share=held).pk and balance(held.held_account) == 0
    own = plan.shares.get(creditor=holder, hold=ShareHold.NONE)
    assert own.debt_tiyn == 200_000_00 and own.received_tiyn == outcome.released_tiyn
    assert_books_clean()
    pay_on(plan, "rest", 740_000_00, date(2027, 5, 28))
    plan.refresh_from_db()
    assert plan.status == PlanStatus.COMPLETED
    assert sorted(plan.shares.filter(hold="").values_list("debt_tiyn", "received_tiyn")) == [
        (150_000_00, 150_000_00), (200_000_00, 200_000_00), (600_000_00, 600_000_00)
    ]  # fmt: skip
    assert credited_to(holder) == 200_000_00
    assert_books_clean()


def test_leaving_out_after_the_borrower_paid_beyond_the_new_total_owes_the_rest_back(
    admin_client,
):
    plan, creditors, holder, held = plan_with_held([100_000_00], 400_000_00)
    pay_on(plan, "big", 300_000_00, date(2027, 1, 28))  # 60 000,00 to the first, 240 000 held
    held.refresh_from_db()
    assert held.received_tiyn == 240_000_00
    outcome = decide_held_share(share_id=held.pk, decided_tiyn=0)
    # the first creditor is owed 40 000,00 more; the other 200 000,00 is owed back
    assert outcome.redistributed == {creditors[0].pk: 40_000_00}
    assert outcome.refund_tiyn == 200_000_00
    plan.refresh_from_db()
    assert (plan.total_tiyn, plan.paid_tiyn, plan.status) == (
        100_000_00, 100_000_00, PlanStatus.COMPLETED
    )  # fmt: skip
    completed = OutboxMessage.objects.filter(task_name="resolution.plan_completed")
    assert [(m.args, m.dedup_key) for m in completed] == [
        ([str(plan.case_id)], f"plan-completed:{plan.pk}")
    ]  # the workflow is told in the decision's transaction
    adjustment = PlanAdjustment.objects.get(plan=plan)
    assert (adjustment.reduction_tiyn, adjustment.refund_tiyn) == (200_000_00, 200_000_00)
    assert selectors.plan_state(plan, on=date(2027, 2, 1)).outstanding_tiyn == 0
    report = assert_books_clean()
    assert report.figures["refund_liability"] == 200_000_00
    assert report.figures["held_for_disputes"] == 0
    page = admin_client.get(f"/admin/schedules/plan/{plan.pk}/change/", HTTP_ACCEPT_LANGUAGE="en")
    assert page.status_code == 200
    assert "Dispute decided: left out" in page.content.decode()


def test_decisions_are_guarded():
    plan, creditors, holder, held = plan_with_held([600_000_00], 250_000_00)
    with pytest.raises(ApplicationError) as err:
        decide_held_share(share_id=held.pk, decided_tiyn=250_000_01)
    assert err.value.code == "above_provisional"
    decide_held_share(share_id=held.pk, decided_tiyn=250_000_00)  # nothing held yet
    assert not LedgerTransaction.objects.filter(plan=plan, kind=TransactionKind.RELEASE)
    with pytest.raises(ConflictError) as err:
        decide_held_share(share_id=held.pk, decided_tiyn=250_000_00)
    assert err.value.code == "share_not_held"


def test_deciding_between_approval_and_signing_is_refused():
    world = approved_with_open_dispute()
    with pytest.raises(ConflictError) as err:
        decide_disputed_loan(case_loan_id=world.loans[1].pk, include=False, reason="x")
    assert err.value.code == "decide_after_signing"


def test_reversal_before_the_decision_unholds_after_it_is_refused():
    plan, creditors, holder, held = plan_with_held([600_000_00], 300_000_00)
    first = pay_on(plan, "a", 90_000_00, date(2027, 1, 28)).payment
    second = pay_on(plan, "b", 90_000_00, date(2027, 2, 28)).payment
    reverse_payment(payment_id=first.pk, reason="bank recalled it")
    held.refresh_from_db()
    assert held.received_tiyn == balance(held.held_account) == 30_000_00
    assert_books_clean()
    decide_held_share(share_id=held.pk, decided_tiyn=300_000_00)
    with pytest.raises(ConflictError) as err:
        reverse_payment(payment_id=second.pk, reason="too late")
    assert err.value.code == "held_share_released"
    later = pay_on(plan, "c", 90_000_00, date(2027, 3, 28)).payment
    reverse_payment(payment_id=later.pk, reason="recalled")  # no held leg: fine
    assert_books_clean()


def test_decision_locks_the_plan_and_its_shares_before_writing_the_ledger():
    from django.test.utils import CaptureQueriesContext

    plan, creditors, holder, held = plan_with_held([600_000_00, 90_000_00], 300_000_00)
    pay_on(plan, "a", 99_000_00, date(2027, 1, 28))
    with CaptureQueriesContext(connection) as queries:
        decide_held_share(share_id=held.pk, decided_tiyn=0)
    sql = [q["sql"] for q in queries.captured_queries]
    plan_lock = next(
        i for i, q in enumerate(sql) if 'FROM "schedules_plan"' in q and "FOR UPDATE" in q
    )
    share_lock = next(
        i for i, q in enumerate(sql) if 'FROM "schedules_creditorshare"' in q and "FOR UPDATE" in q
    )
    ledger_write = next(i for i, q in enumerate(sql) if "COPY schedules_ledgerentry" in q)
    share_write = next(i for i, q in enumerate(sql) if q.startswith('UPDATE "schedules_creditor'))
    assert plan_lock < share_lock < ledger_write < share_write


# --- the database refuses what the code never does ----------------------------------------


@pytest.fixture
def held_books(transactional_db):
    plan, creditors, holder, held = plan_with_held([600_000_00], 300_000_00)
    pay_on(plan, "p", 90_000_00, date(2027, 1, 28))
    held.refresh_from_db()
    assert held.received_tiyn == 30_000_00
    return plan, creditors, holder, held


def _raw_transaction(kind, legs, plan=None):
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO schedules_ledgertransaction (id, kind, plan_id, booked_on, created_at,"
            " description) VALUES (gen_random_uuid(), %s, %s, '2027-02-01', now(), 'raw')"
            " RETURNING id",
            [kind, plan.pk if plan else None],
        )
        tx = cursor.fetchone()[0]
        for account_id, side, amount in legs:
            cursor.execute(
                "INSERT INTO schedules_ledgerentry (transaction_id, account_id, side, amount_tiyn)"
                " VALUES (%s, %s, %s, %s)",
                [tx, account_id, side, amount],
            )


def test_database_refuses_paying_out_of_a_held_account(held_books):
    plan, _, _, held = held_books
    bank = Account.objects.get(code="bank").pk
    with pytest.raises(IntegrityError, match="payout may only draw"):
        with transaction.atomic():
            _raw_transaction(
                "payout", [(held.held_account.pk, "D", 30_000_00), (bank, "C", 30_000_00)]
            )
    assert balance(held.held_account) == 30_000_00


def test_database_refuses_an_unbalanced_or_oversized_release(held_books):
    plan, creditors, holder, held = held_books
    held_account = held.held_account.pk
    target = ledger.creditor_account_ids([holder.pk])[holder.pk]
    with pytest.raises(IntegrityError, match="does not balance"):
        with transaction.atomic():
            _raw_transaction(
                "release", [(held_account, "D", 30_000_00), (target, "C", 29_999_99)], plan
            )
    with pytest.raises(IntegrityError, match="negative"):
        with transaction.atomic():
            _raw_transaction(
                "release", [(held_account, "D", 30_000_01), (target, "C", 30_000_01)], plan
            )
    with pytest.raises(IntegrityError, match="only by a release"):
        with transaction.atomic():
            _raw_transaction("payment", [(held_account, "D", 1_00), (target, "C", 1_00)], plan)
    with pytest.raises(IntegrityError):
        with transaction.atomic():  # a held share is always at its provisional figure
            CreditorShare.objects.filter(pk=held.pk).update(debt_tiyn=1_00)
    # what the service does passes the same rules at COMMIT
    decide_held_share(share_id=held.pk, decided_tiyn=300_000_00)
    assert balance(held.held_account) == 0
    assert balance(Account.objects.get(pk=target)) == 30_000_00  # the holder's payable
    assert_books_clean()


# --- property: random debts, payments and a decision at a random moment -------------------


@given(
    regular=st.lists(st.integers(1_00, 2_000_000_00), min_size=1, max_size=4),
    held_amount=st.integers(1_00, 2_000_000_00),
    payments=st.lists(st.integers(1, 500_000_00), min_size=0, max_size=6),
    decide_after=st.integers(0, 6),
    decision=st.sampled_from(["include", "lower", "exclude"]),
    data=st.data(),
)
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_property_held_share_books_balance_and_everyone_ends_exact(
    regular, held_amount, payments, decide_after, decision, data
):
    plan, creditors, holder, held = plan_with_held(regular, held_amount)
    run = uuid.uuid4().hex[:8]  # examples share one test transaction: keys must not repeat
    day = date(2027, 1, 28)
    decided = None
    for k, amount in enumerate([*payments, None]):
        if decided is None and (k == decide_after or amount is None):
            decided = {
                "include": held_amount,
                "lower": data.draw(st.integers(0, held_amount)),
                "exclude": 0,
            }[decision]
            held.refresh_from_db()
            before = balance(held.held_account)
            outcome = decide_held_share(share_id=held.pk, decided_tiyn=decided)
            moved = outcome.released_tiyn + sum(outcome.redistributed.values())
            assert moved + outcome.refund_tiyn == before
            assert balance(held.held_account) == 0
        if amount is None:
            break
        plan.refresh_from_db()
        if plan.status == PlanStatus.COMPLETED:
            continue  # the decision may still come
        day += timedelta(days=30)
        pay_on(plan, f"{run}-{k}", amount, day)
        assert_books_clean()
    assert_books_clean()
    plan.refresh_from_db()
    assert plan.total_tiyn == sum(regular) + decided
    if plan.status != PlanStatus.COMPLETED:
        pay_on(plan, f"{run}-rest", plan.total_tiyn - plan.paid_tiyn, day + timedelta(days=30))
        plan.refresh_from_db()
    assert plan.status == PlanStatus.COMPLETED
    want = {c.pk: d for c, d in zip(creditors, regular, strict=True)}
    if decided:
        want[holder.pk] = decided
    got = dict(plan.shares.filter(hold="").values_list("creditor_id", "received_tiyn"))
    assert got == want
    assert balance(held.held_account) == 0
    state = engine.replay(
        instalments=list(
            plan.instalments.order_by("number").values_list("number", "due_date", "amount_tiyn")
        ),
        events=selectors.payment_events(plan) + selectors.adjustment_events(plan),
        business_date=date(2040, 1, 1),
    )
    assert state.outstanding_tiyn == 0
    assert_books_clean()


def test_borrower_schedule_page_shows_each_creditor_once_before_and_after_a_decision(client):
    from django.urls import reverse

    ensure_default_table()
    case = CaseFactory()
    first, both = new_creditor(), new_creditor()  # `both` has a confirmed and a disputed loan
    case_loan = CaseLoanFactory(
        case=case, loan=LoanFactory(creditor=both, borrower_iin=case.borrower.iin)
    )
    plan = create_plan(
        case=case, debts=[(first, 400_000_00), (both, 100_000_00)], category="general",
        first_due=date(2027, 1, 31), held=[(both, case_loan.pk, 100_000_00)],
    )  # fmt: skip
    url = reverse("schedules:borrower_schedule")
    client.force_login(case.borrower.user)
    view = client.get(url).context["view"]
    assert [(s.creditor, s.debt_tiyn) for s in view.shares] == [
        (first, 400_000_00), (both, 200_000_00)
    ]  # fmt: skip
    assert all(sum(p for _, p in line.parts) == line.amount_tiyn for line in view.lines)
    first_line = view.lines[0].amount_tiyn
    pay_on(plan, "one", first_line, date(2027, 1, 31))
    with time_machine.travel(almaty_noon(date(2027, 2, 5)), tick=False):
        held = plan.shares.get(hold=ShareHold.HELD)
        decide_held_share(share_id=held.pk, decided_tiyn=0)
        client.force_login(case.borrower.user)
        page = client.get(url)
    assert page.status_code == 200
    view = page.context["view"]
    assert [(s.creditor, s.debt_tiyn) for s in view.shares] == [
        (first, 400_000_00), (both, 100_000_00)
    ]  # fmt: skip
    assert sum(line.amount_tiyn for line in view.lines) == 500_000_00
    assert page.context["state"].outstanding_tiyn == 500_000_00 - first_line
    unpaid = view.lines[1:]
    assert all(sum(p for _, p in line.parts) == line.amount_tiyn for line in unpaid)
    for index, share in enumerate(view.shares):  # received + what is ahead = the debt
        assert share.received_tiyn + sum(line.parts[index][1] for line in unpaid) == (
            share.debt_tiyn
        )


@pytest.mark.django_db(transaction=True)
def test_payments_and_the_decision_at_once_are_serialised_and_the_books_stay_exact():
    from tests.schedules.test_concurrency import _run_in_threads

    plan, creditors, holder, held = plan_with_held([400_000_00, 100_000_00], 250_000_00)
    pay_on(plan, "first", 75_000_00, date(2027, 1, 28))
    day = date(2027, 2, 28)
    calls = [
        (lambda k=k: book_payment(
            source="bank", item=pay(f"race-{k}", 25_000_00 + k, day, plan=plan)
        ))
        for k in range(4)
    ] + [lambda: decide_held_share(share_id=held.pk, decided_tiyn=0, on=day)]  # fmt: skip
    results, errors = _run_in_threads(calls)
    assert errors == []
    held.refresh_from_db()
    assert held.hold == ShareHold.EXCLUDED and balance(held.held_account) == 0
    plan.refresh_from_db()
    assert plan.total_tiyn == 500_000_00
    assert plan.paid_tiyn == 75_000_00 + sum(25_000_00 + k for k in range(4))
    report = assert_books_clean()
    assert report.figures["held_for_disputes"] == 0
    pay_on(plan, "rest", plan.total_tiyn - plan.paid_tiyn, date(2027, 3, 28))
    assert sorted(plan.shares.filter(hold="").values_list("debt_tiyn", "received_tiyn")) == [
        (100_000_00, 100_000_00), (400_000_00, 400_000_00)
    ]  # fmt: skip
    assert_books_clean()


def test_borrower_statement_keeps_a_disputed_loan_in_its_creditors_column_around_the_decision():
    from schedules.statements import borrower_statement

    plan, creditors, holder, held = plan_with_held([600_000_00, 150_000_00], 250_000_00)
    for k in range(3):
        pay_on(plan, f"p{k}", 70_000_00, date(2027, 1 + k, 28))
    march = borrower_statement(plan, date_from=date(2027, 3, 1), date_to=date(2027, 3, 31))
    assert list(march.creditors) == [*creditors, holder]
    assert list(march.debts) == [600_000_00, 150_000_00, 250_000_00]  # provisional, held
    (line,) = march.lines
    assert sum(line.parts) == 70_000_00 and line.parts[2] > 0  # the held part is shown
    assert march.closing_total == 1_000_000_00 - 210_000_00

    held.refresh_from_db()
    held_before = held.received_tiyn
    decide_held_share(share_id=held.pk, decided_tiyn=200_000_00, on=date(2027, 4, 10))
    plan.refresh_from_db()
    april = borrower_statement(plan, date_from=date(2027, 4, 1), date_to=date(2027, 4, 30))
    assert april.opening == march.closing  # the month before the decision is unchanged
    assert list(april.debts) == [600_000_00, 150_000_00, 200_000_00]
    (release,) = april.lines  # the decision: money moves between columns, none comes in
    assert release.amount_tiyn == 0 and sum(release.parts) == 0
    assert release.parts[2] < 0 or held_before == 0
    assert april.closing_total == plan.total_tiyn - plan.paid_tiyn == 740_000_00
    assert april.closing_total == selectors.plan_state(plan, on=date(2027, 4, 30)).outstanding_tiyn
    again = borrower_statement(plan, date_from=date(2027, 3, 1), date_to=date(2027, 3, 31))
    assert again.closing == march.closing  # a past month reads the same after the decision
