"""The notices of a plan's later life (a claim sold, a plan terminated), added to the
notification templates (`resolution.services.notifications.MESSAGES`). Bodies take
%(reference)s and their context's keys."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

MESSAGES = {
    "claim_transferred_seller": (
        _("Case %(reference)s: your claim was transferred to %(buyer)s"),
        _(
            "The ombudsman approved the transfer of your loan %(contract)s to %(buyer)s from "
            "%(on)s. Parts of later payments and their payouts go to %(buyer)s; your statements "
            "keep what you received up to then (%(kept)s). Moved to the buyer: %(moved)s; paid "
            "out to you for the time after the date (to settle with the buyer): %(paid)s."
        ),
    ),  # fmt: skip
    "claim_transferred_buyer": (
        _("Case %(reference)s: a claim was transferred to you"),
        _(
            "The ombudsman approved the transfer to you of loan %(contract)s from %(seller)s, "
            "from %(on)s. Left to be paid to you under the schedule: %(outstanding)s; moved to "
            "you now: %(moved)s. The case is on your dashboard and in your API."
        ),
    ),  # fmt: skip
    "claim_transferred_borrower": (
        _("Procedure %(reference)s: your loan %(contract)s has a new creditor"),
        _(
            "Your loan %(contract)s was sold by %(seller)s to %(buyer)s from %(on)s. Keep "
            "paying your schedule as before with the reference %(reference)s: the platform now "
            "pays that part to %(buyer)s. You now owe %(buyer)s %(outstanding)s under the "
            "schedule."
        ),
    ),  # fmt: skip
    "claim_transfer_rejected": (
        _("Case %(reference)s: the transfer of loan %(contract)s was not approved"),
        _("The ombudsman did not approve the transfer of loan %(contract)s: %(note)s"),
    ),
    "plan_terminated_borrower": (
        _("Procedure %(reference)s was ended by the ombudsman"),
        _(
            "The ombudsman ended procedure %(reference)s on %(on)s (%(ground)s). Do not make "
            "further payments under the schedule; money received after this date is held and "
            "returned. Unpaid at the end: %(owed)s."
        ),
    ),  # fmt: skip
    "plan_terminated_creditor": (
        _("Case %(reference)s terminated by the ombudsman"),
        _(
            "The ombudsman ended the procedure of case %(reference)s on %(on)s (%(ground)s). "
            "Nothing further is distributed under it. Confirmed %(debt)s, received %(received)s, "
            "unpaid %(outstanding)s (loans %(contracts)s). Report the end to the credit bureau "
            "as the law provides."
        ),
    ),  # fmt: skip
}
