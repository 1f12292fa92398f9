"""The end of a procedure (SPEC §2 steps 10–11): what a breach or a completion sets off.

`record_ending` runs in the transaction that moves the case (resolution.services.outcomes),
once per case and kind (UNIQUE(case, kind) on `CaseEnding`; every notice, webhook and bureau
report also has its own dedup key, so a re-sent task or a second sweep adds nothing):

* a snapshot of each creditor's confirmed debt, what it received and what is outstanding;
* every creditor: dashboard notice, email and webhook `plan.breached` / `plan.completed` /
  `plan.terminated` with its own figures;
* the borrower: SMS (and email) and a cabinet notice in their language; before a breach
  notice, the missed-payment notices the plan still owed on the breach date (one per late
  instalment, oldest first: a worker that was down while they fell late sent none);
* one bureau report per included loan (`report_procedure_ended(reason="breached")` or
  `report_procedure_completed`), sent by a retrying task;
* the PDFs (breach statement: the borrower's and each creditor's own; completion
  certificate) rendered by a task from the snapshot, in Russian and Kazakh.
"""

from __future__ import annotations

import hashlib

from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from weasyprint import HTML

from bureau_gateway.adapters import get_adapter
from creditors.models import Creditor
from finplatform.clock import business_date, business_now
from finplatform.money import format_tenge
from outbox import services as outbox
from resolution.models import BureauReport, Case, CaseEnding, EndingDocument, EndingKind
from resolution.selectors.plans import creditor_balances, refund_owed_tiyn
from resolution.services import documents  # noqa: F401  (fixes SOURCE_DATE_EPOCH for PDFs)
from resolution.services.notifications import notify_borrower, notify_creditor
from resolution.services.reminders import notify_missed_payments
from schedules.models import TerminationReason

TASK_RENDER = "resolution.render_ending_documents"
TASK_BUREAU = "resolution.report_procedure_ended"
LANGUAGES = ("ru", "kk")
TITLES = {
    "ru": {EndingKind.BREACHED: "Справка о нарушении графика погашения",
           EndingKind.COMPLETED: "Справка о полном исполнении графика погашения",
           EndingKind.TERMINATED: "Справка о прекращении процедуры омбудсманом"},
    "kk": {EndingKind.BREACHED: "Өтеу кестесінің бұзылуы туралы анықтама",
           EndingKind.COMPLETED: "Өтеу кестесінің толық орындалуы туралы анықтама",
           EndingKind.TERMINATED: "Рәсімді омбудсманның тоқтатуы туралы анықтама"},
}  # fmt: skip
REFUND_NOTE = _(
    "You paid %(refund)s more than the schedule. It is owed back to you and will be "
    "transferred to the account you paid from; you will be told when it is sent."
)


def record_ending(*, case: Case, kind: str, plan=None, ground: str = "") -> CaseEnding | None:
    """Record the case's breach, completion or termination (`ground`: death, bankruptcy or
    fraud) and set off its follow-ups; None when it was recorded before. Call inside the
    transaction that moves the case."""
    if CaseEnding.objects.filter(case=case, kind=kind).exists():
        return None  # the common re-send: nothing to compute (the constraint backs this up)
    on = _ending_date(plan, kind)
    lines = creditor_balances(case)
    snapshot = {
        "case": {"id": str(case.pk), "reference": case.reference},
        "borrower": {"full_name": case.borrower.full_name, "iin": case.borrower.iin},
        "kind": kind,
        "on": on.isoformat(),
        "on_text": on.strftime("%d.%m.%Y"),
        "creditors": lines,
        "debt_tiyn": sum(r["debt_tiyn"] for r in lines),
        "received_tiyn": sum(r["received_tiyn"] for r in lines),
        "outstanding_tiyn": sum(r["outstanding_tiyn"] for r in lines),
        "refund_tiyn": refund_owed_tiyn(case),
        "ground": ground,
    }
    try:
        with transaction.atomic():
            ending = CaseEnding.objects.create(
                case=case, kind=kind, on=on, snapshot=snapshot, at=business_now()
            )
    except IntegrityError:
        return None  # recorded before: everything below was done then
    if kind == EndingKind.BREACHED and plan is not None:
        notify_missed_payments(plan=plan, on=on)  # the borrower reads them before the breach
    _notify(case, ending)
    _report_to_bureau(case, kind)
    outbox.enqueue(TASK_RENDER, str(ending.pk), dedup_key=f"ending-documents:{ending.pk}")
    return ending


def _ending_date(plan, kind):
    if plan is not None:
        on = plan.breached_on if kind == EndingKind.BREACHED else plan.completed_on
        if on is not None:
            return on
    return business_date()


