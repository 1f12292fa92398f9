import pytest
from django.conf import settings

from tests.eligibility.conftest import Simulator


@pytest.fixture
def sim():
    simulator = Simulator(settings.SIMULATOR_URL)
    simulator.clear_faults()
    yield simulator
    simulator.clear_faults()


@pytest.fixture
def schedule_table(transactional_db):
    """The default schedule table. A data migration ships it, but transactional tests that
    ran earlier flushed every table, so put it back when it is missing."""
    import importlib

    from django.apps import apps

    from schedules.models import ScheduleTableVersion

    if not ScheduleTableVersion.objects.filter(is_active=True).exists():
        migration = importlib.import_module("schedules.migrations.0002_default_schedule_table")
        migration.create(apps, None)
    return ScheduleTableVersion.objects.filter(is_active=True).first()
