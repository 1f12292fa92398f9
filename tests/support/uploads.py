"""Hostile uploads for the upload-safety tests of every upload path."""

from __future__ import annotations

from datetime import date

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from resolution.services.termination import request_termination
from resolution.services.transfers import record_transfer
from schedules.models import RecordedVia
from tests.factories import UserFactory
from tests.support.endings import active_plan, almaty_noon
from tests.support.ledger import new_creditor

LIMIT = 10 * 1024 * 1024
PDF_BYTES = b"%PDF-1.7\n% a small document\n%%EOF\n"
HTML = b"<!doctype html><script>alert(document.cookie)</script>"
# a file name that tries to climb out of its folder, break out of the download header and be long
HOSTILE_NAME = '..\\..\\etc\\x"; filename=evil.html' + "a" * 300 + ".pdf"


def pdf(name="agreement.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def attacks():
    """(what, upload, the field message expected) for every refusal, each a fresh file."""
    return [
        ("oversize", pdf(content=PDF_BYTES + b"0" * LIMIT), "larger than 10 MB"),
        ("wrong magic", pdf(content=b"GIF89a\x01\x00\x01\x00 not a pdf"), "not a PDF"),
        ("html as pdf", pdf("statement.pdf", HTML), "not a PDF"),
        ("svg as pdf", pdf("scan.pdf", b'<svg xmlns="http://www.w3.org/2000/svg" '
                                       b'onload="alert(1)"/>'), "not a PDF"),
    ]  # fmt: skip


def assert_safe_name(name: str, ext=".pdf"):
    """A stored name: no folders, no quoting, at most 100 characters, the right extension."""
    assert "/" not in name and "\\" not in name and ".." not in name
    assert '"' not in name and ";" not in name and len(name) <= 100 and name.endswith(ext)


def assert_safe_download(response, content=PDF_BYTES, content_type="application/pdf"):
    assert response.status_code == 200
    assert response.content == content
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"


def recorded_transfer_and_termination():
    """A signed plan with a claim transfer and a termination recorded, each with PDF_BYTES."""
    with time_machine.travel(almaty_noon(date(2026, 1, 20)), tick=False):
        world = active_plan((60_000_000, 40_000_000))
    with time_machine.travel(almaty_noon(date(2026, 2, 10)), tick=False):
        transfer = record_transfer(
            case_loan_id=world.loans[0].pk, buyer_bin=new_creditor().bin,
            effective_on=date(2026, 2, 5), document=pdf(), via=RecordedVia.DASHBOARD,
            seller=world.creditors[0], user=UserFactory(),
        )  # fmt: skip
        termination = request_termination(case_id=world.case.pk, reason="death",
                                           details="certificate", document=pdf(),
                                           user=UserFactory())  # fmt: skip
    return world, transfer, termination
