"""The whole journey in a real browser, in Russian and in Kazakh, on the running platform:
the live server, the real Celery worker and the simulators over HTTP.

A borrower registers, proves the phone with the SMS code (read in the dev inbox) and
identifies by ЦОИД biometrics, applies and watches the eligibility
check finish on the worker; a creditor's officer (a second browser) finds the case at the top
of the dashboard and confirms both loans in one go; the ombudsman approves in the admin; the
borrower previews the documents, signs with a code and sees the schedule with its chart; a
payment posted by the payment provider's API appears in the payments history. Screenshots of
every step go to test-artifacts/screenshots/<lang>/ (phone 390×844 for the borrower, desktop
for the staff)."""

import re
import time
import uuid
from datetime import date

import pytest
import requests
from django.contrib.auth import get_user_model
from django.utils import timezone

from finplatform.kzid import make_iin
from resolution.models import Case, CaseLoan, CaseStatus, ConfirmationStatus
from resolution.services.confirmation import answer_loan
from schedules.models import PaymentProvider
from tests.factories import (
    PASSWORD,
    CaseFactory,
    CaseLoanFactory,
    CreditorFactory,
    CreditorStaffFactory,
    LoanFactory,
)
from tests.support.bureau import loan, org
from tests.ui.conftest import axe_violations, code_from_dev_inbox, screenshot

pytestmark = [pytest.mark.slow, pytest.mark.worker]
SERIALS = iter(range(4100, 4900, 7))


