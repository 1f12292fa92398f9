"""The dev inbox (DJANGO_ENV dev/test only): what the simulated SMS gateway sent, read from the
gateway's log of sent messages (GET /sms/messages, not a test-control endpoint). Production
never routes here (portal/root_urls.py adds the page only when settings.LOCAL)."""

from __future__ import annotations

import requests
from django.conf import settings

from finplatform.devmail import sent_emails

__all__ = ["sent_emails", "sent_sms"]


def sent_sms(limit: int = 50) -> list[dict]:
    """The newest SMS first; an empty list when the simulator is not running."""
    if not settings.LOCAL:
        return []
    try:
        response = requests.get(f"{settings.SIMULATOR_URL}/sms/messages", timeout=3)
        messages = response.json().get("messages", [])
    except (requests.RequestException, ValueError, AttributeError):
        return []
    return list(reversed(messages))[:limit]
