"""How a borrower pays: the recipient's details from settings.PAYMENT_DETAILS and the case
reference, as rows for the page, one text block for copying, and a QR code of the same text
(segno, rendered here as inline SVG so the page needs no script and no outside service)."""

from __future__ import annotations

import io

import segno
from django.conf import settings
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _


def payment_instructions(*, reference: str, amount_text: str | None = None) -> dict:
    """{"rows": [(label, value)], "text": copyable text, "qr_svg": safe SVG markup}."""
    details = settings.PAYMENT_DETAILS
    rows = [
        (_("Recipient"), details["recipient"]),
        (_("Recipient's BIN"), details["bin"]),
        (_("IBAN"), details["iban"]),
        (_("Bank"), details["bank"]),
        (_("Payment purpose code (KNP)"), details["knp"]),
        (_("Payment reference"), reference),
    ]
    if amount_text:
        rows.append((_("Amount"), amount_text))
    text = "\n".join(f"{label}: {value}" for label, value in rows)
    buffer = io.BytesIO()
    segno.make(text, error="m").save(
        buffer, kind="svg", scale=4, border=2, xmldecl=False, svgns=True,
        title=_("QR code with the payment details"), svgclass="qr", lineclass=None,
    )  # fmt: skip
    return {"rows": rows, "text": text, "qr_svg": mark_safe(buffer.getvalue().decode())}  # noqa: S308 - segno's own SVG
