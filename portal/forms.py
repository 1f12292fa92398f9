"""The borrower's forms: sign-in, registration and identification, complaints, the
application, signing, and the schedule's payment and statement forms."""

from django import forms
from django.contrib.auth import authenticate, password_validation
from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from finplatform.forms import PhoneField, TengeField
from finplatform.kzid import validate_iin
from finplatform.language import Language
from finplatform.money import MAX_AMOUNT_TIYN, tenge_to_tiyn
from finplatform.signin import check_login_allowed, login_failed, login_succeeded
from finplatform.uploads import PDF_OR_IMAGE, UploadField

MSG_BAD_LOGIN = _("The IIN or password is wrong. Check both and try again.")
MSG_INACTIVE = _("This account is blocked. Contact support.")
MSG_CONSENT = _("We need your consent to collect and process your data.")
MSG_PASSWORDS_DIFFER = _("The two passwords differ.")
MSG_APPLY_CONSENT = _("The application needs your consent to collect and check your data.")


# --- account: sign-in, registration, identification ---------------------------------------


class IINLoginForm(forms.Form):
    iin = forms.CharField(
        label=_("IIN"), validators=[validate_iin],
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
        iin = cleaned["iin"]
        check_login_allowed(self.request, iin)
        self.user_cache = authenticate(self.request, iin=iin, password=cleaned["password"])
        if self.user_cache is None:
            login_failed(self.request, iin)
            raise ValidationError(MSG_BAD_LOGIN, code="invalid_login")
        login_succeeded(self.request, iin)
        if not self.user_cache.is_active:
            raise ValidationError(MSG_INACTIVE, code="inactive")
        return cleaned

    def get_user(self):
        return self.user_cache


class _NewPasswordForm(forms.Form):
    """A new password typed twice and checked by the password validators.

    When another field fails, the passwords are kept: the page is only ever re-rendered as the
    answer to the POST that carried them (never cached: the views are `never_cache`), so the
    value goes back to the same browser over the same connection and is never in a URL. When a
    password itself fails, both are cleared so the borrower types them afresh."""

    password = forms.CharField(
        label=_("Password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=True),
    )  # fmt: skip
    password_again = forms.CharField(
        label=_("Password again"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}, render_value=True),
    )  # fmt: skip

    def full_clean(self):
        super().full_clean()
        if self.is_bound and ("password" in self._errors or "password_again" in self._errors):
            for name in ("password", "password_again"):
                self.fields[name].widget.render_value = False

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


def _iin_field():
    # validate_iin alone checks the length, so a short IIN shows one error, not two
    return forms.CharField(
        label=_("IIN"), validators=[validate_iin],
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "username",
                                      "pattern": "[0-9]{12}"}),
    )  # fmt: skip


def _phone_field():
    return PhoneField(
        label=_("Mobile phone"),
        help_text=_("The number registered to your IIN with your mobile operator."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel",
                                      "placeholder": "8 701 234 56 78"}),
    )  # fmt: skip


class RegistrationForm(_NewPasswordForm):
    """Says nothing about whether the IIN has an account: identification comes next."""

    iin = _iin_field()
    full_name = forms.CharField(
        label=_("Full name"), max_length=200,
        help_text=_("As in your identity card. Your documents carry your name as the state "
                    "register holds it, taken when you pass identification."),
    )  # fmt: skip
    phone = _phone_field()
    email = forms.EmailField(label=_("Email"), required=False)
    consent = forms.BooleanField(
        label=_("I consent to the collection and processing of my personal data (the text below)"),
        error_messages={"required": MSG_CONSENT},
    )
    field_order = ["iin", "full_name", "phone", "email", "password", "password_again", "consent"]


class PasswordResetForm(_NewPasswordForm):
    iin = _iin_field()
    phone = _phone_field()
    field_order = ["iin", "phone", "password", "password_again"]


class PhoneChangeForm(forms.Form):
    phone = PhoneField(
        label=_("New mobile phone"),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel",
                                      "placeholder": "8 701 234 56 78"}),
    )  # fmt: skip


# --- complaints ------------------------------------------------------------------------------


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


# --- the application -------------------------------------------------------------------------


