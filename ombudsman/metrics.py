"""The Prometheus endpoint: request metrics (finplatform/metrics.py) and business gauges
computed from the database at scrape time — each a few indexed COUNTs, nothing heavier (the
ledger reconciliation runs hourly from beat; its latest result is read here)."""

from __future__ import annotations

from datetime import timedelta

import redis
from django.conf import settings
from django.db.models import Count, Min, Sum
from django.http import HttpResponse
from django.views.decorators.http import require_GET
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily

from finplatform.celery import app
from finplatform.clock import business_now
from finplatform.metrics import allowed, request_registry
from finplatform.models import TaskRun
from finplatform.queues import ALL_QUEUES
from finplatform.taskruns import periodic_task_names
from outbox.models import OutboxMessage
from resolution.models import Case, CaseStatus, CreditorRequest, DocumentPackage
from schedules.models import IncomingPayment, PaymentStatus

RECONCILE_TASK = "schedules.reconcile_ledger"


def _gauge(name: str, doc: str, labels=(), rows=()) -> GaugeMetricFamily:
    family = GaugeMetricFamily(name, doc, labels=list(labels))
    for label_values, value in rows:
        family.add_metric(list(label_values), value)
    return family


class BusinessCollector:
    def collect(self):
        now = business_now()
        counts = dict(Case.objects.values_list("status").annotate(n=Count("pk")))
        yield _gauge("finplatform_cases", "Cases by status", ["status"],
                     (((s,), counts.get(s, 0)) for s in CaseStatus.values))  # fmt: skip
        overdue = CreditorRequest.objects.filter(
            answered_at__isnull=True, deemed_at__isnull=True, deadline__lt=now
        ).count()
        yield _gauge("finplatform_creditor_answers_overdue",
                     "Requests to creditors past their answer deadline, unanswered",
                     rows=[((), overdue)])  # fmt: skip
        soon = DocumentPackage.objects.filter(
            case__status=CaseStatus.DOCUMENTS_ISSUED,
            signing_deadline__gte=now,
            signing_deadline__lt=now + timedelta(hours=settings.METRICS_SIGNING_SOON_HOURS),
        ).count()
        yield _gauge("finplatform_packages_near_signing_deadline",
                     "Issued, unsigned packages whose signing deadline is near",
                     rows=[((), soon)])  # fmt: skip
        yield from self._outbox(now)
        yield from self._sweeps(now)
        yield from self._payments()
        yield self._queues()

    def _outbox(self, now):
        pending = OutboxMessage.objects.filter(dispatched_at__isnull=True).aggregate(
            n=Count("pk"), oldest=Min("created_at")
        )
        age = (now - pending["oldest"]).total_seconds() if pending["oldest"] else 0
        yield _gauge("finplatform_outbox_backlog", "Outbox messages not yet published",
                     rows=[((), pending["n"])])  # fmt: skip
        yield _gauge("finplatform_outbox_oldest_age_seconds",
                     "Age of the oldest unpublished outbox message", rows=[((), age)])  # fmt: skip

    def _sweeps(self, now):
        runs = {run.name: run for run in TaskRun.objects.all()}
        ages = [((name,), (now - runs[name].finished_at).total_seconds())
                for name in sorted(periodic_task_names(app)) if name in runs]  # fmt: skip
        yield _gauge("finplatform_sweep_seconds_since_finished",
                     "Seconds since each periodic task last finished successfully",
                     ["task"], ages)  # fmt: skip
        run = runs.get(RECONCILE_TASK)
        result = (run.result or {}) if run else {}
        if run is not None:
            yield _gauge("finplatform_ledger_reconciliation_ok",
                         "1 when the latest ledger reconciliation was clean",
                         rows=[((), 1 if result.get("ok") else 0)])  # fmt: skip
            yield _gauge("finplatform_ledger_reconciliation_failed_checks",
                         "Checks that failed in the latest ledger reconciliation",
                         rows=[((), len(result.get("failed") or []))])  # fmt: skip

    def _payments(self):
        booked = IncomingPayment.objects.exclude(status=PaymentStatus.REVERSED).aggregate(
            n=Count("pk"), tiyn=Sum("amount_tiyn")
        )
        count = CounterMetricFamily(
            "finplatform_payments_booked", "Incoming payments booked in the ledger (not reversed)"
        )
        count.add_metric([], booked["n"])
        yield count
        amount = CounterMetricFamily("finplatform_payments_booked_tiyn",
                                     "Amount of the incoming payments booked, tiyn")  # fmt: skip
        amount.add_metric([], booked["tiyn"] or 0)
        yield amount

    def _queues(self):
        broker = redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=2)
        family = GaugeMetricFamily(
            "finplatform_celery_queue_length", "Messages waiting in each queue", labels=["queue"]
        )
        try:
            for queue in ALL_QUEUES:
                family.add_metric([queue], broker.llen(queue))
        except redis.RedisError:
            pass  # broker down: the queue gauges go absent, which alerts on their own
        finally:
            broker.close()
        return family


@require_GET
def metrics_view(request):
    if not allowed(request):
        response = HttpResponse(status=401)
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    business = CollectorRegistry(auto_describe=False)
    business.register(BusinessCollector())
    body = generate_latest(request_registry()) + generate_latest(business)
    return HttpResponse(body, content_type=CONTENT_TYPE_LATEST)
