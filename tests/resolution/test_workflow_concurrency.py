"""Two creditors give the last two answers at the same moment: the case lock serialises them,
so exactly one of them moves the case to review and the audit trail has one record."""

import threading

import pytest
from django.db import connection

from resolution.models import CaseStatus, CaseTransition
from resolution.services.confirmation import answer_loan
from tests.support.workflow import awaiting_case

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_last_answers_move_the_case_once():
    world = awaiting_case()
    answer_loan(creditor=world.creditors[0], case_loan_id=world.loans[0].pk, action="confirm")
    barrier = threading.Barrier(2)
    errors = []

    def answer(index):
        try:
            barrier.wait()
            answer_loan(creditor=world.creditors[index], case_loan_id=world.loans[index].pk,
                        action="confirm")  # fmt: skip
        except Exception as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=answer, args=(i,)) for i in (1, 2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    world.case.refresh_from_db()
    assert world.case.status == CaseStatus.UNDER_REVIEW
    assert CaseTransition.objects.filter(case=world.case, to_status="under_review").count() == 1
