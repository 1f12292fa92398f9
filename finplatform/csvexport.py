"""CSV downloads: one way to start the attachment and write rows, so every export treats
text the same way.

Text cells that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first) get a
leading quote; such text can come from outside (a payment provider's idempotency key, a
creditor's contract number). Numbers, dates and `Decimal`s are written as they are, so a
negative amount stays a number.
"""

from __future__ import annotations

import csv

from django.http import HttpResponse

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value):
    if value is None:
        return ""
    if isinstance(value, str) and value[:1] in FORMULA_STARTS:
        return "'" + value
    return value


class SafeWriter:
    """csv.writer whose text cells cannot become spreadsheet formulas."""

    def __init__(self, out):
        self._writer = csv.writer(out)

    def writerow(self, row) -> None:
        self._writer.writerow([safe_cell(value) for value in row])


def csv_attachment(filename: str) -> tuple[HttpResponse, SafeWriter]:
    """A UTF-8 CSV response offered as `filename`, and the writer to fill it."""
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response, SafeWriter(response)
