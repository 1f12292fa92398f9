"""The readable side of the document package: for each document, the facts a borrower needs
on a phone (who, how much, how long, monthly amount, each creditor's share, who pays the
mediator), read from the package's immutable snapshot — the same data the PDFs render from,
so the summary and the signed PDF cannot disagree."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

FEE_PAYER = {
    "ombudsman": _("The ombudsman pays the mediator's fee; you pay nothing for it."),
    "borrower": _("You pay the mediator's fee."),
    "by_signing_date": _(
        "Who pays the mediator's fee depends on the signing date: the ombudsman before "
        "%(date)s, you from that date."
    ),
}


def _fee_payer_text(mediator: dict) -> str:
    text = FEE_PAYER.get(mediator.get("fee_payer"), "")
    return str(text) % {"date": mediator.get("borrower_from", "")} if text else ""


def summaries(snapshot: dict, documents) -> list[dict]:
    """[{"document", "facts", "creditors", "creditor"}] in the documents' order. `creditors`
    lists each creditor's share of the debt and of the first monthly payment; `creditor` is the
    one a mediated agreement is made with (None for the common documents)."""
    decision = snapshot["decision"]
    first = snapshot["schedule"][0] if snapshot.get("schedule") else None
    total = sum(c["total_tiyn"] for c in snapshot["creditors"]) or 1
    shares = []
    for index, creditor in enumerate(snapshot["creditors"]):
        shares.append({
            "key": creditor["key"], "name": creditor["name"], "bin": creditor["bin"],
            "debt_tiyn": creditor["total_tiyn"],
            "monthly_tiyn": first["parts"][index] if first else None,
            "percent": round(100 * creditor["total_tiyn"] / total, 1),
        })  # fmt: skip
    facts = {
        "borrower": snapshot["borrower"]["full_name"],
        "total_tiyn": decision["total_tiyn"],
        "term_months": decision["term_months"],
        "monthly_tiyn": decision["monthly_tiyn"],
        "first_due": decision["first_due"],
        "mediator": snapshot["mediator"]["name"],
        "fee_tiyn": snapshot["mediator"]["fee_tiyn"],
        "fee_payer": _fee_payer_text(snapshot["mediator"]),
    }
    by_key = {s["key"]: s for s in shares}
    return [
        {"document": d, "facts": facts, "creditors": shares,
         "creditor": by_key.get(str(d.creditor_id)) if d.creditor_id else None}
        for d in documents
    ]  # fmt: skip