def _notify(case: Case, ending: CaseEnding) -> None:
    s = ending.snapshot
    contracts = _contracts_by_creditor(case)
    for line in s["creditors"]:
        creditor = _creditor(case, line["key"])
        figures = {"debt": format_tenge(line["debt_tiyn"]),
                   "received": format_tenge(line["received_tiyn"]),
                   "outstanding": format_tenge(line["outstanding_tiyn"]), "on": s["on_text"],
                   "contracts": ", ".join(contracts.get(line["key"], [])) or "—",
                   "ground": _ground(s, creditor.notification_language)}  # fmt: skip
        notify_creditor(
            creditor=creditor, case=case,
            template_key=f"plan_{ending.kind}_creditor", event=f"plan.{ending.kind}",
            context=figures,
            payload={f"{ending.kind}_on": s["on"], **_ground_field(s),
                     "confirmed_debt_tiyn": line["debt_tiyn"],
                     "received_tiyn": line["received_tiyn"],
                     "unpaid_tiyn": line["outstanding_tiyn"],
                     "loans": contracts.get(line["key"], [])},
        )  # fmt: skip
    language = case.borrower.preferred_language
    with translation.override(language if language in ("ru", "kk", "en") else "ru"):
        owed = "; ".join(
            f"{r['name']} {format_tenge(r['outstanding_tiyn'])}"
            for r in s["creditors"] if r["outstanding_tiyn"] > 0
        )  # fmt: skip
        refund_note = str(REFUND_NOTE) % {"refund": format_tenge(s["refund_tiyn"])} \
            if s["refund_tiyn"] else ""  # fmt: skip
    notify_borrower(
        case=case, template_key=f"plan_{ending.kind}_borrower", cabinet=True,
        context={"on": s["on_text"], "owed": owed or "—", "refund_note": refund_note,
                 "ground": _ground(s, language)},
    )  # fmt: skip


def _ground_field(snapshot: dict) -> dict:
    return {"ground": snapshot["ground"]} if snapshot.get("ground") else {}


def _ground(snapshot: dict, language: str) -> str:
    """The termination's ground in the recipient's language ("" for other endings)."""
    if not snapshot.get("ground"):
        return ""
    with translation.override(language if language in ("ru", "kk", "en") else "ru"):
        return str(TerminationReason(snapshot["ground"]).label)


def _contracts_by_creditor(case: Case) -> dict[str, list[str]]:
    result: dict[str, list[str]] = {}
    for cl in case.loans.filter(included=True).select_related("loan").order_by("pk"):
        result.setdefault(str(cl.creditor_id), []).append(cl.loan.contract_number)
    return result


def _creditor(case: Case, key: str) -> Creditor:
    return Creditor.objects.get(pk=key)  # a key of the case's own plan shares


def _report_to_bureau(case: Case, kind: str) -> None:
    for case_loan in case.loans.filter(included=True).order_by("pk"):
        report, created = BureauReport.objects.get_or_create(case_loan=case_loan, event=kind)
        if created:
            outbox.enqueue(TASK_BUREAU, str(report.pk), dedup_key=f"bureau-report:{report.pk}")


def report_procedure_ended(*, report_id) -> bool:
    """Tell the credit bureau the procedure ended on one loan (completed or breached); once
    per loan and event. Raises ServiceUnavailable when the bureau is down (the task retries)."""
    report = BureauReport.objects.select_related(
        "case_loan__case__borrower", "case_loan__creditor", "case_loan__loan"
    ).get(pk=report_id)
    if report.sent_at is not None:
        return False
    cl = report.case_loan
    BureauReport.objects.filter(pk=report.pk).update(attempts=report.attempts + 1)
    ending = CaseEnding.objects.filter(case_id=cl.case_id, kind=report.event).first()
    fields = {
        "iin": cl.case.borrower.iin,
        "bureau_reference": cl.loan.bureau_reference or cl.loan.contract_number,
        "creditor_bin": cl.creditor.bin, "case_reference": cl.case.reference,
        "on": ending.on if ending else business_date(),
    }  # fmt: skip
    bureau = get_adapter("bureau")
    if report.event == EndingKind.COMPLETED:
        bureau.report_procedure_completed(**fields)
    else:
        bureau.report_procedure_ended(**fields, reason=report.event)
    BureauReport.objects.filter(pk=report.pk, sent_at__isnull=True).update(sent_at=business_now())
    return True


def render_ending_documents(*, ending_id) -> int:
    """Render the ending's PDFs that are missing (safe to run twice); returns how many."""
    ending = CaseEnding.objects.get(pk=ending_id)
    s = ending.snapshot
    targets = [None]
    if ending.kind in (EndingKind.BREACHED, EndingKind.TERMINATED):
        targets += [line["key"] for line in s["creditors"]]
    have = {(str(c) if c else None, lang)
            for c, lang in ending.documents.values_list("creditor_id", "language")}  # fmt: skip
    made = 0
    for creditor_key in targets:
        for language in LANGUAGES:
            if (creditor_key, language) in have:
                continue
            pdf = render_pdf(ending=ending, creditor_key=creditor_key, language=language)
            suffix = f"-{creditor_key[:8]}" if creditor_key else ""
            EndingDocument.objects.get_or_create(
                ending=ending, creditor_id=creditor_key, language=language,
                defaults={"title": TITLES[language][ending.kind], "content": pdf,
                          "sha256": hashlib.sha256(pdf).hexdigest(), "size": len(pdf),
                          "filename": f"{s['case']['reference']}-{ending.kind}{suffix}-"
                                      f"{language}.pdf"},
            )  # fmt: skip
            made += 1
    return made


def render_pdf(*, ending: CaseEnding, creditor_key: str | None, language: str) -> bytes:
    """One PDF of the ending: all creditors (the borrower's) or one creditor's own line."""
    s = ending.snapshot
    lines = [r for r in s["creditors"] if creditor_key is None or r["key"] == creditor_key]
    html = render_to_string(
        f"documents/{language}/{ending.kind}.html",
        {"s": s, "lines": lines, "title": TITLES[language][ending.kind], "language": language,
         "for_creditor": creditor_key is not None},
    )  # fmt: skip
    return HTML(string=html).write_pdf()
