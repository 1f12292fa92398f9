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
]
