"""Keep personal data out of logs: IINs/BINs (12 digits) and Kazakhstan phone numbers are
masked in every record before any handler formats it."""

import logging
import re

_TWELVE_DIGITS = re.compile(r"(?<!\d)\d{12}(?!\d)")
# +7 / 8 / URL-encoded %2B7 (urllib3 logs query strings: found by tests/reliability), and bare
# 11-digit mobile numbers (77XXXXXXXXX) as some systems write them.
_PHONE = re.compile(
    r"(?<!\d)(?:(?:\+|%2[Bb])7|8)[\s-]?\(?\d{3}\)?[\s-]?\d{3}[\s-]?\d{2}[\s-]?\d{2}(?!\d)"
    r"|(?<!\d)77\d{9}(?!\d)"
)


def mask_pii(text: str) -> str:
    text = _TWELVE_DIGITS.sub(lambda m: m.group()[:2] + "**********", text)
    return _PHONE.sub("+7**********", text)


class MaskPIIFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_pii(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True
