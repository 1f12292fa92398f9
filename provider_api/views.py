"""The payment provider's API.

POST /api/v1/payments/
  Headers: `X-Api-Key: <provider key>` (required), `Idempotency-Key: <unique per payment>`
  (required, at most 200 characters).
  Body (JSON): `amount_tiyn` — integer number of tiyn (1 KZT = 100 tiyn), > 0;
  `paid_at` — ISO 8601 date-time with zone, when the money was credited; `case_reference`
  (e.g. "FK-ABCD2345") and/or `payer_iin` (12 digits) — at least one.
  201: booked now; 200: the same key and body were booked before (the earlier booking is
  returned, nothing is booked twice); 409 `idempotency_key_reused`: the key was used with a
  different body; 400 `validation_error` with `fields`; 401 without a valid key; 429
  `rate_limited` with `Retry-After` over the key's limit (finplatform/ratelimit.py).
  A payment we cannot attribute to a schedule is still accepted (status `suspense`) and
  shown to staff; one after the schedule is paid is owed back (status `refund`).
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from finplatform import idempotency
from finplatform.errors import ApplicationError, ErrorSerializer
from provider_api.auth import IsPaymentProvider, ProviderKeyAuthentication
from provider_api.serializers import (
    BatchInSerializer,
    BatchOutSerializer,
    PaymentInSerializer,
    PaymentOutSerializer,
    payment_out,
)
from provider_api.throttles import ProviderKeyThrottle
from schedules.services import booking
from schedules.services import payments as services

MSG_KEY_HEADER = _("The Idempotency-Key header is required (at most 200 characters).")


class PaymentCreateView(APIView):
    authentication_classes = [ProviderKeyAuthentication]
    permission_classes = [IsPaymentProvider]
    throttle_classes = [ProviderKeyThrottle]

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
        key = idempotency.key_from_header(request, max_length=200)
        if key is None:
            raise ApplicationError(MSG_KEY_HEADER, code="idempotency_key_required")
        body = PaymentInSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = booking.book_one(
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
            payment_out(result.payment),
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )


class PaymentBatchView(APIView):
    """POST /api/v1/payments/batch/: up to 500 payments (a provider's file), each with its own
    `idempotency_key` in the body, booked all or nothing in one transaction. A retried batch
    books nothing twice (each item answers `created: false`); a key reused with a different
    body refuses the whole batch (409) and books nothing."""

    authentication_classes = [ProviderKeyAuthentication]
    permission_classes = [IsPaymentProvider]
    throttle_classes = [ProviderKeyThrottle]

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
        results = booking.book_many(source=f"provider:{request.auth.code}", items=items)
        rows = [{**payment_out(r.payment), "created": r.created} for r in results]
        created = any(r.created for r in results)
        return Response(
            {"payments": rows}, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )
