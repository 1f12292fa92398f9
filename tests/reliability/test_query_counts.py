"""The borrower pages' SQL query counts do not grow with the data (the N+1 the load benchmark
found on the schedule page: one query per instalment and per creditor)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from resolution.models import CaseStatus
from tests.factories import CaseFactory
from tests.support.ledger import make_plan

pytestmark = pytest.mark.django_db


def _queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(queries)


def test_schedule_page_queries_do_not_grow_with_instalments_or_creditors(client):
    small_case = CaseFactory(status=CaseStatus.ACTIVE)
    small, _ = make_plan([20_000_000, 10_000_000], case=small_case)
    big_case = CaseFactory(status=CaseStatus.ACTIVE)
    big, _ = make_plan([250_000_000, 200_000_000, 150_000_000, 90_000_000], case=big_case)
    assert big.term_months > small.term_months  # the bigger debt really has more lines

    client.force_login(small_case.borrower.user)
    few = _queries(client, "/portal/schedule/")
    client.force_login(big_case.borrower.user)
    many = _queries(client, "/portal/schedule/")
    assert few == many
    assert many <= 15


def test_schedule_page_shows_each_line_with_its_own_state(client):
    case = CaseFactory(status=CaseStatus.ACTIVE)
    plan, _ = make_plan([20_000_000, 10_000_000], case=case)
    client.force_login(case.borrower.user)
    html = client.get("/portal/schedule/").content.decode()
    rows = html.split("<tbody>")[1].split("</tbody>")[0].count("<tr>")
    assert rows == plan.term_months
    body = html.split("<tbody>")[1].split("</tbody>")[0]
    assert (
        body.count('class="status-upcoming">')
        + body.count('class="status-due">')
        + body.count('class="status-overdue">')
        == plan.term_months
    )
