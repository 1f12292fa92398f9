""" "This loan is not mine" in the borrower's cabinet: reachable from the case page, only for
the case's own borrower."""

import pytest
from django.urls import reverse

from resolution.models import FraudFlag, FraudFlagStatus
from tests.factories import BorrowerFactory
from tests.support.workflow import awaiting_case

pytestmark = pytest.mark.django_db


def _url(world, index=1):
    return reverse("resolution:loan_not_mine", args=[world.case.reference, world.loans[index].pk])


def _login(client, borrower):
    client.force_login(borrower.user, backend="borrowers.auth.IINBackend")


def test_the_case_page_links_each_loan_and_the_statement_flags_it(client):
    world = awaiting_case(language="en")
    _login(client, world.case.borrower)
    page = client.get(reverse("resolution:case", args=[world.case.reference])).content.decode()
    assert _url(world) in page
    empty = client.post(_url(world), {"statement": ""})
    assert empty.status_code == 200 and empty.context["form"].errors["statement"]
    assert not FraudFlag.objects.exists()
    done = client.post(_url(world), {"statement": "My passport was stolen; I never applied."})
    assert done.status_code == 302
    flag = FraudFlag.objects.get(case_loan=world.loans[1])
    assert flag.status == FraudFlagStatus.OPEN
    page = client.get(_url(world)).content.decode()
    assert "My passport was stolen" in page and "Open: awaiting a court decision" in page


def test_another_borrower_can_neither_see_nor_flag_the_loan(client):
    world = awaiting_case()
    _login(client, BorrowerFactory())
    assert client.get(_url(world)).status_code == 404
    assert client.post(_url(world), {"statement": "not mine"}).status_code == 404
    assert not FraudFlag.objects.exists()
