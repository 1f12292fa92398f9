"""The creditor statement refuses absurd and unbounded periods with a 400 and a form error,
never a 500 (issue 16 #11)."""

import pytest
from django.urls import reverse

from tests.factories import CreditorStaffFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "query",
    [{"date_from": "2026-01-01", "date_to": "9999-12-31"},
     {"date_from": "0001-01-01", "date_to": "2026-01-31"},
     {"date_from": "2001-01-01", "date_to": "2026-01-31"},
     {"month": "9999-12"}, {"month": "0001-01"}],
)  # fmt: skip
@pytest.mark.parametrize("name", ["creditors:statement_csv", "creditors:statement_pdf"])
def test_absurd_or_unbounded_statement_periods_are_a_form_error(client, name, query):
    client.force_login(CreditorStaffFactory().user)
    response = client.get(reverse(name), query)
    assert response.status_code == 400
    assert response.context["period"].errors


def test_a_years_statement_is_still_given(client):
    client.force_login(CreditorStaffFactory().user)
    query = {"date_from": "2026-01-01", "date_to": "2026-12-31"}
    assert client.get(reverse("creditors:statement_csv"), query).status_code == 200
