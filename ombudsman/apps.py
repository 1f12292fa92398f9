from django.apps import AppConfig


class OmbudsmanConfig(AppConfig):
    """The ombudsman's front door: the Django admin site (review queue and review page,
    every model's admin, reconciliation, complaint queue). It owns no models."""

    name = "ombudsman"
