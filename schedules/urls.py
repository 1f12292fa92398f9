from django.urls import path

from schedules import views

# No app_name: finplatform/urls.py puts these and the portal's schedule pages together
# under the one "schedules" namespace.
urlpatterns = [
    path("creditor/payouts/", views.creditor_payouts, name="creditor_payouts"),
    path("creditor/payouts.csv", views.creditor_payouts_csv, name="creditor_payouts_csv"),
    path("creditor/statement.csv", views.creditor_statement, {"fmt": "csv"}, name="statement_csv"),
    path("creditor/statement.pdf", views.creditor_statement, {"fmt": "pdf"}, name="statement_pdf"),
]
