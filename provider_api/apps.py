from django.apps import AppConfig


class ProviderApiConfig(AppConfig):
    name = "provider_api"
