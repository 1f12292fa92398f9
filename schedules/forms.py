from django import forms
from django.utils.translation import gettext_lazy as _


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
