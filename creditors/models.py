import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from finplatform.encryption import EncryptedTextField
from finplatform.kzid import validate_bin, validate_iin
from finplatform.language import Language


class Ombudsman(models.TextChoices):
    BANKING = "banking", _("Banking ombudsman")
    MICROFINANCE = "microfinance", _("Microfinance ombudsman")


class CreditorKind(models.TextChoices):
    BANK = "bank", _("Bank")
    MFO = "mfo", _("Microfinance organisation")
    COLLECTOR = "collector", _("Collection agency")


class Creditor(models.Model):
    """A bank, MFO or collection agency. Its staff see only its own loans and cases."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=200)
    bin = models.CharField(_("BIN"), max_length=12, unique=True, validators=[validate_bin])
    kind = models.CharField(_("kind"), max_length=16, choices=CreditorKind.choices)
    ombudsman = models.CharField(
        _("ombudsman"), max_length=16, choices=Ombudsman.choices,
        help_text=_("Banks fall under the banking ombudsman, MFOs under the microfinance one."),
    )  # fmt: skip
    email = models.EmailField(_("notification email"), blank=True)
    notification_language = models.CharField(
        _("language of notifications"), max_length=2, choices=Language.choices,
        default=Language.RUSSIAN,
        help_text=_("Notices on the dashboard and by email are written in this language."),
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("creditor")
        verbose_name_plural = _("creditors")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(bin__regex=r"^[0-9]{12}$"), name="creditor_bin_12_digits"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class CreditorStaff(models.Model):
    """A user working for exactly one creditor organisation."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="creditor_staff"
    )
    creditor = models.ForeignKey(Creditor, on_delete=models.PROTECT, related_name="staff")
    position = models.CharField(_("position"), max_length=100, blank=True)
    preferred_language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.RUSSIAN,
        help_text=_("The interface after sign-in and emails to this person are in this language."),
    )  # fmt: skip

    class Meta:
        verbose_name = _("creditor staff member")
        verbose_name_plural = _("creditor staff")

    def __str__(self) -> str:
        return f"{self.user.get_username()} ({self.creditor})"


class LoanKind(models.TextChoices):
    CONSUMER = "consumer", _("Consumer loan")
    CAR = "car", _("Car loan")
    MORTGAGE = "mortgage", _("Mortgage")
    BUSINESS = "business", _("Business loan")


