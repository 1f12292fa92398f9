"""One error contract for services, views and the API.

Services raise `ApplicationError(message, extra)`; the DRF handler below turns it, and DRF's own
errors, into one JSON body:

    {"error": {"code": "...", "message": "...", "fields": {...}, "extra": {...}}}

Messages are module constants so tests assert them without copying strings.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


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


class NotFound(ApplicationError):
    """Nothing of the caller's by that id (someone else's looks the same: no leak)."""

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
