"""Issue 14 point 4 on the real stack: the borrower takes a payoff quote in the cabinet, the
payment provider pays that amount with the case reference through its API, and the worker
completes the case (PostgreSQL, Redis, the Celery worker)."""

import time
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from resolution.models import Case, CaseStatus
from schedules.models import PaymentProvider, PayoffQuote, PlanStatus
from schedules.services import payoff
from tests.support.endings import active_plan


@pytest.mark.slow
@pytest.mark.worker
def test_a_payoff_quote_paid_through_the_provider_api_completes_the_case(worker, client):
    world = active_plan((60_000_000, 40_000_000), language="en")
    client.force_login(world.case.borrower.user, backend="borrowers.auth.IINBackend")
    client.post(reverse("schedules:payoff_quote"))
    quote = PayoffQuote.objects.get(plan=world.plan)
    provider = PaymentProvider(code="kaspi", name="Kaspi")
    key = provider.set_new_key()
    provider.save()
    api = APIClient()
    api.credentials(HTTP_X_API_KEY=key)
    body = {"amount_tiyn": quote.amount_tiyn, "paid_at": timezone.now().isoformat(),
            "case_reference": world.case.reference}  # fmt: skip
    answer = api.post("/api/v1/payments/", body, format="json",
                      HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))  # fmt: skip
    assert answer.status_code == 201, answer.content
    assert answer.json()["applied_tiyn"] == quote.amount_tiyn
    deadline = time.monotonic() + 30
    while Case.objects.get(pk=world.case.pk).status != CaseStatus.COMPLETED:
        assert time.monotonic() < deadline, "the worker did not complete the case"
        time.sleep(0.2)
    world.plan.refresh_from_db()
    assert world.plan.status == PlanStatus.COMPLETED
    assert payoff.quote_state(quote, world.plan) == payoff.QuoteState.SETTLED
    assert "Plan paid off" in client.get(reverse("schedules:payoff_quote")).content.decode()
