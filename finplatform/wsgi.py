"""The WSGI application: Django's, with a shorter middleware chain for the payment provider's
two endpoints.

`POST /api/v1/payments/` is called by machines, once per payment, with an API key and no
cookies: sessions, CSRF, the signed-in user, flash messages, static files and a person's
language do nothing for it but cost about half a millisecond of every call (a sixth of its
CPU; docs/benchmarks.md). Those two paths (exactly, nothing under them) go to a second Django
handler built from `settings.MACHINE_API_MIDDLEWARE` — `MIDDLEWARE` without those entries,
in the same order: request ids, metrics, the NUL-byte guard, host checks, security headers,
Accept-Language, the 503 on a lost database. Everything else goes to the full chain.
"""

import os

from django.conf import settings
from django.core.handlers.wsgi import WSGIHandler
from django.core.wsgi import get_wsgi_application
from django.urls import reverse

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finplatform.settings")


class MachineApiHandler(WSGIHandler):
    """Django's WSGI handler with `settings.MACHINE_API_MIDDLEWARE` as its chain."""

    def load_middleware(self, is_async=False):
        full = settings.MIDDLEWARE
        settings.MIDDLEWARE = settings.MACHINE_API_MIDDLEWARE
        try:  # Django reads the chain from settings once, here, at start-up
            super().load_middleware(is_async)
        finally:
            settings.MIDDLEWARE = full


django_application = get_wsgi_application()
machine_api_application = MachineApiHandler()
# By their names in provider_api/urls.py, so a change of the URLs there follows here.
MACHINE_API_PATHS = frozenset(reverse(name) for name in ("api-payments", "api-payments-batch"))


def application(environ, start_response):
    if environ.get("PATH_INFO") in MACHINE_API_PATHS:
        return machine_api_application(environ, start_response)
    return django_application(environ, start_response)
