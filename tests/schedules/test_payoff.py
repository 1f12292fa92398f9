"""Payoff quotes (issue 14 point 4): the amount that finishes a plan today, valid through a
date; the cabinet and the creditor API show it; paying it completes the plan."""

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse

from finplatform.errors import ConflictError
from schedules.models import PayoffQuote, PlanStatus
from schedules.services import payoff
from schedules.services.payments import book_payment
from tests.support.endings import active_plan, almaty_noon, pay_in_full
from tests.support.payments import pay
from tests.support.workflow import api_client_for

pytestmark = pytest.mark.django_db
DAY = date(2026, 3, 2)


def test_a_quote_is_the_outstanding_total_valid_for_a_week_and_not_duplicated():
    world = active_plan((60_000_000, 40_000_000))
    with time_machine.travel(almaty_noon(DAY), tick=False):
        book_payment(source="test", item=pay("p1", 5_000_000, DAY, plan=world.plan))
        quote = payoff.quote_payoff(plan_id=world.plan.pk, requested_by="borrower")
        again = payoff.quote_payoff(plan_id=world.plan.pk, requested_by="borrower")
    assert quote.amount_tiyn == 100_000_000 - 5_000_000
    assert quote.valid_until == DAY + timedelta(days=payoff.QUOTE_VALID_DAYS)
    assert quote.reference.startswith("PQ-") and again.pk == quote.pk
    world.plan.refresh_from_db()
    assert payoff.quote_state(quote, world.plan, on=DAY) == payoff.QuoteState.VALID
    assert payoff.quote_state(quote, world.plan, on=quote.valid_until + timedelta(days=1)) == (
        payoff.QuoteState.EXPIRED
    )


def test_a_payment_after_the_quote_supersedes_it_and_a_new_quote_is_lower():
    world = active_plan((60_000_000, 40_000_000))
    with time_machine.travel(almaty_noon(DAY), tick=False):
        first = payoff.quote_payoff(plan_id=world.plan.pk, requested_by="borrower")
        book_payment(source="test", item=pay("p1", 1_000_000, DAY, plan=world.plan))
        world.plan.refresh_from_db()
        assert payoff.quote_state(first, world.plan) == payoff.QuoteState.SUPERSEDED
        second = payoff.quote_payoff(plan_id=world.plan.pk, requested_by="borrower")
    assert second.pk != first.pk and second.amount_tiyn == first.amount_tiyn - 1_000_000


def test_paying_the_quote_on_its_last_day_completes_the_plan():
    world = active_plan((60_000_000, 40_000_000))
    with time_machine.travel(almaty_noon(DAY), tick=False):
        quote = payoff.quote_payoff(plan_id=world.plan.pk, requested_by="borrower")
    last = quote.valid_until
    with time_machine.travel(almaty_noon(last), tick=False):
        book_payment(source="test", item=pay("payoff", quote.amount_tiyn, last, plan=world.plan))
    world.plan.refresh_from_db()
    assert world.plan.status == PlanStatus.COMPLETED and world.plan.outstanding_tiyn == 0
    assert payoff.quote_state(quote, world.plan) == payoff.QuoteState.SETTLED


def test_no_quote_for_a_finished_plan():
    world = active_plan((30_000_000, 20_000_000))
    pay_in_full(world)
    with pytest.raises(ConflictError):
        payoff.quote_payoff(plan_id=world.plan.pk, requested_by="borrower")
    assert not PayoffQuote.objects.exists()


def test_the_creditor_api_shows_the_figure_read_only_and_only_to_the_plans_creditors():
    world = active_plan((60_000_000, 40_000_000))
    payoff.quote_payoff(plan_id=world.plan.pk, requested_by="borrower")
    url = f"/api/v1/creditor/cases/{world.case.pk}/payoff/"
    mine = api_client_for(world.creditors[0])
    answer = mine.get(url)
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["outstanding_tiyn"] == 100_000_000
    assert body["creditor_outstanding_tiyn"] == 60_000_000
    assert body["latest_quote"]["amount_tiyn"] == 100_000_000
    assert body["latest_quote"]["state"] == "valid"
    assert mine.post(url, {}).status_code == 405  # read-only
    from tests.factories import CreditorFactory

    stranger = api_client_for(CreditorFactory())
    assert stranger.get(url).status_code == 404


def test_the_cabinet_gives_the_borrower_a_quote_with_the_payment_details(client):
    world = active_plan((60_000_000, 40_000_000), language="en")
    client.force_login(world.case.borrower.user, backend="borrowers.auth.IINBackend")
    url = reverse("schedules:payoff_quote")
    page = client.get(url)
    assert page.status_code == 200 and 'id="get-quote"' in page.content.decode()
    client.post(url)
    quote = PayoffQuote.objects.get(plan=world.plan)
    html = client.get(url).content.decode()
    assert quote.reference in html and "1\u00a0000\u00a0000,00" in html
    assert world.case.reference in html  # pay it with the case reference
    assert 'id="get-quote"' not in html  # a valid quote is shown, not a second one offered


def test_the_openapi_schema_documents_the_payoff_endpoint(client):
    paths = client.get("/api/v1/schema/?format=json").json()["paths"]
    payoff_path = paths["/api/v1/creditor/cases/{case_id}/payoff/"]
    assert set(payoff_path) == {"get"}
    assert "200" in payoff_path["get"]["responses"]
