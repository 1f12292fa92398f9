"""Ombudsman staff: the audit of senior staff looking into another ombudsman's queue (see
`resolution.models.StaffQueueAccess`; the admin decides what is "another queue", this writes
the row), and a staff member's own language."""

from __future__ import annotations

from django.db import transaction

from creditors.services import MSG_LANGUAGE, MSG_NOT_STAFF
from finplatform.clock import business_now
from finplatform.errors import ApplicationError, NotFoundError
from finplatform.language import Language
from resolution.models import OmbudsmanStaff, StaffQueueAccess
from resolution.selectors.ombudsman import own_queue


def record_queue_access(*, user, model: str, object_ids: list, path: str) -> StaffQueueAccess:
    """Write one audit row: `user` was shown `object_ids` of `model` from another queue on
    the page `path`. Append-only (a trigger refuses UPDATE and DELETE)."""
    return StaffQueueAccess.objects.create(
        user=user, own_ombudsman=own_queue(user) or "", model=model,
        object_ids=[str(pk) for pk in object_ids], path=path[:500], at=business_now(),
    )  # fmt: skip


@transaction.atomic
def set_ombudsman_staff_language(*, user, language: str) -> OmbudsmanStaff:
    """The signed-in ombudsman staff member's own language (the admin after sign-in and
    emails to them). Only the caller's own row can change: there is no one else to name."""
    if language not in Language.values:
        raise ApplicationError(MSG_LANGUAGE, code="language_unknown")
    staff = OmbudsmanStaff.objects.select_for_update().filter(user=user).first()
    if staff is None:
        raise NotFoundError(MSG_NOT_STAFF, code="not_ombudsman_staff")
    staff.preferred_language = language
    staff.save(update_fields=["preferred_language"])
    return staff
