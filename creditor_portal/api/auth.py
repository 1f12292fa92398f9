"""API-key authentication of the creditor API: `Authorization: Api-Key <prefix>.<secret>`.

A revoked key stops working at once. The authenticated request carries `request.auth` = the
ApiKey (hence its creditor) and `request.user` = an anonymous-like API principal for that
organisation. Keys are issued and revoked by creditors.api_keys. A failed check counts
against the client's address (finplatform/ratelimit.py: 429 past the limit).
"""

from __future__ import annotations

import secrets

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from creditors.api_keys import hash_key
from creditors.models import ApiKey
from finplatform.clock import business_now
from finplatform.ratelimit import count_failed_key

KEYWORD = "Api-Key"
MSG_BAD_KEY = _("Invalid or revoked API key.")


class ApiPrincipal:
    """The 'user' of an API-key request: authenticated, belongs to one organisation."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    pk = None
    id = None

    def __init__(self, api_key: ApiKey):
        self.api_key = api_key
        self.creditor = api_key.creditor

    def get_username(self) -> str:
        return f"api-key:{self.api_key.prefix}"

    def __str__(self) -> str:
        return self.get_username()


class ApiKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode(errors="replace")
        if not header.startswith(KEYWORD + " "):
            return None
        key = header[len(KEYWORD) + 1 :].strip()
        prefix = key.split(".", 1)[0]
        row = (
            ApiKey.objects.select_related("creditor")
            .filter(prefix=prefix, revoked_at__isnull=True)
            .first()
        )
        if row is None or not secrets.compare_digest(row.key_hash, hash_key(key)):
            count_failed_key(request)  # 429 instead once the address guessed too often
            raise exceptions.AuthenticationFailed(MSG_BAD_KEY)
        ApiKey.objects.filter(pk=row.pk).update(last_used_at=business_now())
        return ApiPrincipal(row), row

    def authenticate_header(self, request):
        return KEYWORD


class ApiKeyScheme(OpenApiAuthenticationExtension):
    """Describes the API-key header in the OpenAPI schema."""

    target_class = "creditor_portal.api.auth.ApiKeyAuthentication"
    name = "ApiKeyAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <key>`: a per-organisation key issued by the platform.",
        }
