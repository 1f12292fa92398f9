"""The creditor API's request limit (settings.API_RATE_LIMIT_CREDITOR), per API key; a
creditor staff member using the API with a session is counted per user. DRF applies it to
every creditor API view (REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"])."""

from __future__ import annotations

from creditor_portal.api.auth import ApiPrincipal
from finplatform.ratelimit import KeyRateThrottle


class CreditorKeyThrottle(KeyRateThrottle):
    setting = "API_RATE_LIMIT_CREDITOR"
    scope = "creditor-api-key"

    def identity(self, request) -> str | None:
        user = request.user
        if isinstance(user, ApiPrincipal):
            return f"key:{user.api_key.prefix}"
        if user is not None and user.is_authenticated:
            return f"user:{user.pk}"
        return None
