"""The payment provider's key: `X-Api-Key` names an active PaymentProvider by its hash."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.permissions import BasePermission

from schedules.models import PaymentProvider, hash_api_key


class ProviderPrincipal:
    """The `request.user` of a provider call: authenticated, but not a person."""

    is_authenticated = True
    is_anonymous = False

    def __init__(self, provider: PaymentProvider):
        self.provider = provider


class ProviderKeyAuthentication(BaseAuthentication):
    header = "HTTP_X_API_KEY"

    def authenticate(self, request):
        key = request.META.get(self.header)
        if not key:
            return None
        provider = PaymentProvider.objects.filter(
            key_hash=hash_api_key(key), is_active=True
        ).first()
        if provider is None:
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
