"""GET /api/v1/creditor/cases/{id}/payoff/ (read-only): the amount that finishes the case's
plan today (the plan's outstanding total), this organisation's part of it, and the latest
payoff quote the borrower took (reference, amount, valid until, state). Scoped like every
case endpoint: another organisation's case is 404; a case without a plan is 404."""

from __future__ import annotations

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from creditor_portal.api.views import ERRORS, Base, api_creditor
from finplatform.clock import business_date
from resolution.selectors import creditor as sel
from schedules.models import Plan
from schedules.services import payoff


class QuoteSerializer(serializers.Serializer):
    reference = serializers.CharField()
    amount_tiyn = serializers.IntegerField()
    quoted_on = serializers.DateField()
    valid_until = serializers.DateField()
    state = serializers.ChoiceField(choices=list(payoff.STATE_LABELS))


class PayoffSerializer(serializers.Serializer):
    case_reference = serializers.CharField()
    plan_status = serializers.CharField()
    as_of = serializers.DateField(help_text="the business date (Asia/Almaty) of the figures")
    outstanding_tiyn = serializers.IntegerField(help_text="what finishes the whole plan today")
    creditor_outstanding_tiyn = serializers.IntegerField(help_text="this organisation's part")
    latest_quote = QuoteSerializer(allow_null=True)


class CasePayoff(Base):
    @extend_schema(tags=["cases"], responses={200: PayoffSerializer, **ERRORS},
                   summary="The amount that finishes the plan today (read-only)")  # fmt: skip
    def get(self, request, case_id):
        creditor = api_creditor(request)
        case = sel.case_for_creditor(creditor, case_id)
        plan = Plan.objects.filter(case=case).first()
        if plan is None:
            raise Http404
        mine = sum(
            share.debt_tiyn - share.received_tiyn for share in plan.shares.filter(creditor=creditor)
        )
        latest = payoff.latest_quote(plan)
        quote = None
        if latest is not None:
            q = latest.quote
            quote = {"reference": q.reference, "amount_tiyn": q.amount_tiyn,
                     "quoted_on": q.quoted_on, "valid_until": q.valid_until,
                     "state": latest.state}  # fmt: skip
        body = {
            "case_reference": case.reference, "plan_status": plan.status,
            "as_of": business_date(), "outstanding_tiyn": plan.outstanding_tiyn,
            "creditor_outstanding_tiyn": mine, "latest_quote": quote,
        }  # fmt: skip
        return Response(PayoffSerializer(body).data)
