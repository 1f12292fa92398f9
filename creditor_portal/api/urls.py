from django.urls import path

from creditor_portal.api import payoff, terminations
from creditor_portal.api import transfers as t
from creditor_portal.api import variations as var
from creditor_portal.api import views as v

app_name = "creditor_api"
urlpatterns = [
    path("cases/", v.CaseList.as_view(), name="cases"),
    path("cases/<uuid:case_id>/", v.CaseDetail.as_view(), name="case"),
    path("cases/<uuid:case_id>/payoff/", payoff.CasePayoff.as_view(), name="payoff"),
    path("cases/<uuid:case_id>/documents/", v.DocumentList.as_view(), name="documents"),
    path("cases/<uuid:case_id>/allocations/", v.AllocationList.as_view(), name="allocations"),
    path(
        "cases/<uuid:case_id>/termination/document/",
        terminations.TerminationDocument.as_view(),
        name="termination_document",
    ),  # fmt: skip
    path(
        "cases/<uuid:case_id>/documents/<uuid:document_id>/",
        v.DocumentDownload.as_view(),
        name="document",
    ),  # fmt: skip
    path(
        "cases/<uuid:case_id>/schedule-versions/",
        var.CaseScheduleVersions.as_view(),
        name="schedule_versions",
    ),  # fmt: skip
    path("variations/", var.VariationList.as_view(), name="variations"),
    path("variations/<uuid:variation_id>/", var.VariationDetail.as_view(), name="variation"),
    path(
        "variations/<uuid:variation_id>/object/",
        var.VariationObject.as_view(),
        name="variation_object",
    ),  # fmt: skip
    path("loans/", v.LoanList.as_view(), name="loans"),
    path("loans/<uuid:case_loan_id>/", v.LoanDetail.as_view(), name="loan"),
    path("loans/<uuid:case_loan_id>/confirm/", v.LoanConfirm.as_view(), name="confirm"),
    path("loans/<uuid:case_loan_id>/correct/", v.LoanCorrect.as_view(), name="correct"),
    path("loans/<uuid:case_loan_id>/dispute/", v.LoanDispute.as_view(), name="dispute"),
    path("transfers/", t.TransferList.as_view(), name="transfers"),
    path("transfers/<uuid:transfer_id>/", t.TransferDetail.as_view(), name="transfer"),
    path(
        "transfers/<uuid:transfer_id>/document/",
        t.TransferDocument.as_view(),
        name="transfer_document",
    ),  # fmt: skip
    path("webhooks/", v.WebhookList.as_view(), name="webhooks"),
    path("webhooks/<uuid:endpoint_id>/", v.WebhookDetail.as_view(), name="webhook"),
    path(
        "webhooks/<uuid:endpoint_id>/deliveries/",
        v.WebhookDeliveries.as_view(),
        name="webhook_deliveries",
    ),  # fmt: skip
]
