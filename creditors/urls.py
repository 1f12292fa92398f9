from django.urls import path

from creditors import views

app_name = "creditors"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("loans/<uuid:loan_id>/", views.loan_detail, name="loan_detail"),
]
