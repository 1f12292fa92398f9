"""Plan variations in the creditor REST API: the variations of plans the organisation has a
share in (another organisation's give 404), an objection with a reason within the window,
and the schedule versions of a case. Scoping is in `resolution.selectors.variations`."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response

from creditor_portal.api.views import BODY_ERRORS, ERRORS, Base, api_creditor, choice_param
from resolution.models import VariationStatus
from resolution.selectors import creditor as case_sel
from resolution.selectors import variations as sel
from resolution.services.variations import object_to_variation
from schedules.models import ScheduleVersion, VersionInstalment


class TimetableSerializer(serializers.Serializer):
    term_months = serializers.IntegerField()
    monthly_tiyn = serializers.IntegerField()
    lines = serializers.ListField(
        child=serializers.DictField(), help_text="number, due, amount_tiyn"
    )


class VariationSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    case = serializers.UUIDField(source="case_id")
    case_reference = serializers.CharField(source="case.reference")
    kind = serializers.CharField(help_text="holiday | lower | catch_up")
    kind_display = serializers.CharField(source="get_kind_display")
    status = serializers.ChoiceField(choices=VariationStatus.choices)
    status_display = serializers.CharField(source="get_status_display")
    reason = serializers.CharField(help_text="the borrower's reason")
    monthly_income_tiyn = serializers.IntegerField()
    holiday_months = serializers.IntegerField()
    requested_at = serializers.DateTimeField()
    proposed_at = serializers.DateTimeField(allow_null=True)
    objection_deadline = serializers.DateTimeField(
        allow_null=True, help_text="object before this; silence is consent"
    )
    new_timetable_from = serializers.DateField(source="anchor_due", allow_null=True)
    outstanding_tiyn = serializers.SerializerMethodField()
    before = serializers.SerializerMethodField()
    after = serializers.SerializerMethodField()
    version_number = serializers.IntegerField(allow_null=True)
    my_objection = serializers.SerializerMethodField()

    def get_outstanding_tiyn(self, obj) -> int | None:
        return obj.proposal.get("outstanding_tiyn")

    @extend_schema_field(TimetableSerializer(allow_null=True))
    def get_before(self, obj):
        return obj.proposal.get("before")

    @extend_schema_field(TimetableSerializer(allow_null=True))
    def get_after(self, obj):
        return obj.proposal.get("after")

    @extend_schema_field(serializers.DictField(allow_null=True))
    def get_my_objection(self, obj):
        objection = sel.objection_of(obj, self.context["creditor"])
        at = serializers.DateTimeField().to_representation  # Almaty time, as the API's others
        return objection and {"reason": objection.reason, "at": at(objection.at)}


class ObjectionSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class VersionLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = VersionInstalment
        fields = ["number", "due_date", "amount_tiyn", "settled"]


class ScheduleVersionSerializer(serializers.ModelSerializer):
    lines = VersionLineSerializer(many=True)
    kind_display = serializers.CharField(source="get_kind_display")

    class Meta:
        model = ScheduleVersion
        fields = ["number", "kind", "kind_display", "effective_on", "term_months",
                  "monthly_tiyn", "outstanding_tiyn", "lines"]  # fmt: skip


class VariationList(Base):
    @extend_schema(
        tags=["variations"], responses={200: VariationSerializer(many=True), **ERRORS},
        parameters=[OpenApiParameter("status", str, enum=VariationStatus.values)],
        summary="Variations of plans your organisation has a share in",
    )  # fmt: skip
    def get(self, request):
        creditor = api_creditor(request)
        status_ = choice_param(request, "status", VariationStatus.values)
        rows = sel.variations_for_creditor(creditor, status=status_)
        return Response(VariationSerializer(rows[:200], many=True,
                                            context={"creditor": creditor}).data)  # fmt: skip


class VariationDetail(Base):
    @extend_schema(tags=["variations"], responses={200: VariationSerializer, **ERRORS})
    def get(self, request, variation_id):
        creditor = api_creditor(request)
        variation = sel.variation_for_creditor(creditor, variation_id)
        return Response(VariationSerializer(variation, context={"creditor": creditor}).data)


class VariationObject(Base):
    @extend_schema(
        tags=["variations"], request=ObjectionSerializer,
        responses={201: VariationSerializer, **BODY_ERRORS},
        summary="Object with a reason before the deadline: the variation is blocked",
    )  # fmt: skip
    def post(self, request, variation_id):
        creditor = api_creditor(request)
        sel.variation_for_creditor(creditor, variation_id)  # 404 before anything else
        data = ObjectionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = request.user if getattr(request.user, "pk", None) else None
        object_to_variation(creditor=creditor, variation_id=variation_id,
                            reason=data.validated_data["reason"], user=user)  # fmt: skip
        variation = sel.variation_for_creditor(creditor, variation_id)
        return Response(VariationSerializer(variation, context={"creditor": creditor}).data,
                        status=status.HTTP_201_CREATED)  # fmt: skip


class CaseScheduleVersions(Base):
    @extend_schema(
        tags=["cases"], responses={200: ScheduleVersionSerializer(many=True), **ERRORS},
        summary="Every version of the case's timetable (past versions stay readable)",
    )  # fmt: skip
    def get(self, request, case_id):
        case = case_sel.case_for_creditor(api_creditor(request), case_id)
        return Response(ScheduleVersionSerializer(sel.schedule_versions(case), many=True).data)
