"""CSV downloads: one way to start the attachment and write rows, so every export treats
text the same way.

Text cells that a spreadsheet would run as a formula (`=`, `+`, `-`, `@`, tab, CR first) get a
leading quote; such text can come from outside (a payment provider's idempotency key, a
creditor's contract number). Numbers, dates and `Decimal`s are written as they are, so a
negative amount stays a number. The response carries the headers of every download
(finplatform.uploads.download_headers: the name per RFC 6266, nosniff, no-store).
"""

from __future__ import annotations

import csv
from decimal import Decimal

from django.http import HttpResponse

from finplatform.clock import BUSINESS_TZ
from finplatform.money import tiyn_to_decimal
from finplatform.uploads import download_headers

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
    return download_headers(response, name=filename), SafeWriter(response)


def kzt(tiyn: int | None) -> Decimal | str:
    """Money in an export: plain decimal tenge (1234567.89; a Decimal, so a negative amount
    stays a number rather than being quoted as a would-be formula), blank when there is none."""
    return "" if tiyn is None else tiyn_to_decimal(tiyn)


def local_time(moment) -> str:
    """A timestamp in an export: Almaty business time with its offset ('…T15:04:05+05:00'),
    as the screens show it, blank when there is none."""
    return "" if moment is None else moment.astimezone(BUSINESS_TZ).isoformat(timespec="seconds")
