"""The case timeline (resolution.selectors.timeline): every transition, notice, answer,
decision, the payments by month and the ending, in order; the borrower's copy leaves out the
creditors' notices and the creditors' internal comments."""

from datetime import date

import pytest
import time_machine

import resolution.tasks  # noqa: F401  (registers the tasks run_outbox runs)
from resolution.models import ConfirmationAction, DebtConfirmation
from resolution.selectors.timeline import BORROWER, OMBUDSMAN, case_timeline
from schedules.services.payments import book_payment
from tests.conftest import run_outbox
from tests.support.endings import active_plan, almaty_noon, breach
from tests.support.payments import pay

pytestmark = pytest.mark.django_db


def _breached_world():
    world = active_plan((30_000_000, 20_000_000))
    DebtConfirmation.objects.create(
        case_loan=world.loans[0], creditor=world.creditors[0], action=ConfirmationAction.CONFIRM,
        total_tiyn=30_000_000, comment="internal: checked by collections desk",
        at=almaty_noon(date(2026, 1, 5)),
    )  # fmt: skip
    for key, day in (("feb", date(2026, 2, 2)), ("feb2", date(2026, 2, 20)),
                     ("mar", date(2026, 3, 2))):  # fmt: skip
        with time_machine.travel(almaty_noon(day), tick=False):
            book_payment(source="t", item=pay(key, 1_000_000, day, plan=world.plan))
    assert breach(world, on=date(2026, 4, 15)).breached == 1
    run_outbox(task_prefix="resolution.")
    return world


def test_the_ombudsman_sees_every_event_in_order():
    world = _breached_world()
    events = case_timeline(world.case, audience=OMBUDSMAN)
    kinds = [e.kind for e in events]
    assert kinds[:4] == ["answer", "payments", "payments", "transition"]
    assert kinds[4] == "ending" and set(kinds[5:]) == {"notice"}
    assert [e.at for e in events] == sorted(e.at for e in events)
    feb, mar = events[1], events[2]
    assert (feb.month, mar.month) == (date(2026, 2, 1), date(2026, 3, 1))
    assert "Payments: 2;" in feb.detail and "Payments: 1;" in mar.detail
    assert "internal: checked" in events[0].detail
    notices = [e for e in events if e.kind == "notice"]
    assert any(world.creditors[1].name in e.detail for e in notices)  # the creditors' too
    assert any("the borrower" in e.detail for e in notices)


def test_the_borrower_sees_their_own_notices_only_and_no_internal_comment():
    world = _breached_world()
    events = case_timeline(world.case, audience=BORROWER)
    notices = [e for e in events if e.kind == "notice"]
    # the missed-payment notices of instalments 1-3 (no sweep ran here: the breach sent them
    # first), then the breach notice (SMS + cabinet: one line)
    assert len(notices) == 4 and all("the borrower" in e.detail for e in notices)
    assert [world.case.reference in e.title for e in notices] == [True] * 4
    assert "40" in notices[-1].title and "40" not in notices[0].title
    for creditor in world.creditors:
        assert not any(creditor.name in e.detail for e in notices)
    answer = next(e for e in events if e.kind == "answer")
    assert "internal" not in answer.detail and world.creditors[0].name in answer.detail
    assert [e.kind for e in events].count("ending") == 1


def test_an_unknown_audience_is_refused():
    world = active_plan((30_000_000,))
    with pytest.raises(ValueError):
        case_timeline(world.case, audience="creditor")
