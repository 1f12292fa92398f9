"""Reads for the ombudsman: the cases a staff member may see, the review queue, and what the
review page shows before a decision (totals, disputes, the proposed schedule, the debt
burden). Decisions themselves are in `resolution.services.decision`."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Q, QuerySet, Sum

from finplatform.clock import business_now
from resolution.models import Case, CaseLoan, CaseStatus, ConfirmationStatus
from resolution.policy import policy
from resolution.selectors.burden import case_burden
from resolution.selectors.plans import preview_lines
from schedules.table import terms_for

SENIOR_PERMISSION = "resolution.view_all_queues"


def own_queue(user) -> str | None:
    """The ombudsman whose queue the user works in, or None (no staff profile)."""
    staff = getattr(user, "ombudsman_staff", None)
    return staff.ombudsman if staff is not None else None


def is_senior(user) -> bool:
    """Senior staff (the permission, or a superuser) see every queue; the admin audits each
    look into another queue (`resolution.services.staff_access`)."""
    return user.is_active and user.has_perm(SENIOR_PERMISSION)


def cases_for_ombudsman_staff(user) -> QuerySet[Case]:
    """The cases a staff member may see: their ombudsman's; a senior sees all."""
    if is_senior(user):
        return Case.objects.all()
    queue = own_queue(user)
    if queue is None:
        return Case.objects.none()
    return Case.objects.filter(ombudsman=queue)


OPEN_FRAUD_FLAG = Q(fraud_flag__status="open")


def flagged_loan_ids(case: Case) -> set:
    """Ids of the case's loans the borrower flagged as not theirs, no court decision yet:
    held out of the plan like an undecided dispute (`resolution.services.fraud`)."""
    return set(case.loans.filter(OPEN_FRAUD_FLAG).values_list("pk", flat=True))


def undecided_disputes(case: Case) -> QuerySet[CaseLoan]:
    """Included loans the plan cannot take at a confirmed figure yet: disputed and not
    decided, or flagged as fraud with no court decision."""
    return case.loans.filter(included=True).filter(
        Q(confirmation_status=ConfirmationStatus.DISPUTED, confirmed_total_tiyn__isnull=True)
        | OPEN_FRAUD_FLAG
    )


def provisional_total(case: Case) -> int:
    """What the undecided disputed loans add to the plan if approved now: each at its bureau
    figure (the creditor disputing cannot raise the borrower's debt), held until decided."""
    return undecided_disputes(case).aggregate(s=Sum("bureau_total_tiyn"))["s"] or 0


def plan_debts(case: Case) -> tuple[list, list]:
    """(debts, held) for the plan, in the documents' order (creditor name, then id): debts is
    [(Creditor, confirmed total)] per creditor with confirmed loans; held is
    [(Creditor, case loan, bureau total)] per undecided disputed or fraud-flagged loan."""
    debts: dict = {}
    held = []
    flagged = flagged_loan_ids(case)
    loans = case.loans.filter(included=True).select_related("creditor")
    for cl in loans.order_by("creditor__name", "creditor_id", "pk"):
        if cl.pk in flagged or cl.confirmed_total_tiyn is None:
            if cl.pk in flagged or cl.confirmation_status == ConfirmationStatus.DISPUTED:
                held.append((cl.creditor, cl, cl.bureau_total_tiyn))
            continue
        creditor, amount = debts.get(cl.creditor_id, (cl.creditor, 0))
        debts[cl.creditor_id] = (creditor, amount + cl.confirmed_total_tiyn)
    return [d for d in debts.values() if d[1] > 0], held


def confirmed_total(case: Case) -> int:
    return (
        case.loans.filter(included=True, confirmed_total_tiyn__isnull=False)
        .exclude(OPEN_FRAUD_FLAG)
        .aggregate(s=Sum("confirmed_total_tiyn"))["s"]
        or 0
    )


def debt_burden(case: Case, monthly_tiyn: int | None) -> dict:
    """The debt-burden ratio as the rules compute it (resolution/burden.py): every loan the
    bureau reports, 0.25 after a delay over 90 days in the last 12 months or signs of
    gambling, official income where required, each input with its source — a warning for
    the ombudsman, never a refusal (SPEC §5)."""
    result = case_burden(case, monthly_tiyn)
    return {"ratio": result.ratio, "limit": result.limit, "long_overdue": result.long_overdue,
            "warning": result.warning, "burden": result}  # fmt: skip


def creditors_late(case: Case):
    return case.creditor_requests.filter(late=True).select_related("creditor")


def proposal(case: Case) -> dict:
    """What the ombudsman sees before approving: total, terms, the schedule it would give
    (each line with the creditors' parts), the debt-burden ratio, disputes and late creditors.
    """
    total = confirmed_total(case) + provisional_total(case)
    terms = terms_for(total_tiyn=total, category=case.category) if total > 0 else None
    lines, creditors = [], []
    if terms is not None:
        debts, held = plan_debts(case)
        shares = [*debts, *((c, amount) for c, _, amount in held)]
        creditors = list({c.pk: c for c, _ in shares}.values())
        first_due = (business_now() + timedelta(days=policy("FIRST_DUE_DAYS"))).date()
        lines = preview_lines(total_tiyn=total, category=case.category,
                              debts=shares, first_due=first_due)  # fmt: skip
        for line in lines:
            line["part_list"] = [line["parts"][str(c.pk)] for c in creditors]
    return {
        "total_tiyn": total,
        "terms": terms,
        "schedule": lines,
        "schedule_creditors": creditors,
        "debt_burden": debt_burden(case, terms.monthly_tiyn if terms else None),
        "undecided_disputes": list(undecided_disputes(case)),
        "held_tiyn": provisional_total(case),
        "late_creditors": list(creditors_late(case)),
    }


def review_queue(user) -> QuerySet[Case]:
    """Cases waiting for the ombudsman: those under review (every creditor answered), and
    signed cases with a disputed loan still to decide (its share held). Cases still waiting
    for creditors are not in it: nothing there is for the ombudsman to do yet."""
    return (
        cases_for_ombudsman_staff(user)
        .filter(Q(status=CaseStatus.UNDER_REVIEW) | Q(plan__shares__hold="held"))
        .distinct()
    )
