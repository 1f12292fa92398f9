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


class StatementPeriodForm(forms.Form):
    """A creditor's statement period: from/to dates, or a whole month (which wins)."""

    date_from = forms.DateField(label=_("From"), required=False)
    date_to = forms.DateField(label=_("To"), required=False)
    month = forms.DateField(label=_("Month"), required=False, input_formats=["%Y-%m"])

    def clean(self):
        data = super().clean()
        if data.get("month"):
            from schedules.statements import month_bounds

            data["date_from"], data["date_to"] = month_bounds(data["month"])
        elif not data.get("date_from") or not data.get("date_to"):
            raise forms.ValidationError(_("Choose a month or both dates."))
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        return data


class StatementMonthForm(forms.Form):
    """The borrower's monthly statement: a month of the plan (the choices are its months)."""

    month = forms.ChoiceField(label=_("Month"))

    def __init__(self, *args, months=(), **kwargs):
        super().__init__(*args, **kwargs)
        from django.utils import formats

        self.fields["month"].choices = [
            (f"{m:%Y-%m}", formats.date_format(m, "YEAR_MONTH_FORMAT")) for m in months
        ]
