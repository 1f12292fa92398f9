"""One sign-in policy for every login form: the borrower portal, creditor staff and the
admin (`/admin/login/`).

Two limits, both with a growing wait rather than a fixed lock (finplatform/throttle.py):
per account (IIN or username) and per client address. The address is the real client's:
`X-Forwarded-For` is read only when the connection comes from a proxy listed in
`settings.TRUSTED_PROXIES`, and then only the hop that proxy chain vouches for (python-ipware
does the parsing), so a client cannot pick its own address and everyone behind one proxy is
not one address. A borrower lifts their account's wait by identification (password reset).

A staff member's own language (finplatform/language.py) becomes the interface's at sign-in:
the language cookie is set to it, whatever the login page was read in.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from python_ipware import IpWare

from finplatform.clock import BUSINESS_TZ
from finplatform.datetext import after_text
from finplatform.language import staff_language_of
from finplatform.throttle import Backoff, Quota

MSG_LOCKED = _("Too many failed attempts. Try again %(time)s.")  # "after 14:37, 29 November 2026"
MSG_TOO_MANY_REQUESTS = _("Too many requests from your connection. Wait an hour and try again.")

LOGIN_PER_ACCOUNT = Backoff(
    "login-account", free=5, first_wait=timedelta(minutes=1), max_wait=timedelta(hours=1),
    forget_after=timedelta(hours=24),
)  # fmt: skip
LOGIN_PER_ADDRESS = Backoff(
    "login-address", free=30, first_wait=timedelta(minutes=1), max_wait=timedelta(minutes=15),
    forget_after=timedelta(hours=1),
)  # fmt: skip

# Registration and password reset start at most 10 times an hour per client address.
ENROLMENTS_PER_ADDRESS = Quota("enrol-address", limit=10, window_seconds=60 * 60)


def client_ip(request) -> str:
    """The client's address: REMOTE_ADDR, unless that is a trusted proxy; then the hop before
    the trusted proxies in `X-Forwarded-For` (each proxy appends the address it saw)."""
    if request is None:
        return ""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = list(settings.TRUSTED_PROXIES)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if not proxies or not remote or not forwarded:
        return remote
    chain = f"{forwarded}, {remote}"  # the connecting proxy is the chain's last hop
    # The trailing hops must be the trusted proxies in order (nearest last); whatever the
    # client wrote further left is never taken.
    ipware = IpWare(precedence=("HTTP_X_FORWARDED_FOR",), proxy_list=proxies)
    ip, trusted = ipware.get_client_ip({"HTTP_X_FORWARDED_FOR": chain}, strict=False)
    return str(ip) if ip is not None and trusted else remote


def check_login_allowed(request, account: str) -> None:
    """Raise ValidationError("locked") while the account or the address must wait."""
    waits = [
        LOGIN_PER_ACCOUNT.blocked_until(account.lower()),
        LOGIN_PER_ADDRESS.blocked_until(client_ip(request)),
    ]
    until: datetime | None = max((w for w in waits if w is not None), default=None)
    if until is not None:
        raise ValidationError(
            MSG_LOCKED, code="locked", params={"time": after_text(until.astimezone(BUSINESS_TZ))}
        )


def login_failed(request, account: str) -> None:
    LOGIN_PER_ACCOUNT.hit(account.lower())
    LOGIN_PER_ADDRESS.hit(client_ip(request))


def login_succeeded(request, account: str) -> None:
    LOGIN_PER_ACCOUNT.reset(account.lower())


def lift_account_wait(account: str) -> None:
    """The owner proved who they are (identification): their account's wait ends."""
    LOGIN_PER_ACCOUNT.reset(account.lower())


class ThrottledLoginMixin:
    """For Django's AuthenticationForm and its subclasses: the policy above around `clean`."""

    def clean(self):
        account = self.cleaned_data.get("username") or ""
        check_login_allowed(self.request, account)
        try:
            cleaned = super().clean()
        except ValidationError:
            login_failed(self.request, account)
            raise
        login_succeeded(self.request, account)
        return cleaned


class ThrottledStaffLoginForm(ThrottledLoginMixin, AuthenticationForm):
    """Creditor staff sign-in."""


class ThrottledAdminLoginForm(ThrottledLoginMixin, AdminAuthenticationForm):
    """The admin's sign-in (`admin.site.login_form`)."""


def use_language(response, language: str) -> None:
    """The interface speaks `language` from this response on (the language cookie)."""
    translation.activate(language)
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME, language, max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH, domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE, httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )  # fmt: skip


def use_staff_language(response, user) -> None:
    """After a staff member signed in: their own language, if they have one."""
    language = staff_language_of(user)
    if language is not None:
        use_language(response, language)


class StaffLanguageLoginMixin:
    """For Django's LoginView and its subclasses: sign-in sets the staff member's language."""

    def form_valid(self, form):
        response = super().form_valid(form)
        use_staff_language(response, form.get_user())
        return response


def admin_login(request, extra_context=None):
    """The admin's own sign-in page, then the staff member's language (Django builds that
    view inside AdminSite.login, so it is wrapped rather than subclassed)."""
    response = admin.site.login(request, extra_context)
    if request.method == "POST" and request.user.is_authenticated:
        use_staff_language(response, request.user)
    return response
