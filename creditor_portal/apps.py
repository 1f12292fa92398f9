from django.apps import AppConfig


class CreditorPortalConfig(AppConfig):
    """The creditor's front door: staff sign-in, dashboard, exports, payouts and payout
    details, and the creditor REST API (creditor_portal.api). It owns no models."""

    name = "creditor_portal"
