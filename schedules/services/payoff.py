"""Payoff quotes: the amount that finishes a plan today, valid through a date.

A plan carries no interest, so the amount is the plan's outstanding total (total − applied).
Paying it through the normal payment path (provider API or cabinet, with the case reference)
applies it all and completes the plan; anything paid beyond the outstanding total goes to the
refund liability as for any overpayment, so a quote paid after another payment still
completes the plan. The quote is stored with a reference so the borrower, the ombudsman and a
creditor speak of the same figure and date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from finplatform.clock import business_date, business_now
from finplatform.errors import ConflictError
from schedules.models import PayoffQuote, Plan, PlanStatus
from schedules.services.common import lock_plans

# A quote holds through the end of this many business days after the day it is given (the
# figure cannot grow: the plan has no interest; it is superseded only by a payment).
QUOTE_VALID_DAYS = 7
MSG_PLAN_NOT_ACTIVE = _("Only a plan under way can be paid off.")


class QuoteState:
    VALID = "valid"
    EXPIRED = "expired"
    SUPERSEDED = "superseded"
    SETTLED = "settled"


STATE_LABELS = {
    QuoteState.VALID: _("Valid"),
    QuoteState.EXPIRED: _("Expired"),
    QuoteState.SUPERSEDED: _("Superseded by a later payment"),
    QuoteState.SETTLED: _("Plan paid off"),
}


@dataclass(frozen=True, slots=True)
class QuoteView:
    quote: PayoffQuote
    state: str

    @property
    def state_label(self) -> str:
        return str(STATE_LABELS[self.state])


def quote_state(quote: PayoffQuote, plan: Plan, *, on: date | None = None) -> str:
    on = on or business_date()
    if plan.status == PlanStatus.COMPLETED or plan.outstanding_tiyn <= 0:  # (or paid, held)
        done = plan.completed_on is None or plan.completed_on <= quote.valid_until
        return QuoteState.SETTLED if done else QuoteState.EXPIRED
    if plan.paid_tiyn != quote.paid_tiyn_at_quote:
        return QuoteState.SUPERSEDED
    return QuoteState.VALID if on <= quote.valid_until else QuoteState.EXPIRED


def latest_quote(plan: Plan) -> QuoteView | None:
    quote = plan.payoff_quotes.order_by("-created_at").first()
    return None if quote is None else QuoteView(quote, quote_state(quote, plan))


@transaction.atomic
def quote_payoff(*, plan_id, requested_by: str) -> PayoffQuote:
    """The payoff quote of an active plan as of today, under the plan's row lock. Idempotent
    while nothing changes: a quote still valid (same day range, no payment since) is returned
    rather than a new one made. Raises ConflictError for a completed or breached plan."""
    plan = lock_plans([plan_id]).get(plan_id)
    if plan is None or plan.status != PlanStatus.ACTIVE or plan.outstanding_tiyn <= 0:
        raise ConflictError(MSG_PLAN_NOT_ACTIVE, code="plan_not_active")
    today = business_date()
    current = plan.payoff_quotes.filter(
        paid_tiyn_at_quote=plan.paid_tiyn, quoted_on=today, valid_until__gte=today
    ).first()
    if current is not None:
        return current
    return PayoffQuote.objects.create(
        plan_id=plan.pk, amount_tiyn=plan.outstanding_tiyn, paid_tiyn_at_quote=plan.paid_tiyn,
        quoted_on=today, valid_until=today + timedelta(days=QUOTE_VALID_DAYS),
        requested_by=requested_by[:16], created_at=business_now(),
    )  # fmt: skip
