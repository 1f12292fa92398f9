from datetime import datetime, timedelta

import pytest
import time_machine

from finplatform.clock import BUSINESS_TZ
from finplatform.errors import ApplicationError, ConflictError
from resolution.models import BureauReport, CaseStatus, Notification, Signature
from resolution.services.signing import expire_unsigned_packages, issue_signing_code, sign_with_code
from schedules.models import Plan
from tests.factories import BorrowerFactory
from tests.support.workflow import issued_case

pytestmark = pytest.mark.django_db
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=BUSINESS_TZ)


@pytest.fixture
def world():
    with time_machine.travel(T0, tick=False):
        return issued_case()


def sign_at(world, moment):
    with time_machine.travel(moment, tick=False):
        _, code = issue_signing_code(case_id=world.case.pk)
        return sign_with_code(case_id=world.case.pk, code=code, ip="10.0.0.7")


def test_signable_at_71h59m_and_everything_follows(world):
    signature = sign_at(world, T0 + timedelta(hours=71, minutes=59))
    world.case.refresh_from_db()
    assert world.case.status == CaseStatus.ACTIVE
    package = world.case.package
    assert signature.package_hash == package.package_hash
    assert set(signature.document_hashes.values()) == set(
        package.documents.values_list("sha256", flat=True)
    )
    assert str(signature.ip_address) == "10.0.0.7" and signature.method == "sms_code"
    plan = Plan.objects.get(case_id=world.case.pk)
    assert plan.total_tiyn == world.case.decision.total_tiyn
    statuses = list(world.case.transitions.values_list("to_status", flat=True))
    assert statuses[-3:] == ["documents_issued", "signed", "active"]
    suspend = Notification.objects.filter(template_key="creditor_suspend_collection",
                                          channel="dashboard")  # fmt: skip
    assert {n.creditor_id for n in suspend} == {c.pk for c in world.creditors}
    assert BureauReport.objects.filter(case_loan__case=world.case).count() == 3


def test_sweep_at_72h_refuses_the_case(world):
    with time_machine.travel(T0 + timedelta(hours=71, minutes=59), tick=False):
        assert expire_unsigned_packages() == 0
    with time_machine.travel(T0 + timedelta(hours=72), tick=False):
        assert expire_unsigned_packages() == 1
        assert expire_unsigned_packages() == 0  # idempotent
    world.case.refresh_from_db()
    assert world.case.status == CaseStatus.REFUSED
    assert world.case.transitions.last().actor_label == "signing-sweep"


def test_sweep_running_late_still_refuses(world):
    with time_machine.travel(T0 + timedelta(hours=80), tick=False):
        assert expire_unsigned_packages() == 1
    world.case.refresh_from_db()
    assert world.case.status == CaseStatus.REFUSED


def test_late_signature_is_refused_before_the_sweep_runs(world):
    with time_machine.travel(T0 + timedelta(hours=71, minutes=55), tick=False):
        _, code = issue_signing_code(case_id=world.case.pk)
    with (
        time_machine.travel(T0 + timedelta(hours=72), tick=False),
        pytest.raises(ConflictError) as err,
    ):
        sign_with_code(case_id=world.case.pk, code=code)
    assert err.value.code == "signing_deadline_passed"
    world.case.refresh_from_db()
    assert world.case.status == CaseStatus.DOCUMENTS_ISSUED
    assert not Signature.objects.exists()


def test_wrong_codes_are_counted_and_limited(world):
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        row, code = issue_signing_code(case_id=world.case.pk)
        assert row.code_hash != code and code not in row.code_hash
        wrong = "000000" if code != "000000" else "111111"
        for _ in range(5):
            with pytest.raises(ApplicationError) as err:
                sign_with_code(case_id=world.case.pk, code=wrong)
            assert err.value.code == "wrong_code"
        with pytest.raises(ApplicationError) as err:
            sign_with_code(case_id=world.case.pk, code=code)
        assert err.value.code == "too_many_attempts"
    row.refresh_from_db()
    assert row.attempts == 5


def test_code_expires(world):
    with time_machine.travel(T0 + timedelta(hours=1), tick=False):
        _, code = issue_signing_code(case_id=world.case.pk)
    with time_machine.travel(T0 + timedelta(hours=1, minutes=11), tick=False):
        with pytest.raises(ApplicationError) as err:
            sign_with_code(case_id=world.case.pk, code=code)
    assert err.value.code == "code_expired"


def test_borrower_cannot_open_another_borrowers_documents(client, world):
    doc = world.case.package.documents.first()
    stranger = BorrowerFactory()
    client.force_login(stranger.user)
    assert client.get(f"/portal/cases/documents/{doc.pk}/preview/").status_code == 404
    assert client.get(f"/portal/cases/documents/{doc.pk}/download/").status_code == 404
    assert client.get(f"/portal/cases/{world.case.pk}/documents/").status_code == 404
    assert (
        client.post(f"/portal/cases/{world.case.pk}/sign/", {"code": "123456"}).status_code == 404
    )
    client.force_login(world.case.borrower.user)
    preview = client.get(f"/portal/cases/documents/{doc.pk}/preview/")
    assert preview.status_code == 200 and preview["Content-Type"] == "application/pdf"
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    assert preview["Content-Disposition"].startswith("inline")
    download = client.get(f"/portal/cases/documents/{doc.pk}/download/")
    assert download["Content-Disposition"].startswith("attachment")
    assert bytes(download.content) == bytes(doc.content)


def test_signing_page_shows_a_field_error_for_a_wrong_code(client, world):
    client.force_login(world.case.borrower.user)
    with time_machine.travel(T0 + timedelta(hours=2), tick=False):
        issue_signing_code(case_id=world.case.pk)
        page = client.post(f"/portal/cases/{world.case.pk}/sign/", {"code": "12"})
        assert page.status_code == 400 and "code" in page.context["code_form"].errors


def test_signing_reminders_24h_and_2h_before_are_sent_once(world):
    from resolution.services.signing import remind_unsigned_packages

    def reminders():
        return Notification.objects.filter(case=world.case, template_key="signing_reminder")

    with time_machine.travel(T0 + timedelta(hours=47), tick=False):
        assert remind_unsigned_packages() == 0
    with time_machine.travel(T0 + timedelta(hours=48, minutes=5), tick=False):
        remind_unsigned_packages()
        remind_unsigned_packages()
    assert reminders().filter(channel="sms").count() == 1
    with time_machine.travel(T0 + timedelta(hours=70, minutes=30), tick=False):
        remind_unsigned_packages()
    assert reminders().filter(channel="sms").count() == 2
    assert {n.dedup_key.rsplit(":", 1)[1] for n in reminders()} == {"24h", "2h"}


def test_borrower_notifications_use_the_preferred_language():
    with time_machine.travel(T0, tick=False):
        world = issued_case(language="kk")
    issued = Notification.objects.get(case=world.case, template_key="documents_issued",
                                      channel="sms")  # fmt: skip
    assert issued.language == "kk" and issued.recipient == world.case.borrower.phone
    assert world.case.reference in issued.body
