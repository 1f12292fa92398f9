"""A loan sold to another registered creditor during the plan (claim transfer).

The seller's staff (dashboard or API) or the ombudsman's staff (admin) record the sale: the
loan, the buyer's BIN, the date it was sold from and the assignment agreement (PDF). Nothing
changes until a member of the ombudsman's staff who did not record it approves
(maker-checker). Approval, in one transaction under the case's lock:

* the plan's side (`schedules.services.transfers.apply_transfer`): the buyer becomes the
  share's creditor, the seller's money since the date not yet paid out moves to the buyer in
  one TRANSFER ledger transaction;
* the loan's creditor becomes the buyer, so the buyer's dashboard and API see the case and the
  loan; the seller keeps its statements (its ledger lines up to the date) and sees the
  transfer with its figures in its list of transfers;
* the audit trail of the case, a notice and a `claim.transferred` webhook to each creditor
  and a notice to the borrower (SMS, email and cabinet) naming whom they now owe; each once
  (dedup keys per transfer; webhooks through the outbox).
"""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from creditors.models import Creditor
from finplatform.clock import business_now
from finplatform.errors import ApplicationError, ConflictError, NotFoundError
from finplatform.locks import lock_row
from finplatform.money import format_tenge
from finplatform.uploads import Upload, read_upload
from resolution import trail
from resolution.models import CaseLoan
from resolution.services.notifications import notify_borrower, notify_creditor
from resolution.workflow import lock_case, record_on_trail
from schedules.models import ChangeStatus, ClaimTransfer, CreditorShare, RecordedVia, ShareHold
from schedules.services.transfers import MSG_NOT_PENDING, apply_transfer, check_transfer

EVENT = "claim.transferred"

MSG_NOT_FOUND = _("No such loan of yours in a signed plan.")
MSG_UNKNOWN_BUYER = _("No registered creditor has this BIN.")
MSG_SEVERAL_LOANS = _(
    "Your claim in this plan covers several loans; a transfer moves the whole claim. Record "
    "it on the ombudsman's side with all the loans sold."
)
MSG_PENDING = _("A transfer of this claim is already awaiting the ombudsman's approval.")
MSG_SAME_PERSON = _("The transfer must be approved by someone other than who recorded it.")


def read_document(upload) -> Upload:
    """The assignment agreement or termination document, checked (finplatform.uploads)."""
    return read_upload(upload, name="document.pdf")


@transaction.atomic
def record_transfer(
    *, case_loan_id, buyer_bin: str, effective_on: date, document, via: str,
    user=None, seller: Creditor | None = None,
) -> ClaimTransfer:  # fmt: skip
    """Record a sale, pending approval. `seller` (the caller's organisation) is None when the
    ombudsman's staff record it; a loan not of `seller` is not found."""
    loans = CaseLoan.objects.select_related("case", "creditor").filter(included=True)
    if seller is not None:
        loans = loans.filter(creditor=seller)
    case_loan = loans.filter(pk=case_loan_id).first()
    share = case_loan and (
        CreditorShare.objects.select_related("plan", "creditor")
        .filter(plan__case_id=case_loan.case_id, creditor_id=case_loan.creditor_id)
        .filter(hold=ShareHold.NONE)
        .first()
    )
    if share is None:
        raise NotFoundError(MSG_NOT_FOUND, code="not_found")
    buyer = Creditor.objects.filter(bin=(buyer_bin or "").strip()).first()
    if buyer is None:
        raise ApplicationError(MSG_UNKNOWN_BUYER, code="unknown_creditor")
    check_transfer(share=share, buyer=buyer, effective_on=effective_on)
    same_claim = CaseLoan.objects.filter(
        case_id=case_loan.case_id, creditor_id=case_loan.creditor_id, included=True
    )
    if same_claim.count() > 1 and via != RecordedVia.ADMIN:
        raise ConflictError(MSG_SEVERAL_LOANS, code="several_loans")
    doc = read_document(document)
    try:
        with transaction.atomic():
            return ClaimTransfer.objects.create(
                plan=share.plan, share=share, case_loan=case_loan,
                from_creditor_id=case_loan.creditor_id, to_creditor=buyer,
                effective_on=effective_on, recorded_via=via,
                recorded_by=user if getattr(user, "pk", None) else None,
                recorded_at=business_now(), document=doc.content, document_name=doc.name,
                document_sha256=doc.sha256,
            )  # fmt: skip
    except IntegrityError:
        raise ConflictError(MSG_PENDING, code="transfer_pending") from None


