"""The borrower's case page names its figures for what they are: the loans table shows each
creditor's confirmed figure once it has answered (the credit bureau's beside it when they
differ) and marks a figure not yet confirmed."""

import pytest

from tests.support.workflow import answer_all, awaiting_case

pytestmark = pytest.mark.django_db


def test_the_loans_table_shows_confirmed_figures_beside_the_bureaus(client):
    world = awaiting_case(language="en")
    client.force_login(world.case.borrower.user)
    url = f"/portal/cases/{world.case.reference}/"
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert page.count("credit bureau, not yet confirmed") == 3
    answer_all(world)  # the first corrects to 510 000,00; the second disputes; the third confirms
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    table = page[page.index("Your loans") :]
    assert "510\xa0000,00\xa0₸" in table  # the corrected figure
    assert "credit bureau: 530\xa0450,00\xa0₸" in table  # the bureau's, beside it
    assert table.count("credit bureau, not yet confirmed") == 1  # the disputed loan
