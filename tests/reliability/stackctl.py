"""Commands the fault-injection tests run INSIDE their private stack (its own PostgreSQL,
Redis and worker), as a separate process: `python -m tests.reliability.stackctl CMD [ARGS]`.
Each prints one JSON line. The test process itself stays on the shared test stack."""

from __future__ import annotations

import json
import os
import sys
import uuid
from datetime import timedelta

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "finplatform.settings")

import django  # noqa: E402

django.setup()


def _fresh_serials() -> None:
    """Factories count from the same start in every process; give each stackctl run its own
    block (STACKCTL_RUN, set by PrivateStack.ctl) so IINs, BINs and usernames never repeat."""
    from itertools import count

    from tests import factories

    offset = int(os.environ.get("STACKCTL_RUN", "0")) * 100
    factories._serial = count(5000 + offset)
    for factory in (factories.UserFactory, factories.BorrowerFactory, factories.CreditorFactory,
                    factories.LoanFactory):  # fmt: skip
        factory.reset_sequence(100_000 + offset)


def payments_world(plans: str = "4") -> dict:
    """A payment provider key and `plans` active plans (two creditors each)."""
    from schedules.models import PaymentProvider
    from tests.support.ledger import make_plan

    provider = PaymentProvider(code=f"fault-{uuid.uuid4().hex[:12]}", name="Fault Pay")
    key = provider.set_new_key()
    provider.save()
    refs = []
    for n in range(int(plans)):
        plan, _ = make_plan([30_000_000 + n * 1_000, 1_234_567])
        refs.append(plan.case.reference)
    return {"key": key, "refs": refs}


def approved_cases(count: str = "2") -> dict:
    """`count` cases approved by the ombudsman: each package waits to be generated (the
    outbox holds generate_documents; the fast path published it after commit)."""
    from resolution.services.decision import approve_case
    from tests.support.workflow import answer_all, awaiting_case

    cases = []
    for _ in range(int(count)):
        world = awaiting_case()
        answer_all(world, dispute_second=False)
        approve_case(case_id=world.case.pk)
        cases.append(str(world.case.pk))
    return {"cases": cases}


def issued_case(deadline_in_seconds: str = "5") -> dict:
    """A case with its package issued (rendered here) whose signing deadline is only
    `deadline_in_seconds` away."""
    from finplatform.clock import business_now
    from resolution.models import DocumentPackage
    from tests.support.workflow import issued_case as build

    world = build()
    DocumentPackage.objects.filter(case=world.case).update(
        signing_deadline=business_now() + timedelta(seconds=float(deadline_in_seconds))
    )
    return {"case": str(world.case.pk)}


def relay(older_than: str = "0") -> dict:
    from outbox.services import pending_count
    from outbox.services import relay as run

    published = run(older_than=timedelta(seconds=float(older_than)))
    return {"published": published, "pending": pending_count()}


def sweep_stuck(stuck_after: str = "0") -> dict:
    """The stuck-case sweep with a short threshold (the beat entry uses ten minutes)."""
    from resolution.services import recovery

    return {
        "documents": recovery.resume_document_generation(
            stuck_after=timedelta(seconds=float(stuck_after))
        ),
        "activated": recovery.resume_signed_cases(),
        **recovery.resend_plan_outcomes(),
    }


def send(task_name: str) -> dict:
    """Publish a task by name, as beat does."""
    from finplatform.celery import app

    return {"id": app.send_task(task_name, ignore_result=True).id}


def reconcile() -> dict:
    from schedules.reconciliation import reconcile as run

    report = run()
    return {"ok": report.ok, "failed": [c.name for c in report.checks if not c.ok]}


COMMANDS = {
    f.__name__: f
    for f in (payments_world, approved_cases, issued_case, relay, sweep_stuck, send, reconcile)
}


def main() -> None:
    command, *args = sys.argv[1:]
    _fresh_serials()
    sys.stdout.write(json.dumps(COMMANDS[command](*args), default=str) + "\n")


if __name__ == "__main__":
    main()
