from django import forms
from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from borrowers.models import Borrower, phone_validator
from finplatform.kzid import validate_iin
from finplatform.language import Language
from finplatform.throttle import LOGIN_PER_ACCOUNT, LOGIN_PER_IP, client_ip

MSG_BAD_LOGIN = _("The IIN or password is wrong. Check both and try again.")
MSG_LOCKED = _("Too many failed attempts. Wait 15 minutes and try again.")
MSG_INACTIVE = _("This account is blocked. Contact support.")
MSG_CONSENT = _("We need your consent to collect and process your data.")
MSG_IIN_REGISTERED = _("An account with this IIN already exists. Sign in instead.")
MSG_PASSWORDS_DIFFER = _("The two passwords differ.")


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
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = Language.choices


class ComplaintMessageForm(forms.Form):
    body = forms.CharField(label=_("Message"), max_length=10_000,
                           widget=forms.Textarea(attrs={"rows": 4}))  # fmt: skip


class RegistrationForm(forms.Form):
    iin = forms.CharField(
        label=_("IIN"), max_length=12, min_length=12, validators=[validate_iin],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "username",
                                      "pattern": "[0-9]{12}"}),
    )  # fmt: skip
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    phone = forms.CharField(
        label=_("Mobile phone"), max_length=12, validators=[phone_validator],
        help_text=_("The number registered to your IIN with your mobile operator."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "placeholder": "+77XXXXXXXXX"}),
    )  # fmt: skip
    email = forms.EmailField(label=_("Email"), required=False)
    password = forms.CharField(
        label=_("Password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )  # fmt: skip
    password_again = forms.CharField(
        label=_("Password again"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )  # fmt: skip
    consent = forms.BooleanField(
        label=_("I consent to the collection and processing of my personal data"),
        error_messages={"required": MSG_CONSENT},
    )

    def clean_iin(self):
        iin = self.cleaned_data["iin"]
        if Borrower.objects.filter(iin=iin).exists():
            raise ValidationError(MSG_IIN_REGISTERED, code="iin_taken")
        return iin

    def clean(self):
        cleaned = super().clean()
        password, again = cleaned.get("password"), cleaned.get("password_again")
        if password and again and password != again:
            self.add_error("password_again", MSG_PASSWORDS_DIFFER)
        elif password:
            try:
                password_validation.validate_password(password)
            except ValidationError as exc:
                self.add_error("password", exc)
        return cleaned


class OtpForm(forms.Form):
    code = forms.RegexField(
        label=_("Code from the SMS"), regex=r"^\s*[0-9]{6}\s*$",
        error_messages={"invalid": _("The code has 6 digits.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )  # fmt: skip


class BiometricForm(forms.Form):
    # In production the camera widget uploads the capture to the identification centre and
    # gets this token back; the simulator accepts any token not marked as a photo or replay.
    selfie_token = forms.CharField(label=_("Camera capture"), max_length=200,
                                   widget=forms.HiddenInput)  # fmt: skip
