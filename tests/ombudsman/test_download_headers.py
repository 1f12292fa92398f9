"""Every file the admin hands out (assignment agreement, termination document, court decision,
variation evidence and agreement, analytics.csv) goes out through one helper
(finplatform.uploads.serve / download_headers): the file name survives Cyrillic, Kazakh and
quotes (RFC 6266/5987), nosniff, `Cache-Control: private, no-store` and a sandboxing policy.
Another queue's staff still get 404."""

from datetime import datetime

import pytest
import time_machine

from finplatform.clock import BUSINESS_TZ
from resolution.models import FraudFlag, Variation
from schedules.models import ClaimTransfer, PlanTermination
from tests.ombudsman.test_admin_review import ombudsman_user
from tests.support.documents import (
    agreed_variation,
    banking_plan,
    court_decided_flag,
    sold,
    terminated,
)
from tests.support.downloads import CSV, assert_download, assert_each_name, renames
from tests.support.ledger import new_creditor

pytestmark = pytest.mark.django_db


def _other_queue_gets_404(client, *urls):
    client.force_login(ombudsman_user("microfinance"))
    for url in urls:
        assert client.get(url).status_code == 404, url
    client.force_login(ombudsman_user("banking"))


def test_the_assignment_agreement_and_the_termination_document(client):
    world = banking_plan()
    transfer = sold(world, new_creditor())
    termination = terminated(world)
    doors = [
        (f"/admin/schedules/claimtransfer/{transfer.pk}/document/",
         ClaimTransfer.objects.filter(pk=transfer.pk)),
        (f"/admin/schedules/plantermination/{termination.pk}/document/",
         PlanTermination.objects.filter(pk=termination.pk)),
    ]  # fmt: skip
    _other_queue_gets_404(client, *(url for url, _ in doors))
    for url, rows in doors:
        assert_each_name(client, url, renames(rows, "document_name"))


def test_the_court_decision(client):
    world, flag = court_decided_flag()  # a banking case
    url = f"/admin/resolution/fraudflag/{flag.pk}/court-document/"
    _other_queue_gets_404(client, url)
    rows = FraudFlag.objects.filter(pk=flag.pk)
    assert_each_name(client, url, renames(rows, "court_document_name"))


def test_the_variation_evidence_and_agreement(client):
    world = banking_plan()
    variation = agreed_variation(world)
    evidence = f"/admin/resolution/variation/{variation.pk}/file/evidence/"
    agreement = f"/admin/resolution/variation/{variation.pk}/file/agreement/"
    _other_queue_gets_404(client, evidence, agreement)
    rows = Variation.objects.filter(pk=variation.pk)
    assert_each_name(client, evidence, renames(rows, "evidence_name"))
    assert_download(client.get(agreement), name=f"{world.case.reference}-variation.pdf")


def test_the_analytics_csv(client):
    with time_machine.travel(datetime(2026, 3, 15, 12, tzinfo=BUSINESS_TZ), tick=False):
        client.force_login(ombudsman_user("microfinance"))
        response = client.get("/admin/analytics/analytics.csv")
    assert_download(response, name="analytics-microfinance-2026-03-15.csv", content_type=CSV)
