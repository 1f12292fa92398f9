from django.urls import path

from schedules import views

app_name = "schedules"
urlpatterns = [
    path("portal/schedule/", views.borrower_schedule, name="borrower_schedule"),
    path(
        "portal/schedule/<str:reference>/statement.csv",
        views.borrower_statement,
        {"fmt": "csv"},
        name="borrower_statement_csv",
    ),  # fmt: skip
    path(
        "portal/schedule/<str:reference>/statement.pdf",
        views.borrower_statement,
        {"fmt": "pdf"},
        name="borrower_statement_pdf",
    ),  # fmt: skip
    path("creditor/payouts/", views.creditor_payouts, name="creditor_payouts"),
    path("creditor/payouts.csv", views.creditor_payouts_csv, name="creditor_payouts_csv"),
    path("creditor/statement.csv", views.creditor_statement, {"fmt": "csv"}, name="statement_csv"),
    path("creditor/statement.pdf", views.creditor_statement, {"fmt": "pdf"}, name="statement_pdf"),
]
