"""The creditor's URLs at the site root (no namespace): staff sign-in."""

from django.urls import path

from creditor_portal.login import StaffLoginView

urlpatterns = [
    path("staff/login/", StaffLoginView.as_view(), name="staff_login"),
]
