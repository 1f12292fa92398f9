from django import forms
from django.utils.translation import gettext_lazy as _

from finplatform.iban import validate_kz_iban


class PayoutDetailsForm(forms.Form):
    iban = forms.CharField(label=_("IBAN"), max_length=34, validators=[validate_kz_iban])
    bank_bic = forms.CharField(label=_("Bank BIC"), max_length=11, min_length=8)
    bank_name = forms.CharField(label=_("Bank"), max_length=200)
    beneficiary_name = forms.CharField(label=_("Beneficiary"), max_length=200)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000)
