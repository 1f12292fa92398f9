"""The document package (SPEC §2.6): protocol, unified schedule, mediator agreement and one
mediated agreement per creditor, as PDFs rendered by WeasyPrint.

Everything a document shows comes from `DocumentPackage.snapshot`, a JSON copy of the case
taken when the ombudsman approved it, so re-rendering gives the same bytes and the same
SHA-256. The package hash, which the borrower signs, is the SHA-256 over the documents'
"kind:creditor:sha256" lines in their fixed order.
"""

from __future__ import annotations

import hashlib
import os
from datetime import date, timedelta

from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation
from weasyprint import HTML

from finplatform.clock import BUSINESS_TZ, business_now
from finplatform.locks import lock_row, try_session_lock
from resolution import trail
from resolution.claims import Finding
from resolution.models import (
    Case,
    CaseDecision,
    CaseDocument,
    CaseStatus,
    DocumentKind,
    DocumentPackage,
)
from resolution.policy import mediator_fee_payer, policy, signing_deadline
from resolution.selectors.ombudsman import flagged_loan_ids
from resolution.selectors.plans import preview_lines
from resolution.services.consents import application_record
from resolution.services.notifications import notify_borrower
from resolution.workflow import lock_case, transition

# fontTools stamps embedded font subsets with "now" unless this is set: fix it so the same
# snapshot always gives the same bytes.
os.environ.setdefault("SOURCE_DATE_EPOCH", "1767225600")

SNAPSHOT_VERSION = 1
BY_SIGNING_DATE = "by_signing_date"  # the mediator agreement carries both fee variants
TITLES = {
    "ru": {
        DocumentKind.PROTOCOL: "Протокол решения омбудсмана",
        DocumentKind.SCHEDULE: "Единый график погашения",
        DocumentKind.MEDIATOR: "Договор с медиатором",
        DocumentKind.CREDITOR: "Медиативное соглашение с кредитором",
    },
    "kk": {
        DocumentKind.PROTOCOL: "Омбудсман шешімінің хаттамасы",
        DocumentKind.SCHEDULE: "Өтеудің бірыңғай кестесі",
        DocumentKind.MEDIATOR: "Медиатормен шарт",
        DocumentKind.CREDITOR: "Кредитормен медиативтік келісім",
    },
}


def _d(value) -> str:
    return value.strftime("%d.%m.%Y")


def plan_shares(creditors) -> tuple[list, list]:
    """From the snapshot's creditors: ([(creditor key, confirmed debt)] for creditors with
    confirmed loans, [(creditor key, case loan id, provisional debt)] per held loan), in the
    order the plan's shares are created and the documents' schedule is split."""
    debts, held = [], []
    for c in creditors:
        confirmed = c["total_tiyn"] - c.get("held_tiyn", 0)
        if confirmed > 0:
            debts.append((c["key"], confirmed))
    for c in creditors:
        for loan in c["loans"]:
            if loan.get("held"):
                held.append((c["key"], loan["case_loan"], loan["provisional_tiyn"]))
    return debts, held


