"""Form fields every audience shares: amounts in tenge and Kazakhstan mobile numbers, typed
the way people write them."""

from __future__ import annotations

import re

from django import forms
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from finplatform.language import NATIVE_NAMES
from finplatform.money import MAX_AMOUNT_TIYN, tenge_to_tiyn

MSG_AMOUNT = _("Enter an amount in tenge, e.g. 1 234,56.")
MSG_AMOUNT_NEGATIVE = _("Amounts cannot be negative.")
MSG_PHONE = _("Enter a Kazakhstan mobile number, e.g. 8 701 234 56 78 or +7 701 234 56 78.")
PHONE_PUNCTUATION = re.compile(r"[\s()\-.\u00a0]")
validate_phone = RegexValidator(r"^\+7\d{10}$", MSG_PHONE)


def normalize_phone(value: str) -> str:
    """'8 (701) 234-56-78', '+7 701 234 56 78', '87012345678', '7012345678' → '+77012345678';
    anything else comes back as typed (without punctuation) for the validator to refuse."""
    text = PHONE_PUNCTUATION.sub("", value or "")
    digits = text.removeprefix("+")
    if text.startswith("+7") and len(digits) == 11 and digits.isdigit():
        return "+" + digits
    if not text.startswith("+") and digits.isdigit():
        if len(digits) == 11 and digits[0] in "78":
            return "+7" + digits[1:]
        if len(digits) == 10 and digits[0] == "7":
            return "+7" + digits
    return text


class PhoneField(forms.CharField):
    """A mobile number in any usual spelling, cleaned to +7XXXXXXXXXX."""

    default_validators = [validate_phone]

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 30)
        super().__init__(**kwargs)

    def to_python(self, value):
        return normalize_phone(super().to_python(value))


class TengeField(forms.CharField):
    """An amount in tenge ('1 234,56', '1234.56') cleaned to integer tiyn (None when optional
    and empty); "1e5" and other non-amounts are a field error."""

    def __init__(self, *, allow_zero: bool = True, **kwargs):
        kwargs.setdefault("max_length", 30)
        self.allow_zero = allow_zero
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        try:
            tiyn = tenge_to_tiyn(value)
        except (ValueError, TypeError):
            raise forms.ValidationError(MSG_AMOUNT, code="amount") from None
        if tiyn < 0 or (tiyn == 0 and not self.allow_zero):
            raise forms.ValidationError(MSG_AMOUNT_NEGATIVE, code="negative")
        if tiyn > MAX_AMOUNT_TIYN:
            raise forms.ValidationError(MSG_AMOUNT, code="amount")
        return tiyn


class OwnLanguageForm(forms.Form):
    """A staff member's own language ("My language"): nothing else can be named."""

    language = forms.ChoiceField(
        label=_("My language"), choices=NATIVE_NAMES, widget=forms.RadioSelect,
        help_text=_("The interface opens in it when you sign in; emails addressed to you are "
                    "written in it. Notices to your organisation keep its own language."),
    )  # fmt: skip
