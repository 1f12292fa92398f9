"""Creditor staff sign in with the username their organisation was given, under the same
brute-force limits as borrowers."""

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from finplatform.throttle import LOGIN_PER_ACCOUNT, LOGIN_PER_IP, MSG_LOCKED, client_ip


class ThrottledStaffLoginForm(AuthenticationForm):
    """Creditor staff sign-in with the same brute-force limits as borrowers."""

    def clean(self):
        username = (self.cleaned_data.get("username") or "").lower()
        ip = client_ip(self.request)
        if LOGIN_PER_ACCOUNT.is_blocked(username) or LOGIN_PER_IP.is_blocked(ip):
            raise ValidationError(MSG_LOCKED, code="locked")
        try:
            cleaned = super().clean()
        except ValidationError:
            LOGIN_PER_ACCOUNT.hit(username)
            LOGIN_PER_IP.hit(ip)
            raise
        LOGIN_PER_ACCOUNT.reset(username)
        return cleaned


class StaffLoginView(auth_views.LoginView):
    """Creditor staff sign in with the username their organisation was given."""

    template_name = "creditor_portal/staff_login.html"
    authentication_form = ThrottledStaffLoginForm
    extra_context = {"title": _("Creditor sign-in")}
