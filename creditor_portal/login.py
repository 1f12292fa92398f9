"""Creditor staff sign in with the username their organisation was given, under the one
sign-in policy (finplatform/signin.py), and the interface then speaks their language."""

from django.contrib.auth import views as auth_views
from django.utils.translation import gettext_lazy as _

from finplatform.signin import StaffLanguageLoginMixin, ThrottledStaffLoginForm


class StaffLoginView(StaffLanguageLoginMixin, auth_views.LoginView):
    """Creditor staff sign in with the username their organisation was given; the interface
    then speaks their own language."""

    template_name = "creditor_portal/staff_login.html"
    authentication_form = ThrottledStaffLoginForm
    extra_context = {"title": _("Creditor sign-in")}
