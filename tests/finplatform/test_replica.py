"""The optional read replica (finplatform/replica.py): heavy reads go to the "replica" alias
when one is configured and only inside `replica_reads`; writes always to the primary."""

from django.db import router

from finplatform.replica import replica_reads
from schedules.models import Plan


def test_without_a_replica_every_read_goes_to_the_primary(settings):
    assert "replica" not in settings.DATABASES
    with replica_reads():
        assert router.db_for_read(Plan) == "default"


def test_with_a_replica_only_marked_reads_go_there(settings):
    settings.DATABASES = {**settings.DATABASES, "replica": settings.DATABASES["default"]}
    assert router.db_for_read(Plan) == "default"
    with replica_reads():
        assert router.db_for_read(Plan) == "replica"
        assert router.db_for_write(Plan) == "default"
    assert router.db_for_read(Plan) == "default"
