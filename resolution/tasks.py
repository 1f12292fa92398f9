"""Background jobs of the resolution app. Tasks take ids and are safe to run twice."""

from celery import shared_task
from django.conf import settings

from bureau_gateway.interfaces import ServiceUnavailable
from resolution import services


@shared_task(
    bind=True,
    name="resolution.tasks.run_eligibility_check",
    autoretry_for=(ServiceUnavailable,),  # BureauUnavailable and other outages; nothing else
    retry_backoff=settings.ELIGIBILITY_RETRY_BACKOFF_SECONDS,
    retry_backoff_max=3600,
    retry_jitter=False,
    max_retries=settings.ELIGIBILITY_MAX_RETRIES,
    acks_late=True,
    time_limit=120,
    soft_time_limit=100,
)
def run_eligibility_check(self, case_id: str) -> dict:
    """Fetch the credit report and decide eligibility for one case (see services)."""
    check = services.run_eligibility_check(
        case_id=case_id, final_attempt=self.request.retries >= self.max_retries
    )
    if check is None:
        return {"case_id": case_id, "state": None}
    return {"case_id": case_id, "state": check.state, "eligible": check.eligible}


@shared_task(name="resolution.tasks.resume_stalled_checks", time_limit=60, soft_time_limit=50)
def resume_stalled_checks() -> int:
    """Periodic sweep (finplatform/celery.py): re-enqueue eligibility checks left stalled."""
    return len(services.resume_stalled_checks())
