"""The case state machine: every allowed move is listed here, and `transition` is the only
code that changes `Case.status`.

A transition locks the case row (`lock_case`, FOR UPDATE), checks the move is allowed from the
state the row holds *now*, saves, and writes the audit record, all in one transaction. An
illegal move raises `IllegalTransition` and changes nothing.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from finplatform.clock import business_now
from finplatform.errors import ConflictError
from finplatform.locks import lock_row
from finplatform.roles import role_of
from resolution.models import Case, CaseStatus, CaseTransition

S = CaseStatus

ALLOWED: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.SUBMITTED}),
    S.SUBMITTED: frozenset({S.CHECKING}),
    S.CHECKING: frozenset({S.INELIGIBLE, S.AWAITING_CREDITORS}),
    S.AWAITING_CREDITORS: frozenset({S.UNDER_REVIEW}),
    S.UNDER_REVIEW: frozenset({S.DOCUMENTS_ISSUED, S.REJECTED}),
    S.DOCUMENTS_ISSUED: frozenset({S.SIGNED, S.REFUSED}),
    S.SIGNED: frozenset({S.ACTIVE}),
    S.ACTIVE: frozenset({S.COMPLETED, S.BREACHED, S.TERMINATED}),
    S.BREACHED: frozenset({S.COMPLETED, S.TERMINATED}),
    S.INELIGIBLE: frozenset(),
    S.REJECTED: frozenset(),
    S.REFUSED: frozenset(),
    S.COMPLETED: frozenset(),
    S.TERMINATED: frozenset(),
}

MSG_ILLEGAL = _("A case in state “%(current)s” cannot move to “%(target)s”.")


class IllegalTransition(ConflictError):
    pass


def lock_case(case_id) -> Case:
    """Load a case FOR UPDATE. Call inside a transaction; the one lock for cases."""
    return lock_row(Case, pk=case_id)


def actor_label_for(user) -> str:
    if user is None:
        return "system"
    return f"{role_of(user) or 'user'}:{user.get_username()}"


@transaction.atomic
def transition(
    *, case_id, to: str, actor=None, actor_label: str | None = None, reason: str = "",
    reason_code: str = "", reason_args: dict | None = None, **fields,
) -> Case:  # fmt: skip
    """Move the case to `to`, setting `fields` on it; raises IllegalTransition otherwise.
    `reason` is the audit text; `reason_code` and `reason_args` what the timeline shows in
    the reader's language (resolution/trail.py)."""
    case = lock_case(case_id)
    if to not in ALLOWED[case.status]:
        raise IllegalTransition(
            MSG_ILLEGAL % {"current": case.status, "target": to},
            code="illegal_transition",
            extra={"current": case.status, "target": to},
        )
    previous = case.status
    case.status = to
    for name, value in fields.items():
        setattr(case, name, value)
    case.save(update_fields=["status", "updated_at", *fields.keys()])
    CaseTransition.objects.create(
        case=case,
        from_status=previous,
        to_status=to,
        actor=actor,
        actor_label=actor_label or actor_label_for(actor),
        reason=reason,
        reason_code=reason_code,
        reason_args=reason_args or {},
        at=business_now(),
    )
    return case


def record_on_trail(*, case: Case, actor=None, reason: str, reason_code: str = "",
                    reason_args: dict | None = None) -> CaseTransition:  # fmt: skip
    """An audit row for a change that is not a status change (e.g. a reassignment): the
    status stays, the trail says who changed what. The caller holds the case's row lock."""
    return CaseTransition.objects.create(
        case=case,
        from_status=case.status,
        to_status=case.status,
        actor=actor,
        actor_label=actor_label_for(actor),
        reason=reason,
        reason_code=reason_code,
        reason_args=reason_args or {},
        at=business_now(),
    )
