from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

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
