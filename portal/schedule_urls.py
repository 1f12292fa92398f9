from django.urls import path

from portal.views import payoff, schedule

# Mounted at "portal/schedule/" in the "schedules" namespace (`schedules:borrower_schedule`),
# the URL names these pages had before the portal had its own app.
urlpatterns = [
    path("", schedule.borrower_schedule, name="borrower_schedule"),
    path("payoff/", payoff.payoff_quote, name="payoff_quote"),
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
