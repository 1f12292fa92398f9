"""The audit log of every exchange with an outside system: what we asked, what came back and
when. Rows are written in their own autocommit step, outside the caller's business
transaction, so a rollback there does not erase the evidence of what the outside said."""

import hashlib
import hmac

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from finplatform.encryption import EncryptedJSONField, EncryptedTextField


def subject_hash(subject: str) -> str:
    """A keyed hash of an IIN or phone: lets audit find one person's exchanges without the
    audit table listing identifiers in clear."""
    return hmac.new(settings.SECRET_KEY.encode(), subject.encode(), hashlib.sha256).hexdigest()


class BureauExchange(models.Model):
    service = models.CharField(_("service"), max_length=16)  # bureau | government | identity | sms
    method = models.CharField(max_length=8)
    endpoint = models.CharField(_("endpoint"), max_length=300)
    subject_hash = models.CharField(max_length=64, blank=True, db_index=True)
    # what was sent and received (selfie tokens, EDS signatures, credit reports): encrypted at rest
    request_body = EncryptedJSONField(null=True, blank=True)
    status = models.PositiveSmallIntegerField(
        _("HTTP status"), null=True, blank=True, help_text=_("Empty when no answer came.")
    )
    body = EncryptedJSONField(_("response body"), null=True, blank=True)
    raw_body = EncryptedTextField(_("response text, when not JSON"), blank=True)
    error = models.CharField(_("error"), max_length=300, blank=True)
    requested_at = models.DateTimeField(_("requested at"), db_index=True)
    duration_ms = models.PositiveIntegerField(_("duration, ms"))

    class Meta:
        verbose_name = _("exchange with an outside system")
        verbose_name_plural = _("exchanges with outside systems")
        ordering = ["-requested_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.method} {self.endpoint} → {self.status or self.error}"
