"""A variation still open when its plan ends is closed, with a status that says why (outside
tester's finding: a request stayed "requested", in the ombudsman's queue, after its plan was
paid in full). Completion and breach reach the workflow through the outbox task
(`resolution.plan_completed` / `plan_breached`), a termination through its approval; each
closes the open variations once, however often it is re-sent."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from finplatform.errors import ConflictError
from resolution.models import CaseStatus, CaseTransition, VariationStatus
from resolution.services import outcomes
from resolution.services import variation_signing as signing
from resolution.services.variations import propose_variation, request_variation
from tests.conftest import run_outbox
from tests.factories import UserFactory
from tests.ombudsman.test_admin_review import ombudsman_user
from tests.resolution.test_termination import _terminated
from tests.support.endings import active_plan, almaty_noon, breach, pay_in_full

pytestmark = pytest.mark.django_db
ASKED_ON = date(2026, 3, 10)  # the plan's first instalment is 36 days late, not yet breached


def _asked(*, propose: bool = False, language: str = "ru"):
    world = active_plan((180_000_000, 120_000_000), language=language)
    world.case.ombudsman = "banking"
    world.case.save(update_fields=["ombudsman"])
    with time_machine.travel(almaty_noon(ASKED_ON), tick=False):
        variation = request_variation(
            case=world.case, kind="holiday", holiday_months=3, reason="lost my job",
            monthly_income_tiyn=15_000_000, evidence=b"%PDF-1.4 payslip",
            evidence_name="payslip.pdf",
        )  # fmt: skip
        if propose:
            variation = propose_variation(variation_id=variation.pk, staff=UserFactory())
    return world, variation


def _closing_rows(variation) -> int:
    return CaseTransition.objects.filter(
        case_id=variation.case_id, reason__startswith=f"variation {variation.pk} closed"
    ).count()


def test_completion_closes_the_open_request_once_and_it_leaves_the_queue(client):
    world, variation = _asked(language="en")
    pay_in_full(world, on=date(2026, 3, 11))
    assert run_outbox(task_prefix="resolution.plan_") == ["resolution.plan_completed"]
    world.case.refresh_from_db()
    variation.refresh_from_db()
    assert world.case.status == CaseStatus.COMPLETED
    assert variation.status == VariationStatus.PLAN_COMPLETED and variation.closed_at
    assert _closing_rows(variation) == 1

    # the task re-sent (a relay, the stuck-case sweep): nothing more
    assert outcomes.plan_completed(case_id=world.case.pk) is False
    assert _closing_rows(variation) == 1

    # no longer in the ombudsman's queue of requests, and not proposable
    client.force_login(ombudsman_user("banking"))
    queue = client.get("/admin/resolution/variation/?status__exact=requested").content.decode()
    assert world.case.reference not in queue
    with pytest.raises(ConflictError):
        propose_variation(variation_id=variation.pk, staff=UserFactory())

    # the borrower reads why
    client.force_login(world.case.borrower.user)
    page = client.get(reverse("resolution_portal:variation", args=[variation.pk]))
    assert page.status_code == 200
    assert "Closed: the plan was paid in full" in page.text
    assert "Your plan ended before this request was decided" in page.text


def test_a_breach_closes_a_proposal_and_no_agreement_is_issued_afterwards():
    world, variation = _asked(propose=True)
    assert breach(world).breached == 1
    assert run_outbox(task_prefix="resolution.plan_") == ["resolution.plan_breached"]
    variation.refresh_from_db()
    assert variation.status == VariationStatus.PLAN_BREACHED
    # past the objection window: the silence-is-consent sweep issues nothing for it
    with time_machine.travel(almaty_noon(date(2026, 4, 30)), tick=False):
        assert signing.close_objection_windows() == 0
    variation.refresh_from_db()
    assert variation.status == VariationStatus.PLAN_BREACHED and not variation.document


def test_a_termination_closes_the_open_request():
    world, variation = _asked()
    _terminated(world, on=date(2026, 3, 12))
    variation.refresh_from_db()
    assert variation.status == VariationStatus.PLAN_TERMINATED
    assert _closing_rows(variation) == 1
