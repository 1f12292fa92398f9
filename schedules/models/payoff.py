"""A payoff quote: the amount that finishes a plan, as of one business date, valid through a
date. The plan carries no interest, so the figure is the plan's outstanding total; it changes
only when money is applied, and a quote taken before such a payment is superseded."""

from __future__ import annotations

import secrets
import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from schedules.models.plan import Plan

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read over the phone


def new_quote_reference() -> str:
    return "PQ-" + "".join(secrets.choice(ALPHABET) for _ in range(8))


class PayoffQuote(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    reference = models.CharField(
        _("reference"), max_length=16, unique=True, default=new_quote_reference, editable=False
    )
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="payoff_quotes")
    amount_tiyn = models.BigIntegerField(_("amount to finish the plan, tiyn"))
    # what the plan had been paid when quoted: a later payment supersedes the quote
    paid_tiyn_at_quote = models.BigIntegerField(_("paid when quoted, tiyn"))
    quoted_on = models.DateField(_("quoted on"))
    valid_until = models.DateField(_("valid until"))
    requested_by = models.CharField(_("requested by"), max_length=16)
    created_at = models.DateTimeField(_("created at"))

    class Meta:
        verbose_name = _("payoff quote")
        verbose_name_plural = _("payoff quotes")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(amount_tiyn__gt=0, paid_tiyn_at_quote__gte=0),
                name="payoff_quote_amount_positive",
            ),
            models.CheckConstraint(
                condition=models.Q(valid_until__gte=models.F("quoted_on")),
                name="payoff_quote_valid_after_quoted",
            ),
        ]

    def __str__(self) -> str:
        return self.reference
