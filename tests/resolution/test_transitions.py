import pytest

from resolution.models import CaseStatus, CaseTransition
from resolution.workflow import ALLOWED, IllegalTransition, transition
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

ILLEGAL = [
    (CaseStatus.AWAITING_CREDITORS, CaseStatus.DOCUMENTS_ISSUED),
    (CaseStatus.UNDER_REVIEW, CaseStatus.SIGNED),
    (CaseStatus.DOCUMENTS_ISSUED, CaseStatus.ACTIVE),
    (CaseStatus.REFUSED, CaseStatus.SIGNED),
    (CaseStatus.REJECTED, CaseStatus.DOCUMENTS_ISSUED),
]


@pytest.mark.parametrize(("current", "target"), ILLEGAL)
def test_illegal_transition_raises_and_changes_nothing(current, target):
    assert target not in ALLOWED[current]
    case = CaseFactory(status=current)
    with pytest.raises(IllegalTransition) as err:
        transition(case_id=case.pk, to=target, reason="try")
    assert err.value.code == "illegal_transition"
    case.refresh_from_db()
    assert case.status == current
    assert not CaseTransition.objects.filter(case=case).exists()


def test_legal_transition_writes_the_audit_record():
    case = CaseFactory(status=CaseStatus.UNDER_REVIEW)
    transition(case_id=case.pk, to=CaseStatus.REJECTED, actor_label="test", reason="because")
    row = CaseTransition.objects.get(case=case)
    assert (row.from_status, row.to_status, row.reason) == ("under_review", "rejected", "because")
