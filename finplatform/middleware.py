import logging

from django.conf import settings
from django.core.exceptions import BadRequest
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from finplatform.language import user_language_of

logger = logging.getLogger(__name__)


class UserLanguageMiddleware:
    """A signed-in person's own language (a borrower's or a staff member's) wins unless a
    language cookie says otherwise: the switcher (a borrower's choice is saved to the
    profile too), a staff member's sign-in or "My language" (finplatform/signin.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and user.is_authenticated
            and settings.LANGUAGE_COOKIE_NAME not in request.COOKIES
        ):
            preferred = user_language_of(user)
            if preferred:
                translation.activate(preferred)
                request.LANGUAGE_CODE = preferred
        return self.get_response(request)


class NulByteMiddleware:
    """A NUL byte in the path or a query parameter (`?status=%00`) is a 400 (the API: its error
    body, through the 400 handler): PostgreSQL refuses NUL in text, so it reached the database
    as a 500 in any list filter, admin search or reference in a URL. Forms and the API's
    serializers already refuse it in bodies."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            raise BadRequest("NUL byte in the URL")
        return self.get_response(request)


MSG_DB_UNAVAILABLE = _("The service is briefly unavailable. Please try again in a moment.")


class DatabaseUnavailableMiddleware:
    """A lost database connection (PostgreSQL restarting, failing over) answers 503 with a
    Retry-After header — the API in the documented error shape, pages as short text —
    instead of a 500 and a stack trace. Nothing was written: the transaction rolled back,
    so a client retrying with the same Idempotency-Key books exactly once."""

    RETRY_AFTER_SECONDS = 5

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, OperationalError | InterfaceError):
            return None
        logger.warning("database unavailable for %s %s: %s", request.method, request.path,
                       exception.__class__.__name__)  # fmt: skip
        message = str(MSG_DB_UNAVAILABLE)
        if request.path.startswith("/api/"):
            body = {"error": {"code": "service_unavailable", "message": message}}
            response = JsonResponse(body, status=503)
        else:
            response = HttpResponse(message, status=503, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = str(self.RETRY_AFTER_SECONDS)
        return response
