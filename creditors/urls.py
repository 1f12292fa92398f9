from django.urls import path

from creditors import views

app_name = "creditors"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("loans/<uuid:loan_id>/", views.loan_detail, name="loan_detail"),
    path("payout-details/", views.payout_details, name="payout_details"),
    path(
        "payout-details/<uuid:details_id>/<str:decision>/",
        views.payout_details_decide,
        name="payout_details_decide",
    ),
]
