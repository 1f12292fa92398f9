from django.urls import path

from resolution import views

app_name = "resolution"
urlpatterns = [
    path("apply/", views.apply_view, name="apply"),
    path("cases/<str:reference>/", views.case_detail, name="case"),
    path("cases/<str:reference>/status.json", views.case_status, name="case_status"),
]
