import pytest
from django.conf import settings

from tests.eligibility.conftest import Simulator


@pytest.fixture
def sim():
    simulator = Simulator(settings.SIMULATOR_URL)
    simulator.clear_faults()
    yield simulator
    simulator.clear_faults()
