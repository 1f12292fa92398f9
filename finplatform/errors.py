"""One error contract for services, views and the API.

Services raise `ApplicationError(message, extra)`; the DRF handler below turns it, and DRF's own
errors, into one JSON body:

    {"error": {"code": "...", "message": "...", "fields": {...}, "extra": {...}}}

Messages are module constants so tests assert them without copying strings.
"""

from __future__ import annotations

import math

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler

# 429 from the API rate limits (finplatform/ratelimit.py): `extra.retry_after` = the
# `Retry-After` header, whole seconds.
CODE_RATE_LIMITED = "rate_limited"
MSG_RATE_LIMITED = _("Too many requests. Try again after the number of seconds in Retry-After.")


class ApplicationError(Exception):
    """A business rule said no. `code` is stable for machines; `message` is for people."""

    http_status = status.HTTP_400_BAD_REQUEST

    def __init__(self, message: str, *, code: str = "invalid", extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.code = code
        self.extra = extra or {}


class ConflictError(ApplicationError):
    """The request clashes with the current state (wrong case state, reused key...)."""

    http_status = status.HTTP_409_CONFLICT


class NotFoundError(ApplicationError):
    """The thing named is not there, or not the caller's (existence never leaks)."""

    http_status = status.HTTP_404_NOT_FOUND


class ErrorDetailSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    fields = serializers.DictField(required=False, help_text="field name -> list of messages")
    extra = serializers.DictField(required=False)


class ErrorSerializer(serializers.Serializer):
    """The one error body of the API (for the OpenAPI schema)."""

    error = ErrorDetailSerializer()


def error_body(
    code: str, message: str, fields: dict | None = None, extra: dict | None = None
) -> dict:
    error = {"code": code, "message": str(message)}
    if fields:
        error["fields"] = fields
    if extra:
        error["extra"] = extra
    return {"error": error}


def api_exception_handler(exc, context):
    if isinstance(exc, ApplicationError):
        return Response(error_body(exc.code, exc.message, extra=exc.extra), status=exc.http_status)
    if isinstance(exc, ValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        return None  # a real bug: Django's 500 handling, never a stack trace to the client
    if isinstance(exc, exceptions.Throttled):
        seconds = max(1, math.ceil(exc.wait or 1))  # DRF's header truncates 0.4 s to "0"
        response["Retry-After"] = str(seconds)
        response.data = error_body(
            CODE_RATE_LIMITED, MSG_RATE_LIMITED, extra={"retry_after": seconds}
        )
        return response
    if isinstance(exc, exceptions.ValidationError):
        fields = exc.detail if isinstance(exc.detail, dict) else {"non_field_errors": exc.detail}
        response.data = error_body("validation_error", "The request has invalid fields.", fields)
    else:
        detail = getattr(exc, "detail", str(exc))
        code = getattr(exc, "default_code", "error")
        if hasattr(exc, "get_codes"):
            codes = exc.get_codes()
            code = codes if isinstance(codes, str) else code
        response.data = error_body(code, detail)
    return response


def document_rate_limits(result, generator, request, public):
    """drf-spectacular post-processing hook: every API operation may answer 429
    `rate_limited` (finplatform/ratelimit.py applies to all of them), with `Retry-After`."""
    response = {
        "description": "`rate_limited`: over the API key's request limit, or the client "
        "address is over its limit of failed API-key checks. `extra.retry_after` repeats the "
        "header.",
        "headers": {
            "Retry-After": {
                "schema": {"type": "integer", "minimum": 1},
                "required": True,
                "description": "Whole seconds to wait before the next request.",
            }
        },
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
    }
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if isinstance(operation, dict) and "responses" in operation:
                operation["responses"].setdefault("429", response)
    return result
