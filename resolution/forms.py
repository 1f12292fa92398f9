from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

MSG_CONSENT = _("The application needs your consent to collect and check your data.")


class ApplicationForm(forms.Form):
    consent = forms.BooleanField(
        label=_(
            "I consent to the platform requesting my credit report from the credit bureau and "
            "my social status from government data, and sharing my loan data with my creditors "
            "and the ombudsman"
        ),
        error_messages={"required": MSG_CONSENT},
    )
    declared_vulnerable = forms.BooleanField(
        label=_("I am socially vulnerable or receive targeted social assistance (ASP)"),
        help_text=_("We check this with government data; you do not need to upload anything."),
        required=False,
    )
    declared_monthly_income = forms.DecimalField(
        label=_("Monthly income, KZT"), required=False, min_value=Decimal("0"),
        max_digits=14, decimal_places=2,
        help_text=_("Optional. Shown to the ombudsman to judge the debt burden."),
    )  # fmt: skip
