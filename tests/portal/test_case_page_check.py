"""The case page shows the eligibility check's poller or its outcomes, never both, decided from
the case and its check as read together; the status the poller asks for follows the same rule.

The result commits the outcomes, the check's DONE and the case's next status in one
transaction; a page that read the case and, a moment later, the outcomes could see "checking"
from before that commit and the outcomes from after it. These tests set both halves of that
race up directly in the database."""

import pytest
from django.urls import reverse
from django.utils import timezone

from resolution.models import CaseStatus, CheckState, EligibilityCheck, RuleOutcome
from tests.factories import BorrowerFactory, CaseFactory

pytestmark = pytest.mark.django_db

REASON = "Recorded reason of a rule the page shows."


def _case_at_the_check(client, *, state: str):
    """A case still CHECKING whose check is in `state` and already has an outcome."""
    borrower = BorrowerFactory(identified_at=timezone.now())
    client.force_login(borrower.user, backend="borrowers.auth.IINBackend")
    case = CaseFactory(borrower=borrower, status=CaseStatus.CHECKING, submitted_at=timezone.now())
    done = state == CheckState.DONE
    check = EligibilityCheck.objects.create(
        case=case,
        started_at=timezone.now(),
        state=state,
        attempts=1,
        eligible=False if done else None,
        total_tiyn=0 if done else None,
        finished_at=timezone.now() if done else None,
    )
    RuleOutcome.objects.create(
        eligibility_check=check, position=1, rule="retired_rule", passed=False, reason_text=REASON
    )
    return case


def _page_and_status(client, case):
    kwargs = {"reference": case.reference}
    page = client.get(reverse("resolution:case", kwargs=kwargs)).content.decode()
    status = client.get(reverse("resolution:case_status", kwargs=kwargs)).json()
    return page, status


def test_a_finished_check_shows_its_outcomes_and_no_poller(client):
    # the case still reads CHECKING, but its check, read with it, is done
    page, status = _page_and_status(client, _case_at_the_check(client, state=CheckState.DONE))
    assert "data-status-url" not in page
    assert 'class="rules"' in page and REASON in page
    assert status["checking"] is False  # a page still polling reloads and finds the outcomes


def test_a_running_check_shows_the_poller_and_no_outcomes(client):
    # the check read with the case is still running; its outcomes committed after that read
    page, status = _page_and_status(client, _case_at_the_check(client, state=CheckState.RUNNING))
    assert "data-status-url" in page
    assert 'class="rules"' not in page and REASON not in page
    assert status["checking"] is True
