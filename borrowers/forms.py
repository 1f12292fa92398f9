from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from finplatform.kzid import validate_iin
from finplatform.throttle import LOGIN_PER_ACCOUNT, LOGIN_PER_IP, client_ip

MSG_BAD_LOGIN = _("The IIN or password is wrong. Check both and try again.")
MSG_LOCKED = _("Too many failed attempts. Wait 15 minutes and try again.")
MSG_INACTIVE = _("This account is blocked. Contact support.")


class IINLoginForm(forms.Form):
    iin = forms.CharField(
        label=_("IIN"), max_length=12, min_length=12, validators=[validate_iin],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "username",
                                      "autofocus": True, "pattern": "[0-9]{12}"}),
    )  # fmt: skip
    password = forms.CharField(
        label=_("Password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )  # fmt: skip

    def __init__(self, request=None, *args, **kwargs):
        self.request = request
        self.user_cache = None
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        iin, ip = cleaned["iin"], client_ip(self.request)
        if LOGIN_PER_ACCOUNT.is_blocked(iin) or LOGIN_PER_IP.is_blocked(ip):
            raise ValidationError(MSG_LOCKED, code="locked")
        self.user_cache = authenticate(self.request, iin=iin, password=cleaned["password"])
        if self.user_cache is None:
            LOGIN_PER_ACCOUNT.hit(iin)
            LOGIN_PER_IP.hit(ip)
            raise ValidationError(MSG_BAD_LOGIN, code="invalid_login")
        LOGIN_PER_ACCOUNT.reset(iin)
        if not self.user_cache.is_active:
            raise ValidationError(MSG_INACTIVE, code="inactive")
        return cleaned

    def get_user(self):
        return self.user_cache


class ComplaintForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Your complaint"), max_length=10_000,
                           widget=forms.Textarea(attrs={"rows": 8}))  # fmt: skip
    language = forms.ChoiceField(label=_("Language for the answer"), choices=[])

    def __init__(self, *args, **kwargs):
        from borrowers.models import Language

        super().__init__(*args, **kwargs)
        self.fields["language"].choices = Language.choices


class ComplaintMessageForm(forms.Form):
    body = forms.CharField(label=_("Message"), max_length=10_000,
                           widget=forms.Textarea(attrs={"rows": 4}))  # fmt: skip


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