def build_snapshot(*, case: Case, decision: CaseDecision) -> dict:
    """The immutable content of the documents: plain JSON, amounts in tiyn."""
    borrower = case.borrower
    loans = list(case.loans.select_related("creditor", "loan").order_by("creditor__name", "pk"))
    flagged = flagged_loan_ids(case)  # "not mine", no court decision yet: held like a dispute
    creditors: dict[str, dict] = {}
    excluded = []
    for cl in loans:
        if not cl.included:
            excluded.append({"creditor": cl.creditor.name, "contract": cl.loan.contract_number,
                             "reason": cl.exclusion_reason})  # fmt: skip
            continue
        entry = creditors.setdefault(
            str(cl.creditor_id),
            {"key": str(cl.creditor_id), "name": cl.creditor.name, "bin": cl.creditor.bin,
             "kind": cl.creditor.kind, "total_tiyn": 0, "loans": []},
        )  # fmt: skip
        # a loan still disputed goes in at its bureau figure, its share held until decided
        held = cl.confirmed_total_tiyn is None or cl.pk in flagged
        amount = cl.bureau_total_tiyn if held else cl.confirmed_total_tiyn
        entry["loans"].append({
            "contract": cl.loan.contract_number,
            "bureau_total_tiyn": cl.bureau_total_tiyn,
            "confirmed_total_tiyn": cl.confirmed_total_tiyn,
            "status": cl.confirmation_status,
            **({"held": True, "case_loan": str(cl.pk), "provisional_tiyn": amount}
               if held else {}),
            **({"fraud": True} if cl.pk in flagged else {}),
        })  # fmt: skip
        entry["total_tiyn"] += amount
        if held:
            entry["held_tiyn"] = entry.get("held_tiyn", 0) + amount
    creditor_rows = {str(cl.creditor_id): cl.creditor for cl in loans if cl.included}
    debts, held_loans = plan_shares(creditors.values())
    lines = preview_lines(
        total_tiyn=decision.total_tiyn, category=case.category,
        debts=[(creditor_rows[key], amount) for key, amount in debts]
        + [(creditor_rows[key], amount) for key, _, amount in held_loans],
        first_due=decision.first_due,
    )  # fmt: skip
    schedule = [
        {"number": line["number"], "due": _d(line["due"]), "amount_tiyn": line["amount_tiyn"],
         "parts": [line["parts"][key] for key in creditors]}
        for line in lines
    ]  # fmt: skip
    decided_by = decision.decided_by.get_full_name() or decision.decided_by.get_username() \
        if decision.decided_by else "—"  # fmt: skip
    return {
        "version": SNAPSHOT_VERSION,
        "case": {"id": str(case.pk), "reference": case.reference, "category": case.category,
                 "ombudsman": case.ombudsman},
        "borrower": {"full_name": borrower.full_name, "iin": borrower.iin,
                     "phone": borrower.phone},
        "decision": {
            "decided_at": decision.decided_at.isoformat(),
            "decided_on": _d(decision.decided_at),
            "decided_by": decided_by,
            "total_tiyn": decision.total_tiyn,
            "term_months": decision.term_months,
            "monthly_tiyn": decision.monthly_tiyn,
            "first_due": _d(decision.first_due),
            "table_version_id": decision.table_version_id,
            "note": decision.note,
        },
        "creditors": list(creditors.values()),
        "excluded": excluded,
        "held_tiyn": sum(c.get("held_tiyn", 0) for c in creditors.values()),
        "schedule": schedule,
        "mediator": {
            "name": policy("MEDIATOR_NAME"),
            "fee_tiyn": policy("MEDIATOR_FEE_TIYN"),
            "fee_payer": fee_payer_for_window(decision.decided_at),
            "borrower_from": _d(date.fromisoformat(policy("MEDIATOR_FEE_BORROWER_FROM"))),
        },
        "findings": _findings_texts(decision.findings),
        "consents": application_record(borrower),
    }  # fmt: skip


def fee_payer_for_window(decided_at) -> str:
    """Who pays the mediator, as the agreement states it (SPEC §1: by the signing date). When
    the package can be signed on both sides of the switch date (the 72-hour window, plus a
    day for rendering), the agreement carries both variants ("by_signing_date") and the
    signature records the one in force; otherwise the one payer."""
    start = decided_at.astimezone(BUSINESS_TZ)
    end = start + timedelta(hours=policy("SIGNING_WINDOW_HOURS") + 24)
    first, last = mediator_fee_payer(start.date()), mediator_fee_payer(end.date())
    return first if first == last else BY_SIGNING_DATE


def _findings_texts(findings: list[dict]) -> list[dict]:
    """The lawful-claims findings recorded with the decision, worded in both document
    languages (the protocol prints them)."""
    texts = []
    for data in findings:
        finding = Finding.from_json(data)
        entry = {"code": finding.code, "amount_tiyn": finding.amount_tiyn}
        for language in TITLES:
            with translation.override(language):
                entry[language] = finding.text()
        texts.append(entry)
    return texts


