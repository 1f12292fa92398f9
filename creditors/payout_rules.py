"""What proposed payout details must satisfy, and what the approving colleague is warned about.
Pure: no queries, so the proposal, the approval and the review page apply the same rules.

Payouts go only to the creditor organisation's own account: the beneficiary is the
organisation (its registered name, or its BIN). The IBAN's bank code and the BIC must name the
same bank when the table of Kazakhstan banks (`finplatform.kzbanks`) knows either; the bank's
name then comes from the table, not from what was typed."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from finplatform.iban import normalize_iban, validate_kz_iban
from finplatform.kzbanks import bank_code, bank_for, normalize_bic, validate_kz_bic

MSG_BANK_NAME = _(
    "The platform does not know the bank with code %(code)s: give the bank's name as it "
    "appears in the account agreement."
)
MSG_NOT_THE_CREDITOR = _(
    "Payouts go only to your organisation's own account: the beneficiary must be "
    "%(name)s (BIN %(bin)s), not someone else."
)
MSG_BIN_NOT_THE_CREDITOR = _(
    "This BIN is not your organisation's (%(bin)s): payouts go only to its own account."
)
MSG_BIN_SHAPE = _("A BIN has 12 digits.")
WARN_BANK_UNKNOWN = _(
    "Bank code not recognised: %(code)s is not in the platform's table of Kazakhstan banks, "
    "so the BIC and the bank's name were not checked. Confirm the account with the bank "
    "before approving."
)
WARN_NAME_DIFFERS = _(
    "The beneficiary name differs from the organisation's registered name (%(name)s); it was "
    "accepted because the BIN is the organisation's."
)


class PayoutDetailsCode(StrEnum):
    """The stable codes of payout-details errors (`ApplicationError.code`)."""

    INVALID_IBAN = "invalid_iban"
    INVALID_BIC = "invalid_bic"
    BIC_MISMATCH = "bic_mismatch"
    BANK_NAME_REQUIRED = "bank_name_required"
    INVALID_BIN = "invalid_beneficiary_bin"
    NOT_THE_CREDITOR = "beneficiary_not_creditor"
    PENDING_EXISTS = "payout_details_pending"
    NOT_PENDING = "payout_details_not_pending"
    SAME_PERSON = "maker_checker"


class PayoutDetailsRefused(Exception):
    """One rule said no; `field` is the form field it is about."""

    def __init__(self, message: str, *, code: PayoutDetailsCode, field: str):
        super().__init__(message)
        self.message, self.code, self.field = message, code, field


@dataclass(frozen=True, slots=True)
class CheckedDetails:
    iban: str
    bank_bic: str
    bank_name: str
    beneficiary_name: str
    beneficiary_bin: str
    warnings: tuple[str, ...]


def _plain(name: str) -> str:
    """A name compared loosely: case, quotes, punctuation and spacing do not count."""
    return " ".join(re.sub(r"[\"'«»“”„.,]", " ", name).casefold().split())


def check_details(
    *, creditor_name: str, creditor_bin: str, iban: str, bank_bic: str, bank_name: str,
    beneficiary_name: str, beneficiary_bin: str,
) -> CheckedDetails:  # fmt: skip
    """The details as they will be stored, with the warnings the checker must read; raises
    PayoutDetailsRefused at the first rule broken (IBAN, BIC, bank, beneficiary)."""
    try:
        validate_kz_iban(iban)
    except ValidationError as error:
        raise PayoutDetailsRefused(
            error.messages[0], code=PayoutDetailsCode.INVALID_IBAN, field="iban"
        ) from None
    try:
        validate_kz_bic(bank_bic)
        bank = bank_for(iban, bank_bic)
    except ValidationError as error:
        code = (
            PayoutDetailsCode.BIC_MISMATCH
            if error.code == "bic_mismatch"
            else PayoutDetailsCode.INVALID_BIC
        )
        raise PayoutDetailsRefused(error.messages[0], code=code, field="bank_bic") from None
    warnings = []
    if bank is None:
        code = bank_code(iban)
        if not bank_name.strip():
            raise PayoutDetailsRefused(
                MSG_BANK_NAME % {"code": code},
                code=PayoutDetailsCode.BANK_NAME_REQUIRED, field="bank_name",
            )  # fmt: skip
        warnings.append(str(WARN_BANK_UNKNOWN % {"code": code}))
    bin_ = "".join(beneficiary_bin.split())
    if bin_ and (len(bin_) != 12 or not bin_.isdigit() or not bin_.isascii()):
        raise PayoutDetailsRefused(
            MSG_BIN_SHAPE, code=PayoutDetailsCode.INVALID_BIN, field="beneficiary_bin"
        )
    if bin_ and bin_ != creditor_bin:
        raise PayoutDetailsRefused(
            MSG_BIN_NOT_THE_CREDITOR % {"bin": creditor_bin},
            code=PayoutDetailsCode.NOT_THE_CREDITOR, field="beneficiary_bin",
        )  # fmt: skip
    if _plain(beneficiary_name) != _plain(creditor_name):
        if not bin_ or not beneficiary_name.strip():
            raise PayoutDetailsRefused(
                MSG_NOT_THE_CREDITOR % {"name": creditor_name, "bin": creditor_bin},
                code=PayoutDetailsCode.NOT_THE_CREDITOR, field="beneficiary_name",
            )  # fmt: skip
        warnings.append(str(WARN_NAME_DIFFERS % {"name": creditor_name}))
    return CheckedDetails(
        iban=normalize_iban(iban), bank_bic=normalize_bic(bank_bic),
        bank_name=bank.name if bank is not None else " ".join(bank_name.split()),
        beneficiary_name=" ".join(beneficiary_name.split()), beneficiary_bin=bin_,
        warnings=tuple(warnings),
    )  # fmt: skip
