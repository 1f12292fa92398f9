"""Issue 18, point 5: the ombudsman's analytics page. Figures scoped to the staff member's
queue (a senior sees all, or one queue), the same figures as CSV, charts drawn as SVG on the
server, one query per figure whatever the number of cases and creditors."""

import csv
import io
from datetime import date, timedelta

import pytest
import time_machine
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from finplatform.money import format_tenge
from finplatform.roles import OMBUDSMAN_SENIOR
from resolution.models import CaseStatus, CreditorRequest, DocumentPackage, Signature
from schedules.models import Plan, PlanStatus
from tests.factories import CaseFactory, CreditorFactory, UserFactory
from tests.ombudsman.test_admin_review import ombudsman_user
from tests.ombudsman.test_admin_scope import queue_world

pytestmark = pytest.mark.django_db
URL = "/admin/analytics/"


def _package(case, *, signed: bool):
    package = DocumentPackage.objects.create(
        case=case, snapshot={}, language="ru", issued_at=timezone.now()
    )
    if signed:
        Signature.objects.create(package=package, method="sms", package_hash="x",
                                 document_hashes={}, signed_at=timezone.now())  # fmt: skip
    return package


def _request(case, creditor, *, hours: float | None, late=False):
    sent = timezone.now() - timedelta(days=3)
    CreditorRequest.objects.create(
        case=case, creditor=creditor, sent_at=sent, deadline=sent + timedelta(days=5),
        answered_at=None if hours is None else sent + timedelta(hours=hours), late=late,
    )  # fmt: skip


def _bank_queue(creditors: int = 1, key: str = "bank-1"):
    """Bank queue: an active plan with a January payment (queue_world), a refused package,
    an ineligible case, one case awaiting `creditors` creditors."""
    world = queue_world("banking", key)
    world.case.status = CaseStatus.ACTIVE
    world.case.save(update_fields=["status"])
    _package(world.case, signed=True)
    refused = CaseFactory(ombudsman="banking", status=CaseStatus.REFUSED)
    _package(refused, signed=False)
    CaseFactory(ombudsman="banking", status=CaseStatus.INELIGIBLE)
    waiting = CaseFactory(ombudsman="banking", status=CaseStatus.AWAITING_CREDITORS)
    alem = CreditorFactory(name="Alem Bank")
    _request(world.case, alem, hours=10)
    _request(refused, alem, hours=30, late=True)
    for n in range(creditors):
        _request(waiting, CreditorFactory(name=f"Bank {n}"), hours=None)
    return world


def _mfo_queue():
    world = queue_world("microfinance", "mfo-1")
    world.case.status = CaseStatus.BREACHED
    world.case.save(update_fields=["status"])
    Plan.objects.filter(pk=world.plan.pk).update(status=PlanStatus.BREACHED)
    _request(world.case, CreditorFactory(name="Tez Credit MFO"), hours=2)
    return world


def _funnel(page) -> dict:
    return {stage.key: stage.count for stage in page.context["funnel"]}


def _get(client, url=URL):
    with time_machine.travel(date(2026, 3, 15), tick=False):
        return client.get(url)


def test_staff_see_their_queue_only(client):
    _bank_queue()
    _mfo_queue()
    client.force_login(ombudsman_user("banking"))
    page = _get(client)
    assert page.status_code == 200
    assert _funnel(page) == {"applied": 4, "eligible": 3, "confirmed": 2, "approved": 2,
                             "signed": 1, "active": 1, "completed": 0, "breached": 0}  # fmt: skip
    answers = {row.creditor: row for row in page.context["answers"]}
    assert set(answers) == {"Alem Bank", "Bank 0"}  # not the MFO queue's creditor
    assert (answers["Alem Bank"].answered, answers["Alem Bank"].late) == (2, 1)
    assert answers["Alem Bank"].average_hours == 20
    assert answers["Alem Bank"].longest_hours == 30
    assert answers["Bank 0"].average_hours is None
    signing = page.context["signing"]
    assert (signing.issued, signing.signed, signing.refused, signing.rate_percent) == (2, 1, 1, 50)
    assert page.context["plans"] == [("active", "Under way", 1), ("completed", "Paid in full", 0),
                                     ("breached", "Breached", 0),
                                     ("terminated", "Terminated", 0)]  # fmt: skip
    collections = page.context["collection_rows"]
    assert len(collections) == 12 and collections[-1][0] == "03.2026"
    assert ("01.2026", format_tenge(1_000_000), 1) in collections
    html = page.content.decode()
    assert html.count('<figure class="chart">') == 5 and html.count('role="img"') == 5
    funnel_svg = html.split('<figure class="chart">')[1]
    assert funnel_svg.count("<rect ") == 8  # one bar per stage
    content = html.split('id="content"')[1].split("<!-- END Content -->")[0]
    assert "<script" not in content
    assert "Tez Credit" not in html


def test_a_senior_sees_every_queue_or_one(client):
    _bank_queue()
    _mfo_queue()
    senior = ombudsman_user("banking")
    senior.groups.add(Group.objects.get(name=OMBUDSMAN_SENIOR))
    client.force_login(senior)
    everything = _funnel(_get(client))
    assert (everything["applied"], everything["breached"]) == (5, 1)
    mfo = _get(client, f"{URL}?queue=microfinance")
    assert _funnel(mfo)["applied"] == 1 and _funnel(mfo)["breached"] == 1
    assert [row.creditor for row in mfo.context["answers"]] == ["Tez Credit MFO"]


def test_csv_has_the_same_figures_in_the_queue(client):
    _bank_queue()
    _mfo_queue()
    client.force_login(ombudsman_user("microfinance"))
    response = _get(client, f"{URL}analytics.csv")
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="analytics-microfinance-2026-03-15.csv"'
    )
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == ["figure", "label", "value"]
    assert ["funnel", "applied", "1"] in rows and ["funnel", "breached", "1"] in rows
    assert ["plans", "breached", "1"] in rows
    assert ["answers.average_hours", "Tez Credit MFO", "2.0"] in rows
    assert ["collections_tenge", "2026-01", "10000.00"] in rows
    assert not any(row[1] in ("Alem Bank", "Bank 0") for row in rows)


def test_no_queue_no_page(client):
    client.force_login(UserFactory(is_staff=True))  # staff, but of no ombudsman
    assert _get(client).status_code == 403
    assert _get(client, f"{URL}analytics.csv").status_code == 403
    client.logout()
    assert _get(client).status_code == 302  # to the admin's sign-in


def test_one_query_per_figure_whatever_the_size(client):
    _bank_queue(creditors=1)
    client.force_login(ombudsman_user("banking"))
    _get(client)  # warm caches (sessions, content types)
    with CaptureQueriesContext(connection) as small:
        _get(client)
    for n in range(4):
        _bank_queue(creditors=5, key=f"bank-more-{n}")
    with CaptureQueriesContext(connection) as large:
        page = _get(client)
    assert len(large) == len(small)
    figures = [q["sql"] for q in large if "schedules_plan" in q["sql"] or "resolution_" in q["sql"]]
    assert len(figures) <= 6, figures  # funnel, answers, signing, plans, collections (+ staff)
    assert _funnel(page)["applied"] == 20


def test_the_admin_index_links_to_it(client):
    client.force_login(ombudsman_user("banking"))
    assert URL in client.get("/admin/").content.decode()
