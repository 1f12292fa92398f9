"""The data migrations behind two outside tester's findings: loans the ombudsman decided
before migration 0017 read `included` / `excluded` (and back on reversal); variations left
open on plans that had ended before 0018 are closed with the status that says why."""

import importlib
from datetime import date

import pytest
import time_machine
from django.apps import apps

from resolution.models import CaseLoan, CaseStatus, DebtConfirmation, Variation
from resolution.services.decision import decide_disputed_loan
from resolution.services.variations import request_variation
from tests.support.endings import active_plan, almaty_noon
from tests.support.workflow import answer_all, awaiting_case

pytestmark = pytest.mark.django_db


def _migration(name: str):
    return importlib.import_module(f"resolution.migrations.{name}")


def test_0017_sets_the_decisions_taken_before_it_and_reverses_them():
    world = awaiting_case()
    answer_all(world)  # the second loan disputed, the third confirmed
    included, left_out = world.loans[1], world.loans[2]
    decide_disputed_loan(case_loan_id=included.pk, include=True, amount_tiyn=20_000_000)
    DebtConfirmation.objects.create(  # the confirmed loan later left out by the ombudsman
        case_loan=left_out, creditor=left_out.creditor, action="exclude", comment="left out",
        via="ombudsman", at=world.case.created_at.replace(year=2030),
    )  # fmt: skip
    rows = CaseLoan.objects.filter(pk__in=[included.pk, left_out.pk])
    rows.filter(pk=included.pk).update(confirmation_status="disputed")  # as before 0017
    rows.filter(pk=left_out.pk).update(confirmation_status="confirmed")
    migration = _migration("0017_caseloan_ombudsman_decision_status")

    migration.set_decided(apps, None)
    assert dict(rows.values_list("pk", "confirmation_status")) == {
        included.pk: "included", left_out.pk: "excluded"}  # fmt: skip
    migration.back_to_answers(apps, None)
    assert dict(rows.values_list("pk", "confirmation_status")) == {
        included.pk: "disputed", left_out.pk: "confirmed"}  # fmt: skip


def test_0018_closes_the_variations_left_open_on_ended_plans_only():
    ended, running = active_plan(), active_plan()
    variations = {}
    for world in (ended, running):
        with time_machine.travel(almaty_noon(date(2026, 3, 10)), tick=False):
            variations[world.case.pk] = request_variation(
                case=world.case, kind="holiday", holiday_months=1, reason="ill",
                monthly_income_tiyn=10_000_000, evidence=b"%PDF-1.4 x", evidence_name="x.pdf",
            )  # fmt: skip
    ended.case.status = CaseStatus.COMPLETED  # as a plan completed before 0018 left it
    ended.case.save(update_fields=["status"])

    _migration("0018_variation_closed_at_plan_end").close_left_open(apps, None)
    statuses = dict(Variation.objects.values_list("case_id", "status"))
    assert statuses == {ended.case.pk: "plan_completed", running.case.pk: "requested"}
    assert Variation.objects.get(case=ended.case).closed_at is not None
