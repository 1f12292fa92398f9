"""Per-organisation API keys: issue and revoke. A key reads `<prefix>.<secret>`; only the
prefix and the SHA-256 of the whole key are stored, and the plaintext is shown once.
(The API's authentication that checks them is creditor_portal/api/auth.py.)"""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction

from creditors.models import ApiKey, Creditor
from finplatform.clock import business_now


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def create_api_key(*, creditor: Creditor, name: str) -> tuple[ApiKey, str]:
    """A new key for `creditor`; returns the row and the plaintext key (shown once)."""
    prefix = secrets.token_hex(4)
    key = f"{prefix}.{secrets.token_urlsafe(32)}"
    row = ApiKey.objects.create(creditor=creditor, name=name, prefix=prefix, key_hash=hash_key(key))
    return row, key


@transaction.atomic
def revoke_api_key(*, api_key: ApiKey) -> None:
    ApiKey.objects.filter(pk=api_key.pk, revoked_at__isnull=True).update(revoked_at=business_now())
