from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from borrowers import complaints
from borrowers.models import ComplaintStatus
from finplatform.errors import ApplicationError, ConflictError
from tests.factories import BorrowerFactory, UserFactory

pytestmark = pytest.mark.django_db
ALMATY = ZoneInfo("Asia/Almaty")


def _at(*args):
    return time_machine.travel(datetime(*args, tzinfo=ALMATY), tick=False)


def test_answer_is_due_15_working_days_after_receipt_skipping_holidays():
    borrower = BorrowerFactory()
    with _at(2026, 12, 1, 10, 0):  # Tuesday; 16 Dec is a holiday inside the window
        complaint = complaints.file_complaint(
            borrower=borrower, subject="Payment not shown", body="I paid on 28 Nov.",
            language="kk",
        )  # fmt: skip
    # 15 working days after 1 Dec: 2–4, 7–11, 14–15, 17–18, 21–23 (16 Dec is off) → 23 Dec
    assert complaint.due_on == date(2026, 12, 23)


def test_extension_once_by_15_working_days_and_not_after_the_deadline():
    staff = UserFactory(is_staff=True)
    borrower = BorrowerFactory()
    with _at(2026, 11, 2, 9, 0):
        complaint = complaints.file_complaint(
            borrower=borrower, subject="s", body="b", language="ru"
        )
    first_due = complaint.due_on
    with _at(2026, 11, 5, 9, 0):
        extended = complaints.extend_complaint(
            complaint_id=complaint.pk, reason="waiting for the bank", staff_user=staff
        )
        assert extended.status == ComplaintStatus.EXTENDED
        assert extended.due_on > first_due
        assert extended.messages.filter(from_staff=True).exists()  # the borrower is told
        with pytest.raises(ConflictError) as error:
            complaints.extend_complaint(complaint_id=complaint.pk, reason="again", staff_user=staff)
        assert error.value.message == complaints.MSG_ALREADY_EXTENDED

    other = complaints.file_complaint(borrower=borrower, subject="s2", body="b2", language="ru")
    with _at(2027, 6, 1, 9, 0), pytest.raises(ConflictError):
        complaints.extend_complaint(complaint_id=other.pk, reason="late", staff_user=staff)


def test_answer_must_be_in_kazakh_or_the_complaints_language():
    staff = UserFactory(is_staff=True)
    complaint = complaints.file_complaint(
        borrower=BorrowerFactory(), subject="s", body="b", language="ru"
    )
    with pytest.raises(ApplicationError) as error:
        complaints.answer_complaint(
            complaint_id=complaint.pk, answer="Answer", language="en", appeal_info="",
            staff_user=staff,
        )  # fmt: skip
    assert error.value.message == complaints.MSG_ANSWER_LANGUAGE
    answered = complaints.answer_complaint(
        complaint_id=complaint.pk, answer="Жауап", language="kk",
        appeal_info="Сотқа шағымдануға болады", staff_user=staff,
    )  # fmt: skip
    assert answered.status == ComplaintStatus.ANSWERED
    assert answered.answered_at is not None


def test_staff_queue_is_ordered_by_deadline_and_shows_overdue():
    borrower = BorrowerFactory()
    with _at(2026, 11, 2, 9, 0):
        early = complaints.file_complaint(borrower=borrower, subject="a", body="a", language="ru")
    with _at(2026, 11, 20, 9, 0):
        late = complaints.file_complaint(borrower=borrower, subject="b", body="b", language="ru")
    assert list(complaints.open_complaints_queue()) == [early, late]
    assert list(complaints.overdue_complaints(date(2026, 11, 30))) == [early]
    assert list(complaints.overdue_complaints(date(2026, 11, 20))) == []


def test_cabinet_files_a_complaint_and_hides_other_borrowers_complaints(client):
    me, other = BorrowerFactory(), BorrowerFactory()
    theirs = complaints.file_complaint(borrower=other, subject="theirs", body="x", language="ru")
    client.force_login(me.user)
    empty = client.post(
        reverse("borrowers:complaints"), {"subject": "", "body": "", "language": "ru"}
    )
    assert empty.status_code == 200
    assert "field-error" in empty.content.decode()
    response = client.post(
        reverse("borrowers:complaints"),
        {"subject": "Wrong amount", "body": "The bank shows 5 000 ₸ more.", "language": "kk"},
    )
    assert response.status_code == 302
    assert me.complaints.get().language == "kk"
    assert client.get(reverse("borrowers:complaint", args=[theirs.pk])).status_code == 404
