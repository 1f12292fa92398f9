from django.urls import path

from creditors import views

app_name = "creditors"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("bulk-confirm/", views.bulk_confirm, name="bulk_confirm"),
    path("cases.csv", views.cases_csv, name="cases_csv"),
    path("loans/<uuid:loan_id>/", views.loan_detail, name="loan_detail"),
    path("payout-details/", views.payout_details, name="payout_details"),
    path(
        "payout-details/<uuid:details_id>/<str:decision>/",
        views.payout_details_decide,
        name="payout_details_decide",
    ),
    path("cases/<uuid:case_id>/", views.case_detail, name="case_detail"),
    path(
        "cases/<uuid:case_id>/documents/<uuid:document_id>/",
        views.document_download,
        name="document",
    ),  # fmt: skip
    path("case-loans/<uuid:case_loan_id>/<str:action>/", views.answer, name="answer"),
]
