"""The ombudsman's pages outside the model admins, behind the admin's own sign-in."""

from django.contrib import admin
from django.urls import path

from ombudsman import analytics

app_name = "ombudsman"

urlpatterns = [
    path("", admin.site.admin_view(analytics.analytics_view), name="analytics"),
    path("analytics.csv", admin.site.admin_view(analytics.analytics_csv), name="analytics_csv"),
]
