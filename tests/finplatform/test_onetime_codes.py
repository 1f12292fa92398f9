"""The one-time code helper (finplatform/onetime_codes.py): made, hashed, checked, used once."""

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime, timedelta

import pytest
from django.conf import settings

from finplatform import onetime_codes
from finplatform.clock import BUSINESS_TZ
from resolution.models import DocumentPackage
from tests.factories import CaseFactory

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=BUSINESS_TZ)
SCOPE = "scope-1"


@dataclass
class Row:
    """A stand-in for a code row: what `check` reads, and the saves it makes."""

    code_hash: str
    expires_at: datetime
    attempts: int = 0
    saves: list = field(default_factory=list)

    def save(self, *, update_fields):
        self.saves.append((tuple(update_fields), self.attempts))


def row_for(code: str, *, expires_at=NOW + timedelta(minutes=10), attempts=0) -> Row:
    return Row(onetime_codes.hash_code(SCOPE, code), expires_at, attempts)


def check(row, code):
    return onetime_codes.check(row, code, scope=SCOPE, now=NOW, max_attempts=5)


def test_a_code_is_six_digits_and_not_always_the_same():
    codes = {onetime_codes.new_code() for _ in range(50)}
    assert all(len(c) == 6 and c.isdigit() for c in codes)
    assert len(codes) > 40


def test_the_hash_is_an_hmac_of_scope_and_code_keyed_by_the_secret_key():
    expected = hmac.new(settings.SECRET_KEY.encode(), b"enrol:7:012345", hashlib.sha256)
    assert onetime_codes.hash_code("enrol:7", "012345") == expected.hexdigest()
    assert onetime_codes.hash_code("a", "012345") != onetime_codes.hash_code("b", "012345")


def test_the_right_code_passes_and_nothing_is_counted():
    row = row_for("123456")
    assert check(row, " 123456 ") is None  # spaces typed around it do not matter
    assert row.attempts == 0 and row.saves == []


def test_a_wrong_code_is_counted_and_saved():
    row = row_for("123456")
    assert check(row, "654321") == onetime_codes.WRONG_CODE
    assert row.attempts == 1 and row.saves == [(("attempts",), 1)]


def test_a_code_for_another_scope_is_wrong():
    row = row_for("123456")
    assert (
        onetime_codes.check(row, "123456", scope="scope-2", now=NOW, max_attempts=5)
        == onetime_codes.WRONG_CODE
    )


def test_expired_at_the_expiry_itself_and_not_a_second_before():
    row = row_for("123456", expires_at=NOW)
    assert check(row, "123456") == onetime_codes.CODE_EXPIRED
    assert row.saves == []  # an expired code costs no attempt
    assert check(row_for("123456", expires_at=NOW + timedelta(seconds=1)), "123456") is None


def test_attempts_used_up_refuse_even_the_right_code():
    row = row_for("123456", attempts=5)
    assert check(row, "123456") == onetime_codes.TOO_MANY_ATTEMPTS
    assert row.attempts == 5 and row.saves == []
    assert check(row_for("123456", attempts=4), "123456") is None


def test_no_row_or_no_hash_is_no_code():
    assert check(None, "123456") == onetime_codes.NO_CODE
    assert check(Row("", NOW + timedelta(minutes=5)), "") == onetime_codes.NO_CODE


def test_another_expiry_field_is_read_when_named():
    @dataclass
    class Enrolment(Row):
        code_expires_at: datetime = NOW

    row = Enrolment(onetime_codes.hash_code(SCOPE, "123456"), NOW + timedelta(days=1))
    problem = onetime_codes.check(
        row, "123456", scope=SCOPE, now=NOW, max_attempts=5, expiry_field="code_expires_at"
    )
    assert problem == onetime_codes.CODE_EXPIRED


def test_the_comparison_is_constant_time(monkeypatch):
    compared, real = [], hmac.compare_digest

    def spy(a, b):
        compared.append((a, b))
        return real(a, b)

    monkeypatch.setattr(onetime_codes.hmac, "compare_digest", spy)
    row = row_for("123456")
    assert check(row, "123456") is None
    assert compared == [(row.code_hash, onetime_codes.hash_code(SCOPE, "123456"))]


@pytest.mark.django_db
def test_issue_and_consume_one_row_per_code():
    package = DocumentPackage.objects.create(case=CaseFactory(), snapshot={}, language="ru")
    ttl = timedelta(minutes=10)
    first, _first_code = onetime_codes.issue(package.codes, scope=SCOPE, now=NOW, ttl=ttl)
    second, code = onetime_codes.issue(package.codes, scope=SCOPE, now=NOW, ttl=ttl)
    first.refresh_from_db()
    assert first.used_at == NOW  # an earlier unused code stops working
    assert second.expires_at == NOW + ttl and second.used_at is None
    assert code not in second.code_hash

    def consume(given):
        return onetime_codes.consume(package.codes, given, scope=SCOPE, now=NOW, max_attempts=5)

    wrong = "000000" if code != "000000" else "111111"
    assert consume(wrong) == onetime_codes.WRONG_CODE
    assert consume(code) is None
    second.refresh_from_db()
    assert second.attempts == 1 and second.used_at == NOW
    assert consume(code) == onetime_codes.NO_CODE  # good once
