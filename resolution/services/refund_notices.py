"""The borrower's notice that a refund was paid (outbox task `resolution.refund_paid`, written
by the payout run in schedules): SMS, email and a cabinet notice, once per refund."""

from __future__ import annotations

from django.db import transaction

from finplatform.money import format_tenge
from resolution.services.notifications import notify_borrower
from schedules.models import RefundPayout, RefundStatus


@transaction.atomic
def notify_refund_paid(*, refund_id) -> int:
    refund = (
        RefundPayout.objects.select_related("plan__case__borrower")
        .filter(pk=refund_id, status=RefundStatus.PAID)
        .first()
    )
    if refund is None:
        return 0
    context = {
        "amount": format_tenge(refund.amount_tiyn),
        "iban": f"…{refund.iban[-4:]}",
        "on": refund.paid_on.strftime("%d.%m.%Y"),
    }
    sent = notify_borrower(case=refund.plan.case, template_key="refund_paid", context=context,
                           dedup=str(refund.pk), cabinet=True)  # fmt: skip
    return len(sent)
