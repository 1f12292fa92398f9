"""The audit of senior staff looking into another ombudsman's queue (see
`resolution.models.StaffQueueAccess`). The admin decides what is "another queue"; this
writes the row."""

from __future__ import annotations

from finplatform.clock import business_now
from resolution.models import StaffQueueAccess
from resolution.selectors.ombudsman import own_queue


def record_queue_access(*, user, model: str, object_ids: list, path: str) -> StaffQueueAccess:
    """Write one audit row: `user` was shown `object_ids` of `model` from another queue on
    the page `path`. Append-only (a trigger refuses UPDATE and DELETE)."""
    return StaffQueueAccess.objects.create(
        user=user, own_ombudsman=own_queue(user) or "", model=model,
        object_ids=[str(pk) for pk in object_ids], path=path[:500], at=business_now(),
    )  # fmt: skip