def document_specs(snapshot: dict) -> list[tuple[str, str | None]]:
    """(kind, creditor key) in the package's fixed order."""
    specs = [(DocumentKind.PROTOCOL, None), (DocumentKind.SCHEDULE, None),
             (DocumentKind.MEDIATOR, None)]  # fmt: skip
    specs += [(DocumentKind.CREDITOR, c["key"]) for c in snapshot["creditors"]]
    return specs


def render_pdf(*, snapshot: dict, kind: str, creditor_key: str | None, language: str) -> bytes:
    """One document's PDF bytes; a pure function of its arguments."""
    language = language if language in TITLES else "ru"
    creditor = next((c for c in snapshot["creditors"] if c["key"] == creditor_key), None)
    html = render_to_string(
        f"documents/{language}/{kind}.html",
        {"s": snapshot, "creditor": creditor, "title": TITLES[language][kind],
         "language": language},
    )  # fmt: skip
    return HTML(string=html).write_pdf()


def package_hash(documents) -> str:
    lines = "\n".join(f"{d.kind}:{d.creditor_id or '-'}:{d.sha256}" for d in documents)
    return hashlib.sha256(lines.encode()).hexdigest()


def generate_package(*, package_id) -> DocumentPackage:
    """Render every missing document, then issue the package (DOCUMENTS_ISSUED, deadline =
    issued_at + 72 h) and tell the borrower. Safe to run twice: an issued package is left
    as it is, and rendering happens outside the row lock. Two workers never render one
    package at once: the renderer holds a session advisory lock, which PostgreSQL drops if
    that worker is killed, so the recovery sweep can hand the package to another at once."""
    package = DocumentPackage.objects.get(pk=package_id)
    if package.issued_at is not None:
        return package
    with try_session_lock("documents", str(package_id)) as mine:
        if not mine:
            return package  # another worker renders it; if it dies, so does its lock
        package.refresh_from_db(fields=["issued_at"])
        if package.issued_at is not None:
            return package
        rendered = []
        for position, (kind, creditor_key) in enumerate(document_specs(package.snapshot)):
            pdf = render_pdf(snapshot=package.snapshot, kind=kind, creditor_key=creditor_key,
                             language=package.language)  # fmt: skip
            rendered.append((position, kind, creditor_key, pdf))
        with transaction.atomic():
            case = lock_case(package.case_id)
            package = lock_row(DocumentPackage, pk=package_id)
            if package.issued_at is not None or case.status != CaseStatus.UNDER_REVIEW:
                return package
            names = {c["key"]: c["name"] for c in package.snapshot["creditors"]}
            for position, kind, creditor_key, pdf in rendered:
                title = TITLES[package.language][kind]
                if creditor_key:
                    title = f"{title}: {names[creditor_key]}"
                suffix = f"-{position}" if creditor_key else ""
                CaseDocument.objects.get_or_create(
                    package=package, kind=kind, creditor_id=creditor_key,
                    defaults={"position": position, "title": title, "content": pdf,
                              "sha256": hashlib.sha256(pdf).hexdigest(), "size": len(pdf),
                              "filename": f"{case.reference}-{kind}{suffix}.pdf"},
                )  # fmt: skip
            now = business_now()
            package.package_hash = package_hash(package.documents.order_by("position"))
            package.issued_at = now
            package.signing_deadline = signing_deadline(now)
            package.save(update_fields=["package_hash", "issued_at", "signing_deadline"])
            transition(
                case_id=case.pk, to=CaseStatus.DOCUMENTS_ISSUED, actor_label="documents-worker",
                reason=f"package {package.package_hash[:12]} issued",
                reason_code=trail.DOCUMENTS_ISSUED,
                reason_args={"package": package.package_hash[:12]},
            )  # fmt: skip
            notify_borrower(
                case=case, template_key="documents_issued",
                context={"deadline": package.signing_deadline},
            )  # fmt: skip
        return package
