from datetime import UTC, date, datetime

from schedules.services.payments import PaymentIn


def pay(key, amount, on: date, *, plan=None, iin="", ref=None, hour=10):
    """A PaymentIn credited at 10:00 UTC (15:00 in Almaty) on `on`."""
    reference = ref if ref is not None else (plan.case.reference if plan is not None else "")
    return PaymentIn(
        idempotency_key=key,
        amount_tiyn=amount,
        paid_at=datetime(on.year, on.month, on.day, hour, tzinfo=UTC),
        payer_iin=iin,
        case_reference=reference,
    )
