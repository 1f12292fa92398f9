"""An account identified before identification set the legal name gets it from the state
register (ГБД ФЛ) at its eligibility check, before any document is made; a register that
does not answer is retried like the bureau."""

import pytest
from django.utils import timezone

from bureau_gateway.interfaces import ServiceUnavailable
from bureau_gateway.simulator import open_world
from resolution.models import CheckState
from resolution.services import eligibility
from tests.factories import BorrowerFactory
from tests.support.bureau import loan, org

pytestmark = pytest.mark.django_db
TYPED = 'Тестов <img src=x onerror=alert(1)> "Дрилл"'


def _applied(sim, **borrower):
    borrower = BorrowerFactory(identified_at=timezone.now(), identification_method="biometric",
                               **borrower)  # fmt: skip
    sim.put_report(borrower.iin, [loan(org("mfo")), loan(org("bank"))])
    return borrower, eligibility.submit_application(
        borrower=borrower, consent=True, declared_vulnerable=False,
        declared_monthly_income_tiyn=None, actor=borrower.user,
    )  # fmt: skip


def test_an_unverified_name_is_taken_from_the_register_at_the_check(sim):
    borrower, case = _applied(sim, full_name=TYPED, full_name_verified_at=None)
    check = eligibility.run_eligibility_check(case_id=case.pk)
    assert check.state == CheckState.DONE
    borrower.refresh_from_db()
    assert borrower.full_name == open_world.full_name(borrower.iin)
    assert borrower.full_name_verified_at is not None


def test_a_verified_name_is_left_as_it_is(sim):
    borrower, case = _applied(sim, full_name="Проверенное Имя")
    eligibility.run_eligibility_check(case_id=case.pk)
    borrower.refresh_from_db()
    assert borrower.full_name == "Проверенное Имя"


def test_a_register_that_does_not_answer_is_retried_and_the_name_stays_unverified(sim):
    borrower, case = _applied(sim, full_name=TYPED, full_name_verified_at=None)
    sim.fault("government", "down", count=10)
    with pytest.raises(ServiceUnavailable):
        eligibility.run_eligibility_check(case_id=case.pk)
    case.eligibility_check.refresh_from_db()
    assert case.eligibility_check.state == CheckState.SERVICE_UNAVAILABLE
    borrower.refresh_from_db()
    assert borrower.full_name == TYPED and borrower.full_name_verified_at is None
