from django.urls import path

from portal.views import schedule

# No app_name: finplatform/urls.py mounts these at "portal/schedule/" inside the "schedules"
# namespace, which the creditor's payout pages share (`schedules:borrower_schedule`).
urlpatterns = [
    path("", schedule.borrower_schedule, name="borrower_schedule"),
    path(
        "<str:reference>/statement.csv",
        schedule.borrower_statement,
        {"fmt": "csv"},
        name="borrower_statement_csv",
    ),  # fmt: skip
    path(
        "<str:reference>/statement.pdf",
        schedule.borrower_statement,
        {"fmt": "pdf"},
        name="borrower_statement_pdf",
    ),  # fmt: skip
]
