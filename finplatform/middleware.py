import logging

from django.conf import settings
from django.core.exceptions import BadRequest
from django.db import InterfaceError, OperationalError
from django.http import HttpResponse, JsonResponse
from django.urls import get_resolver
from django.utils import translation
from django.utils.cache import has_vary_header
from django.utils.log import log_response
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


QUERY_READ_BY_FORM = "query_read_by_form"


def query_read_by_form(view):
    """Marks a view that reads `request.GET` only through a form whose fields refuse a NUL
    byte (a choice, a date): NulByteMiddleware lets a NUL in its query through to the form.
    Put it outermost, above the access decorators."""
    setattr(view, QUERY_READ_BY_FORM, True)
    return view


class NulByteMiddleware:
    """A NUL byte in the path or a query parameter (`?status=%00`) is a 400 (pages: the branded
    400 page; the API: its error body, through the 400 handler): PostgreSQL refuses NUL in
    text, so it reached the database as a 500 in any list filter, admin search or reference in
    a URL. Forms and the API's serializers already refuse it in bodies. A view marked
    `@query_read_by_form` reads its query string only through a form whose fields refuse a NUL
    themselves: there the NUL is that form's error on the page, not a 400.

    The path is checked first thing (before static files or a URL is looked up); the query
    when the view is known, after the other middleware, so the 400 page has the person's
    language and navigation."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if "\x00" in request.path:
            return refuse_nul(request)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if getattr(view_func, QUERY_READ_BY_FORM, False):
            return None
        if any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            return refuse_nul(request)
        return None


def refuse_nul(request) -> HttpResponse:
    """The 400 handler's answer (the branded page; under /api/ the error body), logged as one
    line: a NUL byte is the client's mistake, so no traceback per request (raising BadRequest
    logged one, and with DEBUG on showed the debug page instead)."""
    exception = BadRequest("NUL byte in the URL")
    handler = get_resolver(getattr(request, "urlconf", None)).resolve_error_handler(400)
    response = handler(request, exception)
    log_response("%s: %s", exception, request.path, response=response, request=request)
    return response


class PrivateCacheMiddleware:
    """`Cache-Control: private, no-store` on every answer that is someone's own, so neither a
    shared computer's browser nor a proxy keeps a copy of a cabinet, a dashboard or an API
    answer: a request authenticated by an API key (both APIs) or a signed-in session, and any
    answer that sets a cookie or varies by Cookie (Django adds `Vary: Cookie` whenever the
    session was read, which is how a view learns who is signed in). An answer whose view set
    `Cache-Control` itself keeps it (downloads: `private, no-store`; `never_cache`); static
    files (served before this by WhiteNoise) and pages that read no session stay cacheable.

    It sits outside the session middleware, so it sees the `Vary` and `Set-Cookie` that adds.
    It stays on the payment provider's short chain (finplatform/wsgi.py): its answers name
    payers and cases, and it costs about 4 µs a request (most of it setting the header) of a
    payment's few milliseconds."""

    VALUE = "private, no-store"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if "Cache-Control" not in response and is_personal(request, response):
            response["Cache-Control"] = self.VALUE
        return response


def is_personal(request, response) -> bool:
    if response.cookies or getattr(request, "auth", None) is not None:  # DRF sets `auth`
        return True
    if has_vary_header(response, "Cookie"):
        return True
    session = getattr(request, "session", None)
    if session is None or not session.accessed:  # the view never asked who is signed in
        return False
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated


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