class ApplicationForm(forms.Form):
    consent = forms.BooleanField(
        label=_(
            "I consent to the platform requesting my credit report from the credit bureau and "
            "my social status from government data, and sharing my loan data with my creditors "
            "and the ombudsman"
        ),
        error_messages={"required": MSG_APPLY_CONSENT},
    )
    notifications_consent = forms.BooleanField(
        label=_(
            "Send me reminders of upcoming payments and of my monthly statement (optional; "
            "you can withdraw this on the My consents page)"
        ),
        required=False,
    )
    declared_vulnerable = forms.BooleanField(
        label=_("I am socially vulnerable or receive targeted social assistance (ASP)"),
        help_text=_("We check this with government data; you do not need to upload anything."),
        required=False,
    )
    declared_monthly_income = TengeField(
        label=_("Monthly income, KZT"), required=False,
        help_text=_("Optional. Shown to the ombudsman to judge the debt burden."),
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )  # fmt: skip


# --- signing ---------------------------------------------------------------------------------


class CodeForm(forms.Form):
    code = forms.RegexField(label=_("Code from the SMS"), regex=r"^\s*\d{6}\s*$",
                            error_messages={"invalid": _("Enter the 6 digits.")})  # fmt: skip


class EdsForm(forms.Form):
    signature = forms.CharField(label=_("EDS signature (CMS, base64)"), widget=forms.Textarea)


# --- the schedule ----------------------------------------------------------------------------


class SimulatedPaymentForm(forms.Form):
    """The dev-only "pay" button: an amount in tenge and a key fixed when the form is shown,
    so a double click or a resubmitted form books once."""

    amount = forms.CharField(label=_("Amount, KZT"), max_length=20)
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)

    def clean_amount(self) -> int:
        try:
            tiyn = tenge_to_tiyn(self.cleaned_data["amount"])
        except (ValueError, TypeError):
            raise forms.ValidationError(_("Enter an amount such as 12 500,00.")) from None
        if tiyn <= 0:
            raise forms.ValidationError(_("The amount must be positive."))
        if tiyn > MAX_AMOUNT_TIYN:
            raise forms.ValidationError(_("Enter an amount such as 12 500,00."))
        return tiyn


class StatementMonthForm(forms.Form):
    """The borrower's monthly statement: a month of the plan (the choices are its months)."""

    month = forms.ChoiceField(
        label=_("Month"), error_messages={"invalid_choice": _("Choose a month from the list.")}
    )

    def __init__(self, *args, months=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["month"].choices = [
            (f"{m:%Y-%m}", formats.date_format(m, "YEAR_MONTH_FORMAT")) for m in months
        ]


# --- a change of the plan (variation) -----------------------------------------------------


class VariationRequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("What change do you ask for?"), choices=[
        ("holiday", _("A payment holiday (1 to 3 months)")),
        ("lower", _("A lower monthly instalment (the term grows)")),
        ("catch_up", _("Spread my arrears over the next months")),
    ])  # fmt: skip
    reason = forms.CharField(label=_("Why"), max_length=2000, widget=forms.Textarea)
    monthly_income = TengeField(label=_("Your monthly income now, KZT"))
    evidence = UploadField(label=_("Income evidence (PDF, JPEG or PNG, up to 10 MB)"),
                           allowed=PDF_OR_IMAGE)  # fmt: skip
    holiday_months = forms.TypedChoiceField(
        label=_("Holiday, months"), coerce=int, required=False, empty_value=0,
        choices=[(1, "1"), (2, "2"), (3, "3")],
    )  # fmt: skip
    proposed_monthly = TengeField(label=_("Instalment you can pay, KZT"), required=False,
                                  allow_zero=False)  # fmt: skip
    catch_up_months = forms.TypedChoiceField(
        label=_("Spread the arrears over, months"), coerce=int, required=False, empty_value=3,
        choices=[(n, str(n)) for n in range(1, 7)],
    )  # fmt: skip
    # fixed when the form is shown, so a double click or a resubmitted form asks once; a page
    # opened before the key existed posts none and is checked as before
    request_key = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("kind") == "holiday" and not cleaned.get("holiday_months"):
            self.add_error("holiday_months", _("Choose how many months."))
        if cleaned.get("kind") == "lower" and not cleaned.get("proposed_monthly"):
            self.add_error("proposed_monthly", _("Give the instalment you can pay."))
        return cleaned
