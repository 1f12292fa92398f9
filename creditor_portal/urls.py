"""The creditor's pages under /creditor/. The namespace stays `creditors`."""

from django.urls import path

from creditor_portal.views import dashboard, exports, language, payouts, transfers, variations

app_name = "creditors"
urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("my-language/", language.my_language, name="my_language"),
    path("bulk-confirm/", dashboard.bulk_confirm, name="bulk_confirm"),
    path("cases.csv", exports.cases_csv, name="cases_csv"),
    path("loans/<uuid:loan_id>/", dashboard.loan_detail, name="loan_detail"),
    path("payout-details/", payouts.payout_details, name="payout_details"),
    path(
        "payout-details/<uuid:details_id>/<str:decision>/",
        payouts.payout_details_decide,
        name="payout_details_decide",
    ),
    path("cases/<uuid:case_id>/", dashboard.case_detail, name="case_detail"),
    path(
        "cases/<uuid:case_id>/documents/<uuid:document_id>/",
        dashboard.document_download,
        name="document",
    ),  # fmt: skip
    path(
        "cases/<uuid:case_id>/termination/document/",
        dashboard.termination_document,
        name="termination_document",
    ),  # fmt: skip
    path(
        "ending-documents/<uuid:document_id>/",
        dashboard.ending_document_download,
        name="ending_document",
    ),  # fmt: skip
    path("case-loans/<uuid:case_loan_id>/<str:action>/", dashboard.answer, name="answer"),
    path("variations/", variations.variations, name="variations"),
    path("variations/<uuid:variation_id>/object/", variations.object_to, name="variation_object"),
    path("payouts/", payouts.payouts, name="payouts"),
    path("transfers/", transfers.transfers, name="transfers"),
    path("transfers/<uuid:transfer_id>/document/", transfers.document, name="transfer_document"),
    path("payouts.csv", exports.payouts_csv, name="payouts_csv"),
    path("statement.csv", exports.creditor_statement, {"fmt": "csv"}, name="statement_csv"),
    path("statement.pdf", exports.creditor_statement, {"fmt": "pdf"}, name="statement_pdf"),
]
