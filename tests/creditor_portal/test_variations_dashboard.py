"""Objecting to a variation on the creditor dashboard: with a reason (a blank one is a field
error), once; another organisation's staff cannot see or object."""

import pytest
import time_machine

from resolution.models import VariationStatus
from tests.creditor_portal.test_variations_api import ON, _proposed
from tests.factories import CreditorStaffFactory
from tests.support.endings import almaty_noon
from tests.support.ledger import new_creditor


@pytest.mark.django_db
def test_staff_object_with_a_reason_and_the_variation_is_blocked(client):
    world, variation = _proposed()
    client.force_login(CreditorStaffFactory(creditor=world.creditors[0]).user)
    field = f"{variation.pk.hex}-reason"
    url = f"/creditor/variations/{variation.pk}/object/"
    with time_machine.travel(almaty_noon(ON), tick=False):
        page = client.get("/creditor/variations/")
        assert page.status_code == 200 and world.case.reference in page.text
        blank = client.post(url, {field: " "})
        assert blank.status_code == 400
        variation.refresh_from_db()
        assert variation.status == VariationStatus.PROPOSED
        assert client.post(url, {field: "income is higher"}).status_code == 302
    variation.refresh_from_db()
    assert variation.status == VariationStatus.OBJECTED
    assert "income is higher" in client.get("/creditor/variations/").text


@pytest.mark.django_db
def test_another_organisation_sees_nothing_and_cannot_object(client):
    _world, variation = _proposed()
    client.force_login(CreditorStaffFactory(creditor=new_creditor()).user)
    assert str(variation.case.reference) not in client.get("/creditor/variations/").text
    posted = client.post(f"/creditor/variations/{variation.pk}/object/",
                         {f"{variation.pk.hex}-reason": "x"})  # fmt: skip
    assert posted.status_code == 404
    variation.refresh_from_db()
    assert variation.status == VariationStatus.PROPOSED
