from django import forms
from django.utils.translation import gettext_lazy as _

from finplatform.money import MAX_AMOUNT_TIYN, tenge_to_tiyn


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

    month = forms.ChoiceField(label=_("Month"))

    def __init__(self, *args, months=(), **kwargs):
        super().__init__(*args, **kwargs)
        from django.utils import formats

        self.fields["month"].choices = [
            (f"{m:%Y-%m}", formats.date_format(m, "YEAR_MONTH_FORMAT")) for m in months
        ]
