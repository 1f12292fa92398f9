"""Email in dev: printed to the console and kept (the newest 100) in the cache, so the dev inbox
page can show it. Settings use this backend only when DJANGO_ENV=dev."""

from __future__ import annotations

from django.core import mail
from django.core.cache import cache
from django.core.mail.backends.console import EmailBackend as ConsoleBackend
from django.utils import timezone

CACHE_KEY = "dev-inbox:emails"
KEEP = 100


class DevInboxBackend(ConsoleBackend):
    def send_messages(self, email_messages):
        sent = super().send_messages(email_messages)
        kept = cache.get(CACHE_KEY, [])
        for message in email_messages or []:
            kept.append({
                "to": ", ".join(message.to), "subject": str(message.subject),
                "body": str(message.body), "sent_at": timezone.now().isoformat(),
            })  # fmt: skip
        cache.set(CACHE_KEY, kept[-KEEP:], timeout=None)
        return sent


def sent_emails() -> list[dict]:
    """The newest first: the dev backend's cache, plus (in tests) Django's locmem outbox."""
    kept = list(cache.get(CACHE_KEY, []))
    for message in getattr(mail, "outbox", []):  # exists only under the locmem backend
        kept.append({"to": ", ".join(message.to), "subject": str(message.subject),
                     "body": str(message.body), "sent_at": ""})  # fmt: skip
    return list(reversed(kept))
