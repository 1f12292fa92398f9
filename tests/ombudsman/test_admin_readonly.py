"""Issue 16, High 4: the admin never changes workflow fields. The case change form cannot
set category, declared vulnerability, income or the ombudsman (403, nothing changes); every
domain model's admin is view-only except named reference data; reassigning a case goes
through the service and writes a row on the case's audit trail."""

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import RequestFactory

from resolution.models import Case, CaseTransition, Category
from tests.ombudsman.test_admin_review import ombudsman_user
from tests.support.workflow import answer_all, awaiting_case

pytestmark = pytest.mark.django_db

# Reference data and configuration that staff maintain in the admin on purpose; everything
# else registered must refuse add, change and delete even to a superuser.
EDITABLE = {
    "schedules.ScheduleTableVersion",  # versioned; frozen once a plan used it
    "resolution.EligibilityPolicy",  # add-only: each change is a new version
    "borrowers.ConsentText",  # add-only: a new wording is a new version
    "finplatform.CalendarOverride",
    "schedules.PaymentProvider",
    "creditors.Creditor",
    "resolution.OmbudsmanStaff",
    "borrowers.Complaint",  # its form only answers/extends through the complaint services
    "auth.User",
    "auth.Group",
}


def test_every_domain_model_admin_is_view_only_except_reference_data():
    superuser = get_user_model().objects.create_superuser("root", "r@x.kz", "pw")
    request = RequestFactory().get("/admin/")
    request.user = superuser
    writable = {
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if model_admin.has_change_permission(request) or model_admin.has_add_permission(request)
    }
    assert writable <= EDITABLE, writable - EDITABLE
    for label in ("resolution.Case", "borrowers.Borrower", "creditors.Loan", "schedules.Plan"):
        assert label not in writable


def change_post(case) -> dict:
    return {
        "category": Category.VULNERABLE, "declared_vulnerable": "on",
        "declared_monthly_income_tiyn": "1", "ombudsman": "microfinance",
        "data_consent_at_0": "", "data_consent_at_1": "",
        "loans-TOTAL_FORMS": "0", "loans-INITIAL_FORMS": "0",
        "transitions-TOTAL_FORMS": "0", "transitions-INITIAL_FORMS": "0",
    }  # fmt: skip


@pytest.mark.parametrize("who", ["staff", "superuser"])
def test_the_case_change_form_cannot_set_category_income_or_ombudsman(client, who):
    world = awaiting_case()
    before = Case.objects.get(pk=world.case.pk)
    user = (ombudsman_user("banking") if who == "staff"
            else get_user_model().objects.create_superuser("su", "s@x.kz", "pw"))  # fmt: skip
    client.force_login(user)
    url = f"/admin/resolution/case/{world.case.pk}/change/"
    assert client.get(url).status_code == 200  # still readable
    assert client.post(url, change_post(world.case)).status_code == 403
    after = Case.objects.get(pk=world.case.pk)
    for field in ("category", "declared_vulnerable", "declared_monthly_income_tiyn",
                  "ombudsman", "status", "updated_at"):  # fmt: skip
        assert getattr(after, field) == getattr(before, field), field
    assert CaseTransition.objects.filter(case=after).count() == \
        CaseTransition.objects.filter(case=before).count()  # fmt: skip


def test_the_borrower_change_form_cannot_set_the_social_status(client):
    world = awaiting_case()
    borrower = world.case.borrower
    client.force_login(get_user_model().objects.create_superuser("su", "s@x.kz", "pw"))
    url = f"/admin/borrowers/borrower/{borrower.pk}/change/"
    response = client.post(url, {"full_name": "X", "social_status": "asp", "iin": borrower.iin})
    assert response.status_code == 403
    borrower.refresh_from_db()
    assert borrower.full_name != "X"


def test_reassigning_on_the_review_page_writes_the_audit_trail(client):
    world = awaiting_case()
    answer_all(world)
    user = ombudsman_user("banking")
    client.force_login(user)
    before = world.case.transitions.count()
    response = client.post(f"/admin/resolution/case/{world.case.pk}/review/",
                           {"action": "reassign", "ombudsman": "microfinance"})  # fmt: skip
    assert response.status_code == 302
    world.case.refresh_from_db()
    assert world.case.ombudsman == "microfinance"
    assert world.case.transitions.count() == before + 1
    row = world.case.transitions.order_by("-pk").first()
    assert row.actor == user and row.from_status == row.to_status == world.case.status
    assert "banking -> microfinance" in row.reason


def test_the_list_action_reassigns_through_the_service_with_an_audit_row(client):
    world = awaiting_case()
    user = ombudsman_user("banking")
    client.force_login(user)
    client.post("/admin/resolution/case/", {"action": "reassign_to_other",
                                            "_selected_action": [str(world.case.pk)]})  # fmt: skip
    world.case.refresh_from_db()
    assert world.case.ombudsman == "microfinance"
    assert world.case.transitions.filter(actor=user, reason__contains="-> microfinance").exists()
