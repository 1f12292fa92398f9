"""The bodies of the payment provider's API: one payment in, a batch in, and what we answer."""

from datetime import UTC, datetime, timedelta
from functools import cache

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from finplatform.clock import business_now
from finplatform.idempotency import MSG_KEY_INVALID
from finplatform.kzid import validate_iin
from schedules.models import IncomingPayment

MSG_PAYER = _("Give case_reference or payer_iin.")
MSG_PAID_AT = _("paid_at must be after 2000-01-01 and not in the future.")
MSG_PAID_AT_ZONE = _("paid_at needs a time zone (for example 2026-12-01T10:00:00+05:00 or …Z).")
EARLIEST_PAID_AT = datetime(2000, 1, 1, tzinfo=UTC)
MAX_BATCH = 500


class TiynField(serializers.IntegerField):
    """Integer tiyn only: "12.50", "1250" and 12.5 are refused, not coerced."""

    def to_internal_value(self, data):
        if isinstance(data, str | float | bool):
            raise serializers.ValidationError(_("Send an integer number of tiyn."))
        return super().to_internal_value(data)


class AwareDateTimeField(serializers.DateTimeField):
    """An ISO 8601 moment WITH its offset: a bare local time is ambiguous, so it is refused
    rather than guessed as Almaty time."""

    def enforce_timezone(self, value):
        if timezone.is_naive(value):
            raise serializers.ValidationError(MSG_PAID_AT_ZONE, code="naive_datetime")
        return super().enforce_timezone(value)


class PaymentInSerializer(serializers.Serializer):
    """One payment in. Its fields are built once per process (`fields`): a Serializer
    deep-copies its declared fields for every instance, which cost more CPU than validating
    the body. They keep no state between calls; their parent is a prototype instance, read by
    DRF only for `partial` (False here as in every instance)."""

    amount_tiyn = TiynField(min_value=1, max_value=10**13)
    paid_at = AwareDateTimeField(help_text="ISO 8601 with a time zone: …+05:00 or …Z")
    case_reference = serializers.CharField(max_length=32, required=False, allow_blank=True)
    payer_iin = serializers.CharField(
        max_length=12, required=False, allow_blank=True, validators=[validate_iin]
    )

    def validate_paid_at(self, value):
        # A year-504 or next-year "payment" is a sender's bug, not money to book.
        if value < EARLIEST_PAID_AT or value > business_now() + timedelta(days=1):
            raise serializers.ValidationError(MSG_PAID_AT)
        return value

    def validate(self, attrs):
        if not attrs.get("case_reference") and not attrs.get("payer_iin"):
            raise serializers.ValidationError({"case_reference": [MSG_PAYER]})
        return attrs

    @property
    def fields(self):
        return _in_fields()


@cache
def _in_fields():
    return serializers.Serializer.fields.func(PaymentInSerializer())


class PaymentOutSerializer(serializers.ModelSerializer):
    transaction_id = serializers.UUIDField()

    class Meta:
        model = IncomingPayment
        fields = [
            "id", "idempotency_key", "status", "amount_tiyn", "applied_tiyn", "refund_tiyn",
            "case_reference", "payer_iin", "paid_at", "paid_on", "received_at", "transaction_id",
        ]  # fmt: skip


@cache
def _out_fields() -> list:
    return list(PaymentOutSerializer()._readable_fields)


def payment_out(payment: IncomingPayment) -> dict:
    """`PaymentOutSerializer(payment).data`, with the serializer's fields built once per process
    instead of per answer (a ModelSerializer inspects the model every time it is made: about
    two thirds of the CPU of `POST /api/v1/payments/`). The fields are only read here."""
    body = {}
    for field in _out_fields():
        value = field.get_attribute(payment)
        body[field.field_name] = None if value is None else field.to_representation(value)
    return body


class BatchItemSerializer(PaymentInSerializer):
    idempotency_key = serializers.CharField(max_length=200)
    fields = serializers.Serializer.fields  # DRF's own, per instance: a list's child, nested

    def validate_idempotency_key(self, value):
        if not all(" " <= ch <= "~" for ch in value):  # control characters, NUL, non-ASCII
            raise serializers.ValidationError(MSG_KEY_INVALID % {"max": 200})
        return value


class BatchInSerializer(serializers.Serializer):
    payments = BatchItemSerializer(many=True, allow_empty=False, max_length=MAX_BATCH)


class BatchResultSerializer(PaymentOutSerializer):
    created = serializers.BooleanField(help_text="false: booked earlier under this key")

    class Meta(PaymentOutSerializer.Meta):
        fields = [*PaymentOutSerializer.Meta.fields, "created"]


class BatchOutSerializer(serializers.Serializer):
    payments = BatchResultSerializer(many=True)
