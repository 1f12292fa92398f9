"""The payment provider's API.

POST /api/v1/payments/
  Headers: `X-Api-Key: <provider key>` (required), `Idempotency-Key: <unique per payment>`
  (required, at most 200 characters).
  Body (JSON): `amount_tiyn` — integer number of tiyn (1 KZT = 100 tiyn), > 0;
  `paid_at` — ISO 8601 date-time with zone, when the money was credited; `case_reference`
  (e.g. "FK-ABCD2345") and/or `payer_iin` (12 digits) — at least one.
  201: booked now; 200: the same key and body were booked before (the earlier booking is
  returned, nothing is booked twice); 409 `idempotency_key_reused`: the key was used with a
  different body; 400 `validation_error` with `fields`; 401 without a valid key.
  A payment we cannot attribute to a schedule is still accepted (status `suspense`) and
  shown to staff; one after the schedule is paid is owed back (status `refund`).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from finplatform.clock import business_now
from finplatform.errors import ApplicationError, ErrorSerializer
from finplatform.kzid import validate_iin
from schedules.models import IncomingPayment, PaymentProvider, hash_api_key
from schedules.services import payments as services

MSG_KEY_HEADER = _("The Idempotency-Key header is required (at most 200 characters).")
MSG_PAYER = _("Give case_reference or payer_iin.")
MSG_PAID_AT = _("paid_at must be after 2000-01-01 and not in the future.")
EARLIEST_PAID_AT = datetime(2000, 1, 1, tzinfo=UTC)


class ProviderPrincipal:
    """The `request.user` of a provider call: authenticated, but not a person."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, provider: PaymentProvider):
        self.provider = provider


class ProviderKeyAuthentication(BaseAuthentication):
    header = "HTTP_X_API_KEY"

    def authenticate(self, request):
        key = request.META.get(self.header)
        if not key:
            return None
        provider = PaymentProvider.objects.filter(
            key_hash=hash_api_key(key), is_active=True
        ).first()
        if provider is None:
            raise AuthenticationFailed(_("Unknown or inactive API key."))
        return ProviderPrincipal(provider), provider

    def authenticate_header(self, request):
        return "ApiKey"


class ProviderKeyScheme(OpenApiAuthenticationExtension):
    target_class = "schedules.api.ProviderKeyAuthentication"
    name = "ProviderApiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "X-Api-Key"}


class IsPaymentProvider(BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.auth, PaymentProvider)


class TiynField(serializers.IntegerField):
    """Integer tiyn only: "12.50", "1250" and 12.5 are refused, not coerced."""

    def to_internal_value(self, data):
        if isinstance(data, str | float | bool):
            raise serializers.ValidationError(_("Send an integer number of tiyn."))
        return super().to_internal_value(data)


class PaymentInSerializer(serializers.Serializer):
    amount_tiyn = TiynField(min_value=1, max_value=10**13)
    paid_at = serializers.DateTimeField()
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


class PaymentOutSerializer(serializers.ModelSerializer):
    transaction_id = serializers.UUIDField()

    class Meta:
        model = IncomingPayment
        fields = [
            "id", "idempotency_key", "status", "amount_tiyn", "applied_tiyn", "refund_tiyn",
            "case_reference", "payer_iin", "paid_at", "paid_on", "received_at", "transaction_id",
        ]  # fmt: skip


class PaymentCreateView(APIView):
    authentication_classes = [ProviderKeyAuthentication]
    permission_classes = [IsPaymentProvider]

    @extend_schema(
        request=PaymentInSerializer,
        responses={
            201: PaymentOutSerializer,
            200: PaymentOutSerializer,
            400: OpenApiResponse(
                ErrorSerializer,
                description="`validation_error` (with `fields`) or `idempotency_key_required`",
            ),
            401: OpenApiResponse(ErrorSerializer, description="missing or invalid X-Api-Key"),
            409: OpenApiResponse(
                ErrorSerializer, description="`idempotency_key_reused`: the key, another body"
            ),
        },
        parameters=[
            OpenApiParameter(
                "Idempotency-Key",
                str,
                OpenApiParameter.HEADER,
                required=True,
                description="Unique per payment, at most 200 characters.",
            ),  # fmt: skip
        ],
    )
    def post(self, request):
        key = request.headers.get("Idempotency-Key", "").strip()
        if not key or len(key) > 200:
            raise ApplicationError(MSG_KEY_HEADER, code="idempotency_key_required")
        body = PaymentInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = services.book_payment(
            source=f"provider:{request.auth.code}",
            item=services.PaymentIn(
                idempotency_key=key,
                amount_tiyn=body.validated_data["amount_tiyn"],
                paid_at=body.validated_data["paid_at"],
                payer_iin=body.validated_data.get("payer_iin", ""),
                case_reference=body.validated_data.get("case_reference", "").strip().upper(),
            ),
        )
        return Response(
            PaymentOutSerializer(result.payment).data,
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )


MAX_BATCH = 500


class BatchItemSerializer(PaymentInSerializer):
    idempotency_key = serializers.CharField(max_length=200)


class BatchInSerializer(serializers.Serializer):
    payments = BatchItemSerializer(many=True, allow_empty=False, max_length=MAX_BATCH)


class BatchResultSerializer(PaymentOutSerializer):
    created = serializers.BooleanField(help_text="false: booked earlier under this key")

    class Meta(PaymentOutSerializer.Meta):
        fields = [*PaymentOutSerializer.Meta.fields, "created"]


class BatchOutSerializer(serializers.Serializer):
    payments = BatchResultSerializer(many=True)


class PaymentBatchView(APIView):
    """POST /api/v1/payments/batch/: up to 500 payments (a provider's file), each with its own
    `idempotency_key` in the body, booked all or nothing in one transaction. A retried batch
    books nothing twice (each item answers `created: false`); a key reused with a different
    body refuses the whole batch (409) and books nothing."""

    authentication_classes = [ProviderKeyAuthentication]
    permission_classes = [IsPaymentProvider]

    @extend_schema(
        request=BatchInSerializer,
        responses={
            201: BatchOutSerializer,
            200: OpenApiResponse(BatchOutSerializer, description="every item was booked before"),
            400: OpenApiResponse(ErrorSerializer, description="`validation_error` with `fields`"),
            401: OpenApiResponse(ErrorSerializer, description="missing or invalid X-Api-Key"),
            409: OpenApiResponse(
                ErrorSerializer, description="`idempotency_key_reused`: nothing was booked"
            ),
        },
    )
    def post(self, request):
        body = BatchInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        items = [
            services.PaymentIn(
                idempotency_key=row["idempotency_key"].strip(),
                amount_tiyn=row["amount_tiyn"],
                paid_at=row["paid_at"],
                payer_iin=row.get("payer_iin", ""),
                case_reference=row.get("case_reference", "").strip().upper(),
            )
            for row in body.validated_data["payments"]
        ]
        results = services.book_payments(source=f"provider:{request.auth.code}", items=items)
        rows = [{**PaymentOutSerializer(r.payment).data, "created": r.created} for r in results]
        created = any(r.created for r in results)
        return Response(
            {"payments": rows}, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )
