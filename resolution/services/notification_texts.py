"""The texts of every notification: template key -> (subject, body), translated lazily and
rendered by resolution/services/notifications.py in the reader's language."""

from django.utils.translation import gettext_lazy as _

from resolution.services.change_messages import MESSAGES as CHANGE_MESSAGES

# template key -> (subject, body). Bodies take %(reference)s and the context's keys.
MESSAGES = {
    "case_awaiting_creditors": (
        _("Your application %(reference)s was sent to your creditors"),
        _("Application %(reference)s passed the check; your creditors are confirming the debts."),
    ),
    "case_under_review": (
        _("Application %(reference)s is under ombudsman review"),
        _("All creditors answered. The ombudsman is reviewing application %(reference)s."),
    ),
    "claims_over_cap": (
        _("Application %(reference)s: the confirmed debt is over the limit"),
        _(
            "A creditor corrected loan %(contract)s: your confirmed debt is now %(total)s, over "
            "the limit of %(cap)s for this procedure. The ombudsman cannot approve the case "
            "with this total and will review the correction."
        ),
    ),  # fmt: skip
    "case_rejected": (
        _("Application %(reference)s was rejected"),
        _("The ombudsman rejected application %(reference)s: %(reason)s"),
    ),
    "documents_issued": (
        _("Documents for %(reference)s are ready to sign"),
        _("Please review and sign the documents of %(reference)s %(deadline)s."),
    ),
    "signing_reminder": (
        _("Reminder: sign the documents of %(reference)s"),
        _("The documents of %(reference)s must be signed %(deadline)s, or the application closes."),
    ),  # fmt: skip
    "case_refused": (
        _("Application %(reference)s closed: not signed in time"),
        _("The documents of %(reference)s were not signed within 72 hours; the case is closed."),
    ),
    "case_active": (
        _("Procedure %(reference)s has started"),
        _("You signed the documents of %(reference)s. Your repayment schedule is active."),
    ),
    # around the schedule (resolution.services.reminders)
    "due_reminder": (
        _("Payment of %(amount)s due on %(due_date)s"),
        _(
            "Instalment %(number)s of your schedule %(reference)s: %(amount)s is due on "
            "%(due_date)s, pay with the reference %(reference)s."
        ),
    ),  # fmt: skip
    "payment_missed": (
        _("Missed payment on %(reference)s"),
        _(
            "The instalment of %(reference)s due on %(due_date)s was not paid. Overdue now: "
            "%(overdue)s. Please pay it %(pay_by)s: otherwise on %(breach_date)s your creditors "
            "may resume collecting the debts. If you cannot pay, you have the right to ask for a "
            "change of terms: within 30 calendar days of the missed payment send a written "
            "request through Complaints and messages in your cabinet, with the reasons for the "
            "delay, your income and documents that confirm them. The answer comes within 15 "
            "calendar days; if it is a refusal, you may turn to the ombudsman within 15 "
            "calendar days."
        ),
    ),  # fmt: skip
    # the same, still owed when the plan breached: the plan has ended, so no "pay by"
    "payment_missed_at_breach": (
        _("Missed payment on %(reference)s"),
        _(
            "The instalment of %(reference)s due on %(due_date)s was not paid. Overdue: "
            "%(overdue)s. It is now over 40 days late, so the procedure has ended: the next "
            "message says what this means for you."
        ),
    ),  # fmt: skip
    "statement_ready": (
        _("Your statement for %(month)s is ready"),
        _(
            "The statement of %(reference)s for %(month)s (payments, each creditor's part, "
            "balance left) is on the schedule page of your cabinet."
        ),
    ),  # fmt: skip
    "dispute_included_borrower": (
        _("Procedure %(reference)s: a disputed loan was decided"),
        _(
            "The ombudsman included the disputed loan %(contract)s at %(amount)s. The total of "
            "your schedule is now %(total)s."
        ),
    ),  # fmt: skip
    "dispute_excluded_borrower": (
        _("Procedure %(reference)s: a disputed loan was decided"),
        _(
            "The ombudsman left the disputed loan %(contract)s out of the procedure. The total "
            "of your schedule is now %(total)s; the last instalments are lower."
        ),
    ),  # fmt: skip
    # a variation of the plan (resolution.services.variations, variation_signing)
    "variation_requested": (
        _("Procedure %(reference)s: your request to change the plan was received"),
        _("The ombudsman will review your request to change the schedule of %(reference)s."),
    ),
    "variation_proposed": (
        _("Procedure %(reference)s: a new schedule is proposed"),
        _(
            "The ombudsman proposed a new schedule for %(reference)s: %(monthly)s a month, "
            "%(term)s months in all. Creditors may object until %(deadline)s."
        ),
    ),  # fmt: skip
    "variation_declined": (
        _("Procedure %(reference)s: your request to change the plan was declined"),
        _("The ombudsman declined the change of %(reference)s: %(reason)s"),
    ),
    "variation_objected": (
        _("Procedure %(reference)s: a creditor objected to the change"),
        _(
            "%(creditor)s objected to the new schedule of %(reference)s: %(reason)s. The "
            "current schedule stays in force."
        ),
    ),  # fmt: skip
    "variation_objected_staff": (
        _("Variation of %(reference)s blocked by an objection"),
        _("%(creditor)s objected to the proposed variation of %(reference)s: %(reason)s"),
    ),
    "variation_issued": (
        _("Procedure %(reference)s: sign the variation agreement"),
        _(
            "No creditor objected. Please sign the variation agreement of %(reference)s by "
            "%(deadline)s, or the current schedule stays in force."
        ),
    ),  # fmt: skip
    "variation_signing_reminder": (
        _("Reminder: sign the variation agreement of %(reference)s"),
        _(
            "The variation agreement of %(reference)s must be signed by %(deadline)s, or the "
            "current schedule stays in force."
        ),
    ),  # fmt: skip
    "variation_signed": (
        _("Procedure %(reference)s: the new schedule is in force"),
        _("Schedule version %(version)s of %(reference)s is in force: %(monthly)s a month."),
    ),
    "variation_expired": (
        _("Procedure %(reference)s: the variation agreement was not signed"),
        _(
            "The variation agreement of %(reference)s was not signed in time; the current "
            "schedule stays in force."
        ),
    ),  # fmt: skip
    "variation_proposed_creditor": (
        _("Case %(reference)s: a change of the schedule is proposed"),
        _(
            "The ombudsman proposes a new schedule for %(reference)s (%(monthly)s a month, "
            "%(term)s months). Your share does not change. Object with a reason by "
            "%(deadline)s; silence is consent."
        ),
    ),  # fmt: skip
    "variation_signed_creditor": (
        _("Case %(reference)s: schedule version %(version)s is in force"),
        _(
            "The borrower signed the variation of %(reference)s: schedule version %(version)s, "
            "%(monthly)s a month. Your share of each payment does not change."
        ),
    ),  # fmt: skip
    # to creditors
    "dispute_included_creditor": (
        _("Case %(reference)s: your disputed loan was decided"),
        _(
            "The ombudsman included your loan %(contract)s at %(amount)s. The %(held)s held for "
            "it is released to you; later payments are paid out as usual."
        ),
    ),  # fmt: skip
    "dispute_excluded_creditor": (
        _("Case %(reference)s: your disputed loan was decided"),
        _(
            "The ombudsman left your loan %(contract)s out of the procedure: %(reason)s. The "
            "money held for it goes to the other creditors of the case."
        ),
    ),  # fmt: skip
    "creditor_loans_requested": (
        _("Case %(reference)s: please confirm the debts"),
        _(
            "A resolution procedure is pending for case %(reference)s. Confirm, correct or "
            "dispute your loans %(deadline)s; do not start new collection actions."
        ),
    ),  # fmt: skip
    "creditor_reminder": (
        _("Case %(reference)s: your answer is late"),
        _(
            "The time to confirm the debts of case %(reference)s has passed: the answer was due "
            "%(deadline)s."
        ),
    ),
    # the end of the procedure (resolution.services.endings)
    "plan_breached_borrower": (
        _("Procedure %(reference)s ended: a payment is over 40 days late"),
        _(
            "Your schedule %(reference)s is more than 40 days late, so the procedure ended on "
            "%(on)s. Each creditor may now resume collecting what you still owe it under the "
            "law: %(owed)s. The breach statement is in your cabinet."
        ),
    ),  # fmt: skip
    "plan_breached_creditor": (
        _("Case %(reference)s breached: you may resume collection"),
        _(
            "The borrower of case %(reference)s is more than 40 days late; the procedure ended "
            "on %(on)s. You may resume collecting the unpaid balance of %(outstanding)s "
            "(confirmed %(debt)s, received %(received)s). The breach statement is on your "
            "dashboard."
        ),
    ),  # fmt: skip
    "plan_completed_borrower": (
        _("Procedure %(reference)s completed: paid in full"),
        _(
            "You paid the unified schedule %(reference)s in full on %(on)s. Your completion "
            "certificate is in your cabinet. %(refund_note)s"
        ),
    ),  # fmt: skip
    "plan_completed_creditor": (
        _("Case %(reference)s completed: paid in full"),
        _(
            "The borrower of case %(reference)s paid the unified schedule in full on %(on)s: "
            "you received %(received)s of the confirmed %(debt)s. Close the loans "
            "(%(contracts)s) and report the completion to the credit bureau."
        ),
    ),  # fmt: skip
    # "this loan is not mine" (resolution.services.fraud)
    "fraud_flagged_borrower": (
        _("Application %(reference)s: loan %(contract)s flagged as not yours"),
        _(
            "We recorded your statement that loan %(contract)s is not yours. It is held out of "
            "your plan; the creditor must stop interest and collection on it. The ombudsman "
            "will record the court decision when you send it."
        ),
    ),  # fmt: skip
    "fraud_flagged_creditor": (
        _("Case %(reference)s: the borrower says loan %(contract)s is not theirs"),
        _(
            "The borrower of case %(reference)s states that loan %(contract)s was taken out in "
            "their name by someone else. The loan is held out of the plan. From %(on)s stop "
            "interest accrual and claims work on it and report the case to the police, as the "
            "regulator's rules require; after a court decision the debt is written off and the "
            "credit history corrected."
        ),
    ),  # fmt: skip
    "fraud_written_off_borrower": (
        _("Application %(reference)s: loan %(contract)s written off"),
        _(
            "Under court decision %(number)s of %(date)s loan %(contract)s is not yours: it is "
            "written off on the platform and the credit bureau is told to correct your credit "
            "history."
        ),
    ),  # fmt: skip
    "fraud_written_off_creditor": (
        _("Case %(reference)s: loan %(contract)s written off by a court decision"),
        _(
            "Court decision %(number)s of %(date)s found that loan %(contract)s was not taken "
            "by the borrower. It is written off on the platform and left out of the plan; the "
            "credit bureau is told to correct the history. Write off the debt in your books."
        ),
    ),  # fmt: skip
    "fraud_rejected_borrower": (
        _("Application %(reference)s: court decision on loan %(contract)s"),
        _(
            "Court decision %(number)s of %(date)s found that loan %(contract)s is yours. It "
            "returns to your plan under the usual rules."
        ),
    ),  # fmt: skip
    "fraud_rejected_creditor": (
        _("Case %(reference)s: loan %(contract)s is the borrower's"),
        _(
            "Court decision %(number)s of %(date)s found that loan %(contract)s is the "
            "borrower's. It returns to the plan at your confirmed figure (%(released)s held "
            "for it is released to you), or, if you disputed it, the ombudsman decides the "
            "dispute."
        ),
    ),  # fmt: skip
    "creditor_suspend_collection": (
        _("Case %(reference)s signed: suspend collection"),
        _(
            "The borrower signed case %(reference)s. Suspend collection on the included loans "
            "(%(contracts)s) and report the start of the procedure to the credit bureau."
        ),
    ),  # fmt: skip
    "refund_paid": (
        _("Refund for case %(reference)s sent"),
        _(
            "We sent %(amount)s owed back to you on case %(reference)s to your IBAN %(iban)s "
            "on %(on)s. It is on your statement."
        ),
    ),  # fmt: skip
}
MESSAGES.update(CHANGE_MESSAGES)  # a claim sold, a plan terminated
