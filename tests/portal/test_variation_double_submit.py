"""A double submit of the change-of-plan form (double click, resubmitted page) answers with
the variation the first submit created — no error page, nothing booked twice; a different
request while one is open still gets the translated "already under way" error."""

import uuid
from datetime import date

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from resolution.models import CaseTransition, Notification, Variation
from resolution.services.variations import request_variation
from tests.support.endings import active_plan, almaty_noon

ON = date(2026, 3, 10)


def _ask(client, world, **extra):
    data = {"kind": "holiday", "reason": "lost my job", "monthly_income": "150 000",
            "holiday_months": "3",
            "evidence": SimpleUploadedFile("payslip.pdf", b"%PDF-1.4 x", "application/pdf"),
            **extra}  # fmt: skip
    return client.post(f"/portal/cases/{world.case.pk}/changes/", data)


def _booked(world):
    return (
        Variation.objects.filter(case=world.case).count(),
        CaseTransition.objects.filter(case=world.case, reason__contains="requested").count(),
        Notification.objects.filter(case=world.case, template_key="variation_requested").count(),
    )


@pytest.mark.django_db
def test_the_same_form_posted_twice_answers_with_the_first_request(client):
    world = active_plan((180_000_000, 120_000_000), language="en")
    client.force_login(world.case.borrower.user)
    with time_machine.travel(almaty_noon(ON), tick=False):
        page = client.get(f"/portal/cases/{world.case.pk}/changes/")
        key = page.context["form"].initial["request_key"]
        assert f'value="{key}"' in page.text  # the one-off key is in the page
        first = _ask(client, world, request_key=str(key))
        booked = _booked(world)
        again = _ask(client, world, request_key=str(key))
    assert first.status_code == again.status_code == 302
    assert again.url == first.url  # the same variation, not an error page
    assert booked[0] == 1 and booked[1] == 1 and booked[2] >= 1
    assert _booked(world) == booked  # nothing booked twice: no trail entry, no notice


@pytest.mark.django_db
def test_a_different_request_while_one_is_open_keeps_the_translated_error(client):
    world = active_plan((180_000_000, 120_000_000), language="ru")
    client.force_login(world.case.borrower.user)
    key = str(uuid.uuid4())
    with time_machine.travel(almaty_noon(ON), tick=False):
        assert _ask(client, world, request_key=key).status_code == 302
        fresh = _ask(client, world, request_key=str(uuid.uuid4()))  # a new page, a new key
        edited = _ask(client, world, request_key=key, reason="другая причина")
    for answer in (fresh, edited):
        assert answer.status_code == 400
        assert "Изменение этого графика уже рассматривается" in answer.text
    assert Variation.objects.filter(case=world.case).count() == 1


@pytest.mark.django_db
def test_the_key_is_locked_before_the_lookup_so_two_submits_in_flight_book_once():
    world = active_plan((180_000_000, 120_000_000), language="en")
    common = {"case": world.case, "kind": "holiday", "reason": "less work",
              "monthly_income_tiyn": 10_000_000, "evidence": b"%PDF-1.4 x",
              "evidence_name": "a.pdf", "holiday_months": 1,
              "request_key": "k-1"}  # fmt: skip
    with time_machine.travel(almaty_noon(ON), tick=False):
        first = request_variation(**common)
        with CaptureQueriesContext(connection) as queries:
            again = request_variation(**common)
    assert again.pk == first.pk
    sql = [q["sql"] for q in queries.captured_queries]
    lock_at = next(i for i, q in enumerate(sql) if "pg_advisory_xact_lock" in q)
    lookup_at = next(i for i, q in enumerate(sql) if '"request_key"' in q)
    assert lock_at < lookup_at
    assert not any(q.lstrip().upper().startswith("INSERT") for q in sql)
