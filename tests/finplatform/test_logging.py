import logging

from finplatform.logfilters import MaskPIIFilter, mask_pii


def test_iin_and_phone_are_masked():
    text = "borrower 880412412011 phone +7 701 123 45 01 paid 1200000 tiyn"
    masked = mask_pii(text)
    assert "880412412011" not in masked
    assert "701 123 45 01" not in masked
    assert "1200000" in masked  # amounts (not 12 digits) stay readable


def test_filter_masks_formatted_arguments():
    record = logging.LogRecord(
        "x", logging.INFO, __file__, 1, "checking %s", ("880412412011",), None
    )
    assert MaskPIIFilter().filter(record)
    assert "880412412011" not in record.getMessage()


def test_configured_console_handler_masks(caplog):
    from django.conf import settings

    assert "mask_pii" in settings.LOGGING["handlers"]["console"]["filters"]


def test_url_encoded_and_bare_phone_numbers_are_masked():
    masked = mask_pii(
        "GET /identity/phone-owner?iin=880412412011&phone=%2B77015550123 and 77015550123"
    )
    assert "7015550123" not in masked and "880412412011" not in masked
