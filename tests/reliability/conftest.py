from tests.workflow.conftest import schedule_table  # noqa: F401 — the default schedule table