class Loan(models.Model):
    """A creditor's loan to a borrower, as the credit bureau reports it. Money in tiyn."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    creditor = models.ForeignKey(Creditor, on_delete=models.PROTECT, related_name="loans")
    original_creditor = models.ForeignKey(
        Creditor, on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        help_text=_("For a loan a collection agency bought: who lent it first."),
    )  # fmt: skip
    borrower_iin = models.CharField(_("borrower IIN"), max_length=12, validators=[validate_iin])
    contract_number = models.CharField(_("contract number"), max_length=64)
    bureau_reference = models.CharField(_("bureau reference"), max_length=64, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=LoanKind.choices)
    secured = models.BooleanField(_("secured by collateral"), default=False)
    currency = models.CharField(_("currency"), max_length=3, default="KZT")
    principal_tiyn = models.BigIntegerField(_("principal, tiyn"))
    interest_tiyn = models.BigIntegerField(_("interest, tiyn"))
    penalty_tiyn = models.BigIntegerField(_("penalties, tiyn"))
    total_tiyn = models.BigIntegerField(_("total outstanding, tiyn"))
    overdue_days = models.PositiveIntegerField(_("days overdue"), default=0)
    opened_on = models.DateField(_("opened on"))
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("loan")
        verbose_name_plural = _("loans")
        ordering = ["opened_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["creditor", "contract_number"], name="loan_contract_unique_per_creditor"
            ),
            models.CheckConstraint(condition=models.Q(currency="KZT"), name="loan_currency_kzt"),
            models.CheckConstraint(
                condition=models.Q(
                    principal_tiyn__gte=0, interest_tiyn__gte=0, penalty_tiyn__gte=0
                ),
                name="loan_components_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    total_tiyn=models.F("principal_tiyn")
                    + models.F("interest_tiyn")
                    + models.F("penalty_tiyn")
                ),
                name="loan_total_is_sum_of_components",
            ),
        ]
        indexes = [models.Index(fields=["borrower_iin"])]

    def __str__(self) -> str:
        return f"{self.creditor} № {self.contract_number}"


class PayoutDetailsStatus(models.TextChoices):
    PROPOSED = "proposed", _("Awaiting a second approver")
    ACTIVE = "active", _("Active")
    REJECTED = "rejected", _("Rejected")
    SUPERSEDED = "superseded", _("Replaced by newer details")


class PayoutDetails(models.Model):
    """Where a creditor's money goes. A change takes effect only when a second person of the
    same creditor approves it (maker–checker): a changed account number is how money goes
    astray. Rows are never edited after the decision; history is the list of rows."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    creditor = models.ForeignKey(Creditor, on_delete=models.PROTECT, related_name="payout_details")
    iban = models.CharField(_("IBAN"), max_length=20)
    bank_bic = models.CharField(_("bank BIC"), max_length=11)
    bank_name = models.CharField(_("bank"), max_length=200)
    beneficiary_name = models.CharField(_("beneficiary"), max_length=200)
    # Optional: the beneficiary's BIN as the creditor gave it (it can only be the creditor's).
    beneficiary_bin = models.CharField(_("beneficiary BIN"), max_length=12, blank=True)
    status = models.CharField(max_length=16, choices=PayoutDetailsStatus.choices,
                              default=PayoutDetailsStatus.PROPOSED)  # fmt: skip
    proposed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    related_name="+")  # fmt: skip
    proposed_at = models.DateTimeField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")  # fmt: skip
    decided_at = models.DateTimeField(null=True, blank=True)
    rejection_reason = models.TextField(blank=True)

    class Meta:
        verbose_name = _("payout details")
        verbose_name_plural = _("payout details")
        ordering = ["-proposed_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["creditor"],
                condition=models.Q(status="active"),
                name="payout_details_one_active_per_creditor",
            ),  # fmt: skip
            models.UniqueConstraint(
                fields=["creditor"],
                condition=models.Q(status="proposed"),
                name="payout_details_one_pending_per_creditor",
            ),  # fmt: skip
            models.CheckConstraint(
                condition=models.Q(decided_by__isnull=True)
                | ~models.Q(decided_by=models.F("proposed_by")),
                name="payout_details_checker_is_not_maker",
            ),
            models.CheckConstraint(
                condition=models.Q(status="proposed", decided_by__isnull=True)
                | (~models.Q(status="proposed") & models.Q(decided_by__isnull=False)),
                name="payout_details_decision_recorded",
            ),
            models.CheckConstraint(
                condition=models.Q(iban__regex=r"^KZ[0-9]{5}[0-9A-Z]{13}$"),
                name="payout_details_iban_shape",
            ),
            models.CheckConstraint(
                condition=models.Q(beneficiary_bin="")
                | models.Q(beneficiary_bin__regex=r"^[0-9]{12}$"),
                name="payout_details_beneficiary_bin_shape",
            ),
        ]


class ApiKey(models.Model):
    """A per-organisation key for the creditor REST API. Only a prefix (to find the row) and
    the SHA-256 of the whole key are stored; the key itself is shown once, at creation."""

    creditor = models.ForeignKey(Creditor, on_delete=models.CASCADE, related_name="api_keys")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(_("prefix"), max_length=16, unique=True)
    key_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self) -> str:
        return f"{self.creditor} · {self.name} ({self.prefix}…)"


class WebhookEndpoint(models.Model):
    """Where a creditor wants events POSTed. Bodies are signed with `secret` (HMAC-SHA256),
    kept encrypted at rest like every other secret the platform must read back."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    creditor = models.ForeignKey(Creditor, on_delete=models.CASCADE, related_name="webhooks")
    url = models.URLField(_("URL"), max_length=500)
    secret = EncryptedTextField()
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")


class WebhookDelivery(models.Model):
    """One event to one endpoint, and how its delivery went (the delivery log)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Failed")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.CharField(max_length=64)
    event_id = models.CharField(max_length=200)
    body = models.TextField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event_id"], name="webhook_event_once"),
        ]