def _pending(transfer_id, user) -> ClaimTransfer:
    transfer = lock_row(ClaimTransfer, pk=transfer_id)
    if transfer.status != ChangeStatus.PENDING:
        raise ConflictError(MSG_NOT_PENDING, code="already_decided")
    if transfer.recorded_by_id is not None and transfer.recorded_by_id == user.pk:
        raise ConflictError(MSG_SAME_PERSON, code="maker_checker")
    return transfer


@transaction.atomic
def approve_transfer(*, transfer_id, user, note: str = "") -> ClaimTransfer:
    """The ombudsman approves a recorded sale; see the module docstring for what follows."""
    case_id = ClaimTransfer.objects.values_list("plan__case_id", flat=True).get(pk=transfer_id)
    case = lock_case(case_id)
    _pending(transfer_id, user)
    transfer = apply_transfer(transfer_id=transfer_id)
    ClaimTransfer.objects.filter(pk=transfer.pk).update(
        decided_by=user, decided_at=business_now(), decision_note=note
    )
    loans = CaseLoan.objects.filter(case=case, creditor=transfer.from_creditor, included=True)
    contracts = ", ".join(loans.values_list("loan__contract_number", flat=True).order_by("pk"))
    loans.update(creditor=transfer.to_creditor)
    seller, buyer = transfer.from_creditor, transfer.to_creditor
    record_on_trail(
        case=case, actor=user,
        reason=f"Claim ({contracts}) transferred from {seller.name} ({seller.bin}) to "
               f"{buyer.name} ({buyer.bin}) from {transfer.effective_on:%d.%m.%Y}.",
        reason_code=trail.CLAIM_TRANSFERRED,
        reason_args={"contracts": contracts, "seller": f"{seller.name} ({seller.bin})",
                     "buyer": f"{buyer.name} ({buyer.bin})",
                     "on": f"{transfer.effective_on:%d.%m.%Y}"},
    )  # fmt: skip
    _notify(case, transfer, contracts)
    return transfer


def _notify(case, transfer: ClaimTransfer, contracts: str) -> None:
    share = transfer.share
    seller, buyer = transfer.from_creditor, transfer.to_creditor
    outstanding = share.debt_tiyn - share.received_tiyn
    context = {
        "contract": contracts, "seller": seller.name, "buyer": buyer.name,
        "on": transfer.effective_on.strftime("%d.%m.%Y"),
        "kept": format_tenge(transfer.kept_tiyn), "moved": format_tenge(transfer.moved_tiyn),
        "paid": format_tenge(transfer.paid_to_seller_tiyn),
        "outstanding": format_tenge(outstanding),
    }  # fmt: skip
    payload = {
        "transfer": {
            "id": str(transfer.pk), "effective_on": transfer.effective_on.isoformat(),
            "loans": contracts.split(", ") if contracts else [],
            "seller": {"bin": seller.bin, "name": seller.name},
            "buyer": {"bin": buyer.bin, "name": buyer.name},
            "kept_by_seller_tiyn": transfer.kept_tiyn, "moved_to_buyer_tiyn": transfer.moved_tiyn,
            "paid_to_seller_after_date_tiyn": transfer.paid_to_seller_tiyn,
            "outstanding_tiyn": outstanding,
        }
    }  # fmt: skip
    for creditor, role in ((seller, "seller"), (buyer, "buyer")):
        notify_creditor(
            creditor=creditor, case=case, template_key=f"claim_transferred_{role}", event=EVENT,
            context=context, payload={**payload, "role": role}, dedup=str(transfer.pk),
        )  # fmt: skip
    notify_borrower(
        case=case, template_key="claim_transferred_borrower", context=context,
        dedup=str(transfer.pk), cabinet=True,
    )  # fmt: skip


@transaction.atomic
def reject_transfer(*, transfer_id, user, note: str) -> ClaimTransfer:
    """The ombudsman refuses a recorded sale (with a reason the seller is told)."""
    transfer = _pending(transfer_id, user)
    transfer.status = ChangeStatus.REJECTED
    transfer.decided_by, transfer.decided_at, transfer.decision_note = user, business_now(), note
    transfer.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    case = transfer.plan.case
    notify_creditor(
        creditor=transfer.from_creditor, case=case, template_key="claim_transfer_rejected",
        event="claim.transfer_rejected", dedup=str(transfer.pk),
        context={"contract": transfer.case_loan.loan.contract_number, "note": note or "—"},
        payload={"transfer": {"id": str(transfer.pk)}, "reason": note},
    )  # fmt: skip
    return transfer
