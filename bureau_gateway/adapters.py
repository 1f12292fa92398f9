"""Which implementation answers for each outside system: chosen by settings.ADAPTERS, so
production points at real clients and dev/test at the simulators, and no other code cares."""

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string


@cache
def _factory(name: str):
    return import_string(settings.ADAPTERS[name])


def get_adapter(name: str):
    """'bureau' | 'government' | 'identity' | 'sms' → a configured instance."""
    return _factory(name)()