def wait_until(predicate, *, timeout=45.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def sms_code(sim, phone, *, after: int, contains: str = "") -> str:
    """The 6-digit code of the newest SMS to `phone` past the first `after` messages."""

    def newest():
        messages = sim.sms(phone)[after:]
        codes = [re.search(r"\b(\d{6})\b", m["text"]) for m in messages if contains in m["text"]]
        codes = [c.group(1) for c in codes if c]
        return codes[-1] if codes else None

    return wait_until(newest, timeout=15, what=f"an SMS to {phone}")


def wide_elements(page) -> list:
    """The elements sticking out past the right edge (for the failure message)."""
    return page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
            .slice(0, 5).map(e => e.tagName + '.' + e.className)"""
    )


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


@pytest.mark.parametrize("language", ["ru", "kk"])
def test_whole_journey_in_the_browser(
    language, worker, sim, schedule_table, page_factory, live_server
):
    shots = f"{language}/"
    # The outside world: a person the operator knows, with three overdue loans at two creditors.
    iin = make_iin(date(1988, 4, 12), female=True, serial=next(SERIALS))
    phone = f"+7701{iin[-7:]}"
    sim.set_phone(iin, phone)
    bank_org, mfo_org = org("bank", name="Алем Банк"), org("mfo", name="Тез Қарыз МҚҰ")
    bank = CreditorFactory(bin=bank_org["bin"], name=bank_org["name"], kind="bank")
    mfo = CreditorFactory(bin=mfo_org["bin"], name=mfo_org["name"], kind="mfo")
    sim.put_report(iin, [
        loan(bank_org, principal=850_000_00, interest=64_300_00, penalty=12_450_00,
             overdue_days=95, contract=f"AB-{iin[-4:]}-1"),
        loan(bank_org, principal=240_000_00, interest=18_000_00, penalty=0,
             overdue_days=60, contract=f"AB-{iin[-4:]}-2"),
        loan(mfo_org, principal=180_000_00, interest=41_000_00, penalty=9_870_00,
             overdue_days=140, contract=f"TZ-{iin[-4:]}"),
    ])  # fmt: skip
    officer = CreditorStaffFactory(creditor=bank, preferred_language=language).user

    # 1. Register and identify (phone-sized browser)
    borrower_page = page_factory(language=language)
    borrower_page.goto("/portal/register/")
    assert borrower_page.locator("html").get_attribute("lang") == language
    borrower_page.fill("input[name=iin]", iin)
    borrower_page.fill("input[name=full_name]", "Айгерім Серікқызы Нұрланова")
    typed_phone = f"8 (701) {iin[-7:-4]}-{iin[-4:-2]}-{iin[-2:]}"  # as people write it
    borrower_page.fill("input[name=phone]", typed_phone)
    borrower_page.fill("input[name=password]", PASSWORD)
    borrower_page.fill("input[name=password_again]", PASSWORD)
    borrower_page.check("input[name=consent]")
    screenshot(borrower_page, shots + "01-register")
    assert axe_violations(borrower_page) == [], "register"
    borrower_page.click("form button[type=submit].primary")
    borrower_page.wait_for_url("**/portal/register/identify/")
    # the phone is proved with the texted code (read in the dev inbox); it identifies nobody
    code = code_from_dev_inbox(borrower_page, f"+7701{iin[-7:]}")
    borrower_page.fill("input[name=code]", code)
    borrower_page.click("button[name=action][value=confirm_phone]")
    borrower_page.wait_for_selector("button[name=method][value=biometric]")
    # ЦОИД biometrics: the page shows the liveness challenge; its camera stand-in answers it
    borrower_page.click("button[name=method][value=biometric]")
    borrower_page.wait_for_selector(".liveness-movements")
    screenshot(borrower_page, shots + "02-identify")
    assert axe_violations(borrower_page) == [], "identify"
    borrower_page.click("button[name=action][value=identify]")

    # 2. Apply
    borrower_page.wait_for_url("**/portal/apply/")
    assert borrower_page.locator("ol.stepper li[aria-current=step]").count() == 1
    borrower_page.fill("input[name=declared_monthly_income]", "450000")
    borrower_page.check("input[name=consent]")
    screenshot(borrower_page, shots + "03-apply")
    assert axe_violations(borrower_page) == [], "apply"
    borrower_page.click("form button[type=submit].primary")
    borrower_page.wait_for_url("**/portal/cases/*/")
    case = Case.objects.get(borrower__iin=iin)

    # 3. The eligibility result arrives once the worker ran the check (the page polls)
    borrower_page.wait_for_selector("ul.rules", state="attached", timeout=45_000)
    assert borrower_page.locator("ul.rules li.fail").count() == 0
    assert borrower_page.locator("ul.rules li.pass").count() >= 3
    wait_until(lambda: CaseLoan.objects.filter(case=case, included=True).count() == 3,
               what="the loans in the case")  # fmt: skip
    borrower_page.reload()
    assert borrower_page.locator("#creditors ul.creditors li").count() == 3
    assert borrower_page.locator("#creditors .badge.warn").count() == 3  # nobody answered yet
    current = borrower_page.locator("ol.stepper li[aria-current=step]")
    assert "current" in current.get_attribute("class")
    screenshot(borrower_page, shots + "04-eligibility-waiting-for-creditors")
    assert axe_violations(borrower_page) == [], "case"
    assert no_sideways_scroll(borrower_page), wide_elements(borrower_page)

    # A newer case of the same bank that is already answered must not outrank ours.
    distractor = CaseFactory(status=CaseStatus.UNDER_REVIEW)
    other_loan = LoanFactory(creditor=bank, borrower_iin=distractor.borrower.iin)
    CaseLoanFactory(
        case=distractor, loan=other_loan, confirmation_status=ConfirmationStatus.CONFIRMED
    )

    # 4. The bank's officer (desktop, second browser context) confirms both loans in one go
    staff_page = page_factory(language=language, mobile=False)
    staff_page.goto("/staff/login/")
    staff_page.fill("input[name=username]", officer.username)
    staff_page.fill("input[name=password]", PASSWORD)
    staff_page.click("form button[type=submit].primary")
    staff_page.wait_for_url("**/creditor/")
    first_row = staff_page.locator("#cases tbody tr").first
    assert case.reference in first_row.inner_text()
    assert "needs-action" in first_row.get_attribute("class")
    assert staff_page.locator("#pending input[name=case_loan]").count() == 2
    staff_page.check("#select-all")
    assert staff_page.locator("[data-selected-count]").inner_text() == "2"
    screenshot(staff_page, shots + "05-creditor-dashboard")
    staff_page.click("#bulk-confirm")
    staff_page.wait_for_selector(".messages li.success")
    assert staff_page.locator("#pending input[name=case_loan]").count() == 0
    screenshot(staff_page, shots + "06-creditor-confirmed")
    bank_loans = CaseLoan.objects.filter(case=case, creditor=bank)
    assert {cl.confirmation_status for cl in bank_loans} == {ConfirmationStatus.CONFIRMED}
    assert sum(cl.confirmations.count() for cl in bank_loans) == 2  # one audit row each

    # The MFO answers too (as its own system would); the case goes to the ombudsman.
    mfo_loan = CaseLoan.objects.get(case=case, creditor=mfo)
    answer_loan(creditor=mfo, case_loan_id=mfo_loan.pk, action="confirm", via="api")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.UNDER_REVIEW

    # 5. The ombudsman approves on the admin review page
    admin_user = get_user_model().objects.create_superuser(
        f"omb-{language}", f"omb-{language}@example.kz", PASSWORD
    )
    admin_page = page_factory(language=language, mobile=False)
    admin_page.goto("/admin/login/")
    admin_page.fill("input[name=username]", admin_user.username)
    admin_page.fill("input[name=password]", PASSWORD)
    admin_page.click("input[type=submit]")
    admin_page.goto(f"/admin/resolution/case/{case.pk}/review/")
    assert f"AB-{iin[-4:]}-1" in admin_page.inner_text("body")
    screenshot(admin_page, shots + "07-ombudsman-review")
    admin_page.click("form:has(input[name=action][value=approve]) input[type=submit]")
    wait_until(lambda: Case.objects.get(pk=case.pk).status == CaseStatus.DOCUMENTS_ISSUED,
               what="the document package")  # fmt: skip

    # 6. The borrower previews the documents and signs with a one-time code
    borrower_page.goto(f"/portal/cases/{case.pk}/documents/")
    # on a phone: a readable summary per document and the PDF as a download, no iframe
    assert borrower_page.locator("dl.doc-summary").count() == case.package.documents.count() >= 4
    assert borrower_page.locator("iframe").count() == 0
    assert axe_violations(borrower_page) == [], "documents"
    slots = borrower_page.locator("details.doc [data-pdf-src]")
    preview = requests.get(
        live_server.url + slots.first.get_attribute("data-pdf-src"),
        cookies={c["name"]: c["value"] for c in borrower_page.context.cookies()},
        timeout=10,
    )
    assert preview.headers["Content-Type"] == "application/pdf"
    assert preview.headers["Content-Disposition"].startswith("inline")
    countdown = borrower_page.locator("[data-countdown-value]").first
    first_reading = countdown.inner_text()
    assert re.fullmatch(r"7[01]:\d\d:\d\d", first_reading), first_reading
    borrower_page.wait_for_function(
        "t => document.querySelector('[data-countdown-value]').textContent !== t",
        arg=first_reading,
        timeout=5_000,
    )  # a live countdown, not a printed time
    screenshot(borrower_page, shots + "08-documents")
    sent_before = len(sim.sms(phone))
    borrower_page.click("#request-code")
    borrower_page.wait_for_selector(".messages li.success")
    code = sms_code(sim, phone, after=sent_before)
    borrower_page.fill("input[name=code]", code)
    borrower_page.locator("#sign").scroll_into_view_if_needed()
    screenshot(borrower_page, shots + "09-sign", full_page=False)
    borrower_page.click("#sign-button")
    borrower_page.wait_for_selector(".messages li.success")
    assert Case.objects.get(pk=case.pk).status == CaseStatus.ACTIVE

    # 7. The schedule with its chart and the next due date
    borrower_page.goto("/portal/schedule/")
    plan = Case.objects.get(pk=case.pk).plan
    assert borrower_page.locator("svg.instalments rect.left").count() == plan.term_months
    assert borrower_page.locator("svg.instalments rect.paid").count() == 0
    assert borrower_page.locator(".next-due time").count() == 1
    screenshot(borrower_page, shots + "10-schedule")
    assert axe_violations(borrower_page) == [], "schedule"
    assert no_sideways_scroll(borrower_page), wide_elements(borrower_page)

    # 8. A payment through the payment provider's API shows in the payments history
    provider = PaymentProvider(code=f"kaspi-{language}", name="Kaspi")
    key = provider.set_new_key()
    provider.save()
    first = plan.instalments.order_by("number").first()
    response = requests.post(
        live_server.url + "/api/v1/payments/",
        json={"amount_tiyn": first.amount_tiyn, "paid_at": timezone.now().isoformat(),
              "case_reference": case.reference},
        headers={"X-Api-Key": key, "Idempotency-Key": str(uuid.uuid4())},
        timeout=10,
    )  # fmt: skip
    assert response.status_code == 201, response.text
    borrower_page.reload()  # (a goto to "#payments" on the same page would not reload it)
    rows = borrower_page.locator("#payments tbody tr")
    screenshot(borrower_page, shots + "11-payments")
    assert rows.count() == 1, rows.all_inner_texts()
    assert borrower_page.locator("svg.instalments rect.paid").count() == 1
    amount = f"{first.amount_tiyn // 100:,}".replace(",", "\u00a0")
    assert amount in rows.first.inner_text()
    assert borrower_page.locator("ol.stepper li[aria-current=step]").count() == 1
