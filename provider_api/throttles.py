"""The payment provider's request limit (settings.API_RATE_LIMIT_PROVIDER), per provider key:
high, for month-end runs of hundreds of single payments a second on one key. Checked on the
fast path in the same Redis round trip as the address's failed-key limit."""

from __future__ import annotations

from finplatform.ratelimit import KeyRateThrottle
from schedules.models import PaymentProvider


class ProviderKeyThrottle(KeyRateThrottle):
    setting = "API_RATE_LIMIT_PROVIDER"
    scope = "provider-api-key"

    def identity(self, request) -> str | None:
        provider = request.auth
        return provider.code if isinstance(provider, PaymentProvider) else None
