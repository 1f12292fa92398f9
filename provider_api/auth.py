"""The payment provider's key: `X-Api-Key` names an active PaymentProvider by its hash. A
failed check counts against the client's address (finplatform/ratelimit.py)."""

from functools import cache

from django.db import connection
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission

from finplatform.ratelimit import count_failed_key
from schedules.models import PaymentProvider, hash_api_key


class ProviderPrincipal:
    """The `request.user` of a provider call: authenticated, but not a person."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, provider: PaymentProvider):
        self.provider = provider


@cache
def _lookup() -> tuple[str, list[str]]:
    fields = PaymentProvider._meta.concrete_fields
    columns = ", ".join(field.column for field in fields)
    table = PaymentProvider._meta.db_table
    sql = f"SELECT {columns} FROM {table} WHERE key_hash = %s AND is_active"
    return sql, [field.attname for field in fields]


def active_provider(key: str) -> PaymentProvider | None:
    """The active provider whose key hash matches, in one plain query: this runs on every
    payment a provider posts, and building the ORM query cost more than running it."""
    sql, names = _lookup()
    with connection.cursor() as cursor:
        cursor.execute(sql, [hash_api_key(key)])
        row = cursor.fetchone()
    return None if row is None else PaymentProvider.from_db("default", names, row)


class ProviderKeyAuthentication(BaseAuthentication):
    header = "HTTP_X_API_KEY"

    def authenticate(self, request):
        key = request.META.get(self.header)
        if not key:
            return None
        provider = active_provider(key)
        if provider is None:
            count_failed_key(request)  # 429 instead once the address guessed too often
            raise AuthenticationFailed(_("Unknown or inactive API key."))
        return ProviderPrincipal(provider), provider

    def authenticate_header(self, request):
        return "ApiKey"


class ProviderKeyScheme(OpenApiAuthenticationExtension):
    target_class = "provider_api.auth.ProviderKeyAuthentication"
    name = "ProviderApiKey"

    def get_security_definition(self, auto_schema):
        return {"type": "apiKey", "in": "header", "name": "X-Api-Key"}


class IsPaymentProvider(BasePermission):
    def has_permission(self, request, view):
        return isinstance(request.auth, PaymentProvider)
