"""The borrower's signature on the document package: one-time codes (only their hash is
stored) and the signature record."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from finplatform.encryption import EncryptedTextField
from finplatform.models import OneTimeCode
from resolution.models.decision import DocumentPackage


class SigningMethod(models.TextChoices):
    SMS_CODE = "sms_code", _("One-time code by SMS")
    EDS = "eds", _("Electronic digital signature (EDS)")


class SigningCode(OneTimeCode):
    """A one-time code for signing; only its hash is stored."""

    package = models.ForeignKey(DocumentPackage, on_delete=models.CASCADE, related_name="codes")


class Signature(models.Model):
    package = models.OneToOneField(
        DocumentPackage, on_delete=models.PROTECT, related_name="signature"
    )
    method = models.CharField(max_length=16, choices=SigningMethod.choices)
    package_hash = models.CharField(max_length=64)
    document_hashes = models.JSONField()
    signed_at = models.DateTimeField()
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    eds_signature = EncryptedTextField(blank=True)  # encrypted at rest (finplatform.encryption)
    # who pays the mediator under the agreement as signed (SPEC §1: by the signing date)
    mediator_fee_payer = models.CharField(max_length=16, blank=True)

    class Meta:
        verbose_name = _("signature")
        verbose_name_plural = _("signatures")
