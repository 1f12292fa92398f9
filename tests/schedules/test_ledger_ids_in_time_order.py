"""The booking functions give ledger transactions and payments time-ordered ids (UUID version
7, migration 0021): their indexes grow at the right edge, not on a random page."""

import time
import uuid
from datetime import date

import pytest
from django.db import connection

from schedules.services.booking import book_many, book_one
from tests.support.ledger import make_plan
from tests.support.payments import pay

pytestmark = pytest.mark.django_db

DAY = date(2026, 1, 30)


def _millis(value: uuid.UUID) -> int:
    return value.int >> 80


def test_single_and_batch_bookings_take_version_7_ids_in_time_order():
    plan, _ = make_plan([6_000_000, 4_000_000])
    before = time.time_ns() // 1_000_000
    first = book_one(source="t", item=pay("a", 1_000, DAY, plan=plan)).payment
    time.sleep(0.003)
    second = book_one(source="t", item=pay("b", 1_000, DAY, plan=plan)).payment
    batch = [r.payment for r in book_many(source="t", items=[
        pay(f"c{n}", 1_000, DAY, plan=plan) for n in range(3)])]  # fmt: skip
    after = time.time_ns() // 1_000_000
    ids = [p.id for p in (first, second, *batch)] + [
        p.transaction_id for p in (first, second, *batch)
    ]
    assert {i.version for i in ids} == {7}
    assert {i.variant for i in ids} == {uuid.RFC_4122}
    assert len(set(ids)) == len(ids)
    assert all(before <= _millis(i) <= after for i in ids)  # the clock of the database
    assert _millis(second.id) > _millis(first.id)
    assert second.id > first.id and second.transaction_id > first.transaction_id


def test_the_generator_is_unique_over_many_calls_within_one_millisecond():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(DISTINCT x), count(*), count(*) FILTER"
            " (WHERE substr(x::text, 15, 1) = '7' AND substr(x::text, 20, 1) IN ('8','9','a','b'))"
            " FROM (SELECT schedules_uuid7() AS x FROM generate_series(1, 20000)) AS g"
        )
        distinct, total, well_formed = cursor.fetchone()
    assert distinct == total == well_formed == 20000
