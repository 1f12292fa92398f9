from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.views import defaults
from django.views.decorators.csrf import requires_csrf_token
from django.views.i18n import set_language as django_set_language
from rest_framework import exceptions

from finplatform.errors import error_body
from finplatform.language import Language
from finplatform.roles import BORROWER, CREDITOR_STAFF, OMBUDSMAN_STAFF, role_of


def home(request):
    """Send each role to its own front page."""
    role = role_of(request.user)
    if role == BORROWER:
        return redirect("borrowers:portal")
    if role == CREDITOR_STAFF:
        return redirect("creditors:dashboard")
    if role == OMBUDSMAN_STAFF:
        return redirect("admin:index")
    return redirect("login")


def set_language(request):
    """Django's language switch, plus: a signed-in borrower's choice is saved to the profile,
    so notifications and documents use it too."""
    response = django_set_language(request)
    language = request.POST.get("language")
    borrower = getattr(request.user, "borrower", None) if request.user.is_authenticated else None
    if request.method == "POST" and borrower is not None and language in Language.values:
        borrower.preferred_language = language
        borrower.save(update_fields=["preferred_language"])
    return response


MSG_TOO_LARGE = _("The request body is too large.")
MSG_BAD_REQUEST = _("The request could not be understood.")
MSG_CSRF_FAILED = _("The form has expired or cookies are off: reload the page and try again.")

# Pages and /api/ alike: what Django raises outside a view (a NUL byte in the URL, a foreign
# Host, a body over the limits, a CSRF failure, a PermissionDenied in a plain view, a URL that
# matches nothing, a bug) answers the branded page in the reader's language, or under /api/
# the API's one error body, never Django's bare English page.


def _is_api(request) -> bool:
    return request.path.startswith("/api/")


def _page(request, template_name: str, status: int) -> HttpResponse:
    """An error page in the reader's language, also when the request failed before the
    language middleware ran (a NUL byte in the path is refused first thing)."""
    language = getattr(request, "LANGUAGE_CODE", None)
    language = language or translation.get_language_from_request(request)
    with translation.override(language):
        body = loader.render_to_string(template_name, request=request)
    return HttpResponse(body, status=status)


def page_not_found(request, exception):
    """Under /api/ even a URL that matches no route answers in the API's one error body."""
    if _is_api(request):
        body = error_body(exceptions.NotFound.default_code, exceptions.NotFound.default_detail)
        return JsonResponse(body, status=404)
    return defaults.page_not_found(request, exception)


@requires_csrf_token  # the page's language switcher needs its token
def bad_request(request, exception):
    """Under /api/ a request Django refuses before any view (a body over
    DATA_UPLOAD_MAX_MEMORY_SIZE, too many fields, a bad Host, a NUL byte in the URL...)
    answers in the API's error body: 413 `request_too_large` for size limits, else 400
    `bad_request`. A page answers the branded 400 page."""
    if not _is_api(request):
        return _page(request, "400.html", 400)
    if isinstance(exception, RequestDataTooBig | TooManyFieldsSent | TooManyFilesSent):
        return JsonResponse(error_body("request_too_large", MSG_TOO_LARGE), status=413)
    return JsonResponse(error_body("bad_request", MSG_BAD_REQUEST), status=400)


@requires_csrf_token
def permission_denied(request, exception):
    if _is_api(request):
        error = exceptions.PermissionDenied
        return JsonResponse(error_body(error.default_code, error.default_detail), status=403)
    return _page(request, "403.html", 403)


@requires_csrf_token
def csrf_failure(request, reason=""):
    """CSRF_FAILURE_VIEW: the branded page (the reason stays in the log, as Django keeps it);
    under /api/ the error body (DRF's views check CSRF themselves; this is the rest)."""
    if _is_api(request):
        return JsonResponse(error_body("csrf_failed", MSG_CSRF_FAILED), status=403)
    return _page(request, "403_csrf.html", 403)


def server_error(request):
    if _is_api(request):
        error = exceptions.APIException
        return JsonResponse(error_body("error", error.default_detail), status=500)
    return defaults.server_error(request)
