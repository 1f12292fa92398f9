"""The creditor's forms: payout details, answers to a loan, the dashboard filter and the
statement period."""

from datetime import date, timedelta

from django import forms
from django.utils.translation import gettext_lazy as _

from finplatform.clock import business_date
from finplatform.forms import TengeField
from finplatform.iban import validate_kz_iban
from finplatform.kzbanks import validate_kz_bic
from finplatform.uploads import UploadField
from resolution.models import CaseStatus
from schedules.statement_months import month_bounds


class PayoutDetailsForm(forms.Form):
    """The shapes only; the rules (the bank code against the BIC, the beneficiary is the
    organisation) are the service's, and its refusals come back onto these fields."""

    iban = forms.CharField(label=_("IBAN"), max_length=34, validators=[validate_kz_iban])
    bank_bic = forms.CharField(label=_("Bank BIC"), max_length=11, validators=[validate_kz_bic])
    bank_name = forms.CharField(
        label=_("Bank"), max_length=200, required=False,
        help_text=_("Only for a bank the platform does not know: a known bank's name is taken "
                    "from the IBAN's bank code."),
    )  # fmt: skip
    beneficiary_name = forms.CharField(
        label=_("Beneficiary"), max_length=200,
        help_text=_("Your organisation's registered name: payouts go only to its own account."),
    )  # fmt: skip
    beneficiary_bin = forms.CharField(label=_("Beneficiary's BIN"), max_length=20, required=False)


class RejectForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000)


class CorrectionForm(forms.Form):
    principal = TengeField(label=_("Principal, ₸"))
    interest = TengeField(label=_("Interest, ₸"))
    penalty = TengeField(label=_("Penalties, ₸"))
    # Optional: how much of the principal and interest is overdue (paid first, MFO rules).
    overdue_principal = TengeField(label=_("Of the principal, overdue, ₸"), required=False)
    overdue_interest = TengeField(label=_("Of the interest, overdue, ₸"), required=False)
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}),
                              max_length=2000)  # fmt: skip


class DisputeForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the dispute"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip


class CaseFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any"))] + CaseStatus.choices,
        error_messages={"invalid_choice": _("Choose a status from the list.")},
    )
    needs_action = forms.BooleanField(label=_("Needs my answer"), required=False)


class StatementPeriodForm(forms.Form):
    """A creditor's statement period: from/to dates, or a whole month (which wins)."""

    date_from = forms.DateField(label=_("From"), required=False)
    date_to = forms.DateField(label=_("To"), required=False)
    month = forms.DateField(label=_("Month"), required=False, input_formats=["%Y-%m"])

    EARLIEST = date(2000, 1, 1)
    MAX_DAYS = 366  # one statement covers at most a (leap) year

    def clean(self):
        data = super().clean()
        latest = business_date() + timedelta(days=self.MAX_DAYS)
        for name in ("date_from", "date_to", "month"):
            if data.get(name) and not self.EARLIEST <= data[name] <= latest:
                self.add_error(name, _("Choose a date between %(start)s and %(end)s.") % {
                    "start": self.EARLIEST.isoformat(), "end": latest.isoformat()})  # fmt: skip
        if self.errors:
            return data
        if data.get("month"):
            data["date_from"], data["date_to"] = month_bounds(data["month"])
        elif not data.get("date_from") or not data.get("date_to"):
            raise forms.ValidationError(_("Choose a month or both dates."))
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError(_("The start date is after the end date."))
        if (data["date_to"] - data["date_from"]).days >= self.MAX_DAYS:
            raise forms.ValidationError(_("A statement covers at most 366 days."))
        return data


class TransferForm(forms.Form):
    """A loan sold to another registered creditor (recorded; the ombudsman approves)."""

    case_loan = forms.ModelChoiceField(queryset=None, label=_("Loan sold"))
    buyer_bin = forms.RegexField(r"^\d{12}$", label=_("Buyer's BIN"),
                                 error_messages={"invalid": _("A BIN has 12 digits.")})  # fmt: skip
    effective_on = forms.DateField(label=_("Sold from"),
                                   widget=forms.DateInput(attrs={"type": "date"}))  # fmt: skip
    document = UploadField(label=_("Assignment agreement (PDF)"))

    def __init__(self, *args, loans, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case_loan"].queryset = loans
        self.fields["case_loan"].label_from_instance = lambda cl: (
            f"{cl.case.reference} · {cl.loan.contract_number}"
        )


class ObjectionForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the objection"), max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip
