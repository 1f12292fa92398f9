"""Plan variations, steps 1–3 (issue 14): the borrower asks, the ombudsman proposes, the
creditors may object. Signing the agreement is in `variation_signing`.

* `request_variation`: the borrower of an ACTIVE case with an active plan asks for a payment
  holiday (1–3 months), a lower instalment, or an arrears catch-up (only while the oldest
  arrears are under 40 days late), with a reason and income evidence (PDF, JPEG or PNG).
  One open variation per case (a partial unique index backs the check).
* `propose_variation`: staff compute the new timetable with the schedule engine from the
  outstanding balance (before/after kept on the variation); the objection window opens:
  midnight after the Nth working day (policy, 10), counted on the one calendar.
* `object_to_variation`: a creditor of the plan objects, with a reason, before the window
  closes: the variation is blocked and the borrower and the proposing staff member are told.
* `close_variations_at_plan_end`: the plan was paid in full, breached or terminated while a
  variation was open: it closes with a status that says so and leaves the ombudsman's queue.
The sweep that deems silence consent is `variation_signing.close_objection_windows`.
Every change is locked FOR UPDATE on the variation row and written to the case's trail.
"""

from __future__ import annotations

import hashlib
from datetime import date, datetime, time, timedelta

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from finplatform import idempotency
from finplatform.clock import BUSINESS_TZ, business_date, business_deadline_text, business_now
from finplatform.errors import ApplicationError, ConflictError, NotFoundError
from finplatform.language import staff_language_of
from finplatform.locks import lock_row, lock_rows
from finplatform.money import format_tenge
from finplatform.uploads import PDF_OR_IMAGE, read_upload
from finplatform.workdays import add_working_days
from resolution import trail
from resolution.models import (
    OPEN_STATUSES_OF_VARIATION,
    Case,
    CaseStatus,
    EndingKind,
    Variation,
    VariationObjection,
    VariationStatus,
)
from resolution.policy import policy, signing_deadline
from resolution.selectors.variations import live_shares, variations_for_creditor
from resolution.services.notifications import notify_address, notify_borrower, notify_creditor
from resolution.workflow import record_on_trail
from schedules import revision
from schedules.models import Plan, PlanStatus
from schedules.selectors import plan_state
from schedules.services.versions import MESSAGES as VERSION_MESSAGES
from schedules.services.versions import next_anchor, preview

MSG_NOT_ACTIVE = _("A change can be asked for only while the repayment plan is active.")
MSG_OPEN_EXISTS = _("A change of this plan is already under way.")
MSG_CATCH_UP_LATE = _("An arrears catch-up is possible only with arrears under 40 days late.")
MSG_NOT_PROPOSABLE = _("This change is not waiting for a proposal.")
MSG_WINDOW_CLOSED = _("The objection window is closed.")
MSG_NOT_YOURS = _("This change does not concern your organisation.")
MSG_REASON_REQUIRED = _("Give a reason.")
MSG_ANCHOR_TOO_EARLY = _(
    "The new timetable must start after the objection window and the 72 hours to sign."
)
MSG_ANCHOR_TOO_LATE = _("The new timetable must start within a year of the earliest possible date.")
MAX_ANCHOR_DELAY = timedelta(days=366)  # a later start is a typing error, not a plan
KIND_TO_CHANGE = {"holiday": revision.HOLIDAY, "lower": revision.LOWER,
                  "catch_up": revision.CATCH_UP}  # fmt: skip


CLOSED_BY_PLAN_END = {
    EndingKind.COMPLETED: VariationStatus.PLAN_COMPLETED,
    EndingKind.BREACHED: VariationStatus.PLAN_BREACHED,
    EndingKind.TERMINATED: VariationStatus.PLAN_TERMINATED,
}


def lock_variation(variation_id) -> Variation:
    return lock_row(Variation, pk=variation_id)


def objection_deadline(proposed_at: datetime) -> datetime:
    """Midnight (Almaty) after the Nth working day after the proposal."""
    last = add_working_days(proposed_at.astimezone(BUSINESS_TZ).date(),
                            policy("VARIATION_OBJECTION_DAYS"))  # fmt: skip
    return datetime.combine(last + timedelta(days=1), time.min, tzinfo=BUSINESS_TZ)


def change_of(variation: Variation, anchor: date) -> revision.Change:
    return revision.Change(
        kind=KIND_TO_CHANGE[variation.kind], anchor=anchor,
        holiday_months=variation.holiday_months, monthly_tiyn=variation.proposed_monthly_tiyn,
        catch_up_months=variation.catch_up_months,
    )  # fmt: skip


@transaction.atomic
def request_variation(*, case: Case, kind: str, reason: str, monthly_income_tiyn: int,
                      evidence, evidence_name: str = "", holiday_months: int = 0,
                      proposed_monthly_tiyn: int | None = None, catch_up_months: int = 3,
                      request_key: str | None = None) -> Variation:  # fmt: skip
    """The borrower's request. The caller passes the borrower's own case (scoped by the
    selector); the rules of the change itself are checked now against today's balance.
    With `request_key` (the form's one-off key) a repeat of the same request — a double
    click, a resubmitted form — answers with the variation the first one created and books
    nothing again; the same key with other answers while that one is open is the usual
    "already under way" conflict, after it closed a `KeyReused` (409)."""
    if kind not in KIND_TO_CHANGE:
        raise ApplicationError(VERSION_MESSAGES["unknown_kind"], code="unknown_kind")
    if not reason.strip():
        raise ApplicationError(MSG_REASON_REQUIRED, code="reason_required")
    upload = read_upload(evidence, name=evidence_name, allowed=PDF_OR_IMAGE, code="bad_evidence")
    holiday_months = holiday_months if kind == "holiday" else 0
    proposed_monthly_tiyn = proposed_monthly_tiyn if kind == "lower" else None
    request_hash = idempotency.fingerprint({
        "kind": kind, "reason": reason.strip(), "income": monthly_income_tiyn,
        "holiday": holiday_months, "proposed": proposed_monthly_tiyn, "catch_up": catch_up_months,
        "evidence": hashlib.sha256(upload.content).hexdigest(),
    })  # fmt: skip
    if request_key:
        earlier = _earlier_request(case=case, request_key=request_key, request_hash=request_hash)
        if earlier is not None:
            return earlier
    plan = Plan.objects.filter(case_id=case.pk).first()
    if case.status != CaseStatus.ACTIVE or plan is None or plan.status != PlanStatus.ACTIVE:
        raise ConflictError(MSG_NOT_ACTIVE, code="plan_not_active")
    today = business_date()
    if kind == "catch_up":
        state = plan_state(plan, on=today)
        if not 0 < state.days_late < 40:
            raise ConflictError(MSG_CATCH_UP_LATE, code="catch_up_not_allowed")
    variation = Variation(
        case=case, kind=kind, reason=reason.strip(), monthly_income_tiyn=monthly_income_tiyn,
        evidence=upload.content, evidence_name=upload.name, evidence_type=upload.content_type,
        holiday_months=holiday_months, proposed_monthly_tiyn=proposed_monthly_tiyn,
        catch_up_months=catch_up_months, requested_at=business_now(),
        request_key=request_key or None, request_hash=request_hash,
    )  # fmt: skip
    # the rules of the change (1–3 months, lower than now, within the cap) on today's balance
    preview(plan=plan, change=change_of(variation, next_anchor(plan, after=today)), on=today)
    try:
        with transaction.atomic():
            variation.save()
    except IntegrityError:
        raise ConflictError(MSG_OPEN_EXISTS, code="variation_open") from None
    record_on_trail(case=case, actor=case.borrower.user,
                    reason=f"variation {variation.pk} requested: {kind}",
                    reason_code=trail.VARIATION_REQUESTED,
                    reason_args={"kind": str(kind)})  # fmt: skip
    notify_borrower(case=case, template_key="variation_requested", cabinet=True,
                    dedup=str(variation.pk))  # fmt: skip
    return variation


def _earlier_request(*, case: Case, request_key: str, request_hash: str) -> Variation | None:
    """The variation an earlier submit under this key created, if it asked the same; the
    key lock serialises two submits in flight, so the second waits and finds the first."""
    idempotency.lock(f"variation-request:{case.pk}", [request_key])
    earlier = Variation.objects.filter(case_id=case.pk, request_key=request_key).first()
    if earlier is None or earlier.request_hash == request_hash:
        return earlier
    if earlier.status in OPEN_STATUSES_OF_VARIATION:
        raise ConflictError(MSG_OPEN_EXISTS, code="variation_open")
    raise idempotency.KeyReused(request_key)


def _lines(rows) -> list[dict]:
    return [{"number": n, "due": due.isoformat(), "amount_tiyn": amount} for n, due, amount in rows]


@transaction.atomic
def propose_variation(*, variation_id, staff, anchor_due: date | None = None) -> Variation:
    """Compute the new timetable and open the objection window. The new timetable starts at
    `anchor_due` (default: the first due date after the window and the 72 hours to sign)."""
    variation = lock_variation(variation_id)
    if variation.status != VariationStatus.REQUESTED:
        raise ConflictError(MSG_NOT_PROPOSABLE, code="not_proposable")
    plan = Plan.objects.get(case_id=variation.case_id)
    now = business_now()
    deadline = objection_deadline(now)
    after = (signing_deadline(deadline)).astimezone(BUSINESS_TZ).date()
    if anchor_due is not None and anchor_due <= after:
        raise ApplicationError(MSG_ANCHOR_TOO_EARLY, code="anchor_too_early",
                               extra={"after": after.isoformat()})  # fmt: skip
    latest = after + MAX_ANCHOR_DELAY
    if anchor_due is not None and anchor_due > latest:
        raise ApplicationError(MSG_ANCHOR_TOO_LATE, code="anchor_too_late",
                               extra={"latest": latest.isoformat()})  # fmt: skip
    anchor = anchor_due or next_anchor(plan, after=after)
    result = preview(plan=plan, change=change_of(variation, anchor), on=business_date())
    rev = result.revision
    variation.anchor_due = anchor
    variation.proposal = {
        "outstanding_tiyn": result.outstanding_tiyn, "cap_months": result.cap_months,
        "before": {"term_months": plan.term_months, "monthly_tiyn": plan.monthly_tiyn,
                   "lines": [{"number": n, "due": d.isoformat(), "amount_tiyn": a,
                              "outstanding_tiyn": o} for n, d, a, o in result.before]},
        "after": {"term_months": rev.term_months, "monthly_tiyn": rev.monthly_tiyn,
                  "settled": _lines(rev.settled), "lines": _lines(rev.lines)},
    }  # fmt: skip
    variation.status = VariationStatus.PROPOSED
    variation.proposed_at, variation.proposed_by = now, staff
    variation.objection_deadline = deadline
    variation.save()
    case = variation.case
    record_on_trail(case=case, actor=staff, reason=f"variation {variation.pk} proposed",
                    reason_code=trail.VARIATION_PROPOSED)  # fmt: skip
    context = {"deadline": business_deadline_text(deadline),
               "monthly": format_tenge(rev.monthly_tiyn), "term": rev.term_months}  # fmt: skip
    for creditor in {s.creditor_id: s.creditor for s in live_shares(plan)
                     }.values():  # fmt: skip
        notify_creditor(
            creditor=creditor, case=case, template_key="variation_proposed_creditor",
            event="variation.proposed", context=context, dedup=str(variation.pk),
            payload={"variation": {"id": str(variation.pk), "kind": variation.kind,
                                   "objection_deadline": deadline.isoformat()}},
        )  # fmt: skip
    notify_borrower(case=case, template_key="variation_proposed", context=context, cabinet=True,
                    dedup=str(variation.pk))  # fmt: skip
    return variation


@transaction.atomic
def decline_variation(*, variation_id, staff, reason: str) -> Variation:
    """Staff decline a request (or withdraw a proposal) with a reason the borrower reads."""
    variation = lock_variation(variation_id)
    if variation.status not in (VariationStatus.REQUESTED, VariationStatus.PROPOSED):
        raise ConflictError(MSG_NOT_PROPOSABLE, code="not_proposable")
    if not reason.strip():
        raise ApplicationError(MSG_REASON_REQUIRED, code="reason_required")
    variation.status, variation.decline_reason = VariationStatus.DECLINED, reason.strip()
    variation.closed_at = business_now()
    variation.save(update_fields=["status", "decline_reason", "closed_at"])
    record_on_trail(case=variation.case, actor=staff, reason=f"variation {variation.pk} declined",
                    reason_code=trail.VARIATION_DECLINED)  # fmt: skip
    notify_borrower(
        case=variation.case,
        template_key="variation_declined",
        cabinet=True,
        context={"reason": variation.decline_reason},
        dedup=str(variation.pk),
    )
    return variation


@transaction.atomic
def object_to_variation(*, creditor, variation_id, reason: str, user=None) -> VariationObjection:
    """A creditor of the plan objects within the window: the variation is blocked. The
    borrower is told, and the staff member who proposed it (by email)."""
    if not variations_for_creditor(creditor).filter(pk=variation_id).exists():
        raise NotFoundError(MSG_NOT_YOURS, code="variation_not_found")
    if not reason.strip():
        raise ApplicationError(MSG_REASON_REQUIRED, code="reason_required")
    variation = lock_variation(variation_id)
    now = business_now()
    if variation.status != VariationStatus.PROPOSED or now >= variation.objection_deadline:
        raise ConflictError(MSG_WINDOW_CLOSED, code="objection_window_closed")
    objection = VariationObjection.objects.create(
        variation=variation, creditor=creditor, reason=reason.strip(), by_user=user, at=now
    )
    variation.status, variation.closed_at = VariationStatus.OBJECTED, now
    variation.save(update_fields=["status", "closed_at"])
    case = variation.case
    record_on_trail(
        case=case,
        actor=user,
        reason=f"variation {variation.pk} blocked: objection by {creditor.bin}",
        reason_code=trail.VARIATION_OBJECTED,
        reason_args={"creditor": f"{creditor.name} ({creditor.bin})"},
    )
    context = {"creditor": creditor.name, "reason": objection.reason}
    notify_borrower(case=case, template_key="variation_objected", context=context, cabinet=True,
                    dedup=str(variation.pk))  # fmt: skip
    notify_staff(variation=variation, template_key="variation_objected_staff", context=context)
    return objection


def notify_staff(*, variation: Variation, template_key: str, context: dict) -> None:
    """Email the staff member who proposed the variation (once per variation and key), in
    their own language."""
    staff = variation.proposed_by
    if staff is not None and staff.email:
        notify_address(case=variation.case, email=staff.email, template_key=template_key,
                       context=context, dedup=str(variation.pk),
                       language=staff_language_of(staff) or "ru")  # fmt: skip


@transaction.atomic
def close_variations_at_plan_end(*, case: Case, ending: str) -> int:
    """The case's plan ended (`ending`: completed, breached or terminated): each variation
    still open — requested, proposed or awaiting signature — closes with the status that says
    why, so it leaves the ombudsman's queue, no sweep issues its agreement and it cannot be
    signed; the borrower's pages show that status. One line on the case's trail each.

    Idempotent: only open variations are touched, so a re-sent task closes nothing twice.
    The caller holds the case's row lock; the variations are locked after it, in pk order."""
    status = CLOSED_BY_PLAN_END[ending]
    now = business_now()
    open_ones = Variation.objects.filter(
        case_id=case.pk, status__in=OPEN_STATUSES_OF_VARIATION
    ).only("pk", "case_id", "status", "closed_at")
    closed = 0
    for variation in lock_rows(open_ones):
        variation.status, variation.closed_at = status, now
        variation.save(update_fields=["status", "closed_at"])
        record_on_trail(case=case, reason=f"variation {variation.pk} closed: the plan {ending}",
                        reason_code=trail.VARIATION_CLOSED,
                        reason_args={"ending": str(ending)})  # fmt: skip
        closed += 1
    return closed
