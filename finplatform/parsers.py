"""The APIs' JSON parser (DRF's default for both APIs, REST_FRAMEWORK in settings): DRF's,
with a nesting limit checked before decoding.

Python's JSON decoder recurses once per level of nesting: a body of 100,000 `[` raised
RecursionError, a 500 with a traceback in the log for every such request. Our bodies nest at
most three deep (a batch: object, list, object), so anything past `MAX_DEPTH` is refused as
400 `parse_error` before the decoder sees it, as is a body the decoder cannot read.

The check costs a few passes of C string methods over the body: the brackets are picked out
with `bytes.translate`; a body with no more brackets than the limit (every single payment)
needs nothing more, a run of more opening brackets than the limit is refused at once, and
otherwise each `replace` pass removes the innermost pairs, so `MAX_DEPTH` passes leave an
opening bracket only if the body nests deeper or does not balance (brackets inside strings
are taken out first only when they are what spoils the count). About 40 µs for a batch of
500 payments (whose decoding takes 270 µs), under a microsecond for a single payment.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError
from rest_framework.utils import json

MAX_DEPTH = 32

MSG_TOO_DEEP = _("JSON parse error - nested more than %(depth)d levels deep.")
MSG_UNREADABLE = _("JSON parse error - the body is not valid JSON.")

# every byte but the four brackets is deleted; braces count as brackets
_ONLY_BRACKETS = bytes.maketrans(b"{}", b"[]")
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)


def _nests_within(brackets: bytes, depth: int) -> bool:
    if len(brackets) <= depth:
        return True
    if b"[" * (depth + 1) in brackets:  # the usual attack: one long run
        return False
    for _pass in range(depth):
        shorter = brackets.replace(b"[]", b"")
        if len(shorter) == len(brackets):
            break
        brackets = shorter
    return b"[" not in brackets


def nests_within(raw: bytes, depth: int = MAX_DEPTH) -> bool:
    """True if the JSON text `raw` nests at most `depth` arrays and objects deep (and its
    brackets balance as far as that is needed to tell)."""
    if _nests_within(raw.translate(_ONLY_BRACKETS, _NOT_BRACKETS), depth):
        return True
    outside_strings = _STRING.sub(b"", raw)
    return _nests_within(outside_strings.translate(_ONLY_BRACKETS, _NOT_BRACKETS), depth)


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser (the same strictness: no NaN or Infinity), with the nesting limit;
    every body it cannot read is a `ParseError` (400 `parse_error`), never a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        encoding = parsers.get_encoding(parser_context or {})
        raw = stream.read() if stream is not None else b""
        if not nests_within(raw):
            raise ParseError(MSG_TOO_DEEP % {"depth": MAX_DEPTH})
        parse_constant = json.strict_constant if self.strict else None
        try:
            return json.loads(raw.decode(encoding), parse_constant=parse_constant)
        except ValueError as exc:  # a decoding error is a ValueError too
            raise ParseError(f"JSON parse error - {exc}") from None
        except RecursionError:  # cannot happen within MAX_DEPTH; a 400 all the same
            raise ParseError(MSG_UNREADABLE) from None
