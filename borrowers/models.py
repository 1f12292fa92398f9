import uuid

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from finplatform.encryption import EncryptedJSONField
from finplatform.kzid import validate_iin
from finplatform.language import Language

phone_validator = RegexValidator(
    r"^\+7\d{10}$", _("Enter a Kazakhstan mobile number as +7XXXXXXXXXX.")
)


class SocialStatus(models.TextChoices):
    NONE = "none", _("General terms")
    VULNERABLE = "vulnerable", _("Socially vulnerable")
    ASP = "asp", _("Receives targeted social assistance (ASP)")


class IdentificationMethod(models.TextChoices):
    EDS = "eds", _("Electronic digital signature (EDS)")
    BIOMETRIC = "biometric", _("Biometric match (ЦОИД)")
    TWO_FACTOR = "two_factor", _("Real-time check of personal data and face image")
    # Before ДС-352 was followed: an SMS code alone. No longer identifies anyone; kept so
    # that old rows still read (migration 0005 made those borrowers identify again).
    SMS_OPERATOR = "sms_operator", _("One-time code to an operator-confirmed phone")


class Borrower(models.Model):
    """A citizen using the portal. The IIN is fixed at registration: nobody edits it. The
    `full_name` is the legal name every document carries: each identification sets it from
    the identity source or the state register (borrowers/identification.py), so the name
    typed at registration never reaches a document; `full_name_verified_at` says when (empty
    for an account identified before that rule, until its next identification or check)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="borrower"
    )
    iin = models.CharField(_("IIN"), max_length=12, unique=True, validators=[validate_iin])
    full_name = models.CharField(_("full name"), max_length=200)
    full_name_verified_at = models.DateTimeField(
        _("name taken from state records at"), null=True, blank=True,
        help_text=_("Empty: the name was typed by the borrower and is not verified yet."),
    )  # fmt: skip
    phone = models.CharField(_("mobile phone"), max_length=12, validators=[phone_validator])
    email = models.EmailField(_("email"), blank=True)
    preferred_language = models.CharField(
        _("language"), max_length=2, choices=Language.choices, default=Language.RUSSIAN
    )
    identified_at = models.DateTimeField(_("identified at"), null=True, blank=True)
    identification_method = models.CharField(
        _("identified by"), max_length=16, choices=IdentificationMethod.choices, blank=True
    )
    social_status = models.CharField(
        _("social status"), max_length=16, choices=SocialStatus.choices, default=SocialStatus.NONE
    )
    social_status_source = models.CharField(
        _("social status verified by"), max_length=100, blank=True,
        help_text=_("The government-data source that confirmed the status; empty if unverified."),
    )  # fmt: skip
    social_status_verified_at = models.DateTimeField(
        _("social status verified at"), null=True, blank=True
    )
    data_consent_at = models.DateTimeField(_("consent to data collection"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("borrower")
        verbose_name_plural = _("borrowers")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(iin__regex=r"^[0-9]{12}$"), name="borrower_iin_12_digits"
            ),
            models.CheckConstraint(
                condition=models.Q(social_status="none")
                | models.Q(social_status_verified_at__isnull=False),
                name="borrower_social_status_verified",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def is_identified(self) -> bool:
        return self.identified_at is not None

    @property
    def is_vulnerable(self) -> bool:
        return self.social_status != SocialStatus.NONE


class ComplaintStatus(models.TextChoices):
    OPEN = "open", _("Received, awaiting an answer")
    EXTENDED = "extended", _("Answer period extended")
    ANSWERED = "answered", _("Answered")


class Complaint(models.Model):
    """A written complaint from the cabinet. Answered within 15 working days, extendable
    once by 15 more with notice to the borrower; in Kazakh or the complaint's language."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    borrower = models.ForeignKey(Borrower, on_delete=models.PROTECT, related_name="complaints")
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("complaint"), max_length=10_000)
    language = models.CharField(_("language of the complaint"), max_length=2,
                                choices=Language.choices)  # fmt: skip
    status = models.CharField(
        _("status"), max_length=16, choices=ComplaintStatus.choices, default=ComplaintStatus.OPEN
    )
    received_at = models.DateTimeField(_("received at"))
    due_on = models.DateField(_("answer due by"))
    extended_at = models.DateTimeField(_("extended at"), null=True, blank=True)
    extension_reason = models.TextField(_("why the period was extended"), blank=True)
    answer = models.TextField(_("answer"), blank=True)
    answer_language = models.CharField(_("language of the answer"), max_length=2,
                                       choices=Language.choices, blank=True)  # fmt: skip
    appeal_info = models.TextField(_("how to appeal"), blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        ordering = ["due_on", "received_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="answered", answered_at__isnull=False)
                | (~models.Q(status="answered") & models.Q(answered_at__isnull=True)),
                name="complaint_answered_has_time",
            ),
            models.CheckConstraint(
                condition=~models.Q(status="extended") | models.Q(extended_at__isnull=False),
                name="complaint_extension_recorded",
            ),
        ]

    def __str__(self) -> str:
        return self.subject


class ComplaintMessage(models.Model):
    """The conversation under a complaint: the borrower's follow-ups and staff replies."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")  # fmt: skip
    from_staff = models.BooleanField(default=False)
    body = models.TextField(max_length=10_000)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "pk"]


class EnrolmentPurpose(models.TextChoices):
    REGISTER = "register", _("Registration")
    RESET = "reset", _("Password reset")


class Enrolment(models.Model):
    """A registration or password reset waiting for identification (borrowers/enrolment.py).
    No account is created or changed until the person proves the IIN is theirs, so nobody
    can hold someone else's IIN. The new password is kept only as a Django password hash."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    purpose = models.CharField(max_length=8, choices=EnrolmentPurpose.choices)
    iin = models.CharField(max_length=12, validators=[validate_iin])
    full_name = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=12, validators=[phone_validator])
    email = models.EmailField(blank=True)
    language = models.CharField(max_length=2, choices=Language.choices, default=Language.RUSSIAN)
    password_hash = models.CharField(max_length=256)
    consent_at = models.DateTimeField(null=True, blank=True)
    code_hash = models.CharField(max_length=64, blank=True)
    code_expires_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    # the person typed the code texted to `phone`: proof they hold it (identifies nobody)
    phone_confirmed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("registration or password reset")
        verbose_name_plural = _("registrations and password resets")


class HelpKind(models.TextChoices):
    CALLBACK = "callback", _("Call me back")
    VISIT = "visit", _("In-person visit")


class HelpRequest(models.Model):
    """A person who could not pass identification online asks staff to call back or to book an
    in-person visit; staff see it in the admin's "needs a person" list. One open request per
    IIN and kind (asking twice changes nothing)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=16, choices=HelpKind.choices)
    iin = models.CharField(_("IIN"), max_length=12, validators=[validate_iin])
    phone = models.CharField(_("phone"), max_length=16)
    full_name = models.CharField(_("full name"), max_length=200, blank=True)
    reason = models.CharField(_("what went wrong"), max_length=40, blank=True)
    language = models.CharField(_("language"), max_length=2, choices=Language.choices,
                                default=Language.RUSSIAN)  # fmt: skip
    borrower = models.ForeignKey(Borrower, on_delete=models.PROTECT, null=True, blank=True,
                                 related_name="help_requests")  # fmt: skip
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)
    handled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+")  # fmt: skip

    class Meta:
        verbose_name = _("help request")
        verbose_name_plural = _("help requests")
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["iin", "kind"],
                condition=models.Q(handled_at__isnull=True),
                name="helprequest_one_open_per_iin_and_kind",
            ),  # fmt: skip
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.iin}"


class IdentificationPurpose(models.TextChoices):
    REGISTER = "register", _("Registration")
    RESET = "reset", _("Password reset")
    IDENTIFY = "identify", _("Identification")
    PHONE_CHANGE = "phone_change", _("Phone change")
    PAYOUT_DETAILS = "payout_details", _("Refund IBAN change")


class Identification(models.Model):
    """One passed remote identification (ДС-352; borrowers/identification.py): the method
    (EDS, ЦОИД biometrics or the two-factor check), the mobile operator's confirmation that
    the phone is registered to the IIN, when, and the evidence (provider references,
    certificate, challenge — encrypted). `challenge_key` is unique: a challenge identifies once."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    borrower = models.ForeignKey(Borrower, on_delete=models.PROTECT, related_name="identifications")
    iin = models.CharField(max_length=12, validators=[validate_iin])
    purpose = models.CharField(max_length=16, choices=IdentificationPurpose.choices)
    method = models.CharField(max_length=16, choices=IdentificationMethod.choices)
    phone = models.CharField(max_length=12, validators=[phone_validator])
    operator_confirmed_at = models.DateTimeField()
    challenge_key = models.CharField(max_length=64, unique=True)
    evidence = EncryptedJSONField()
    identified_at = models.DateTimeField()

    class Meta:
        verbose_name = _("identification")
        verbose_name_plural = _("identifications")
        ordering = ["-identified_at"]


# --- consent as data (borrowers/consents.py) ---


class ConsentPurpose(models.TextChoices):
    PROCESSING = "processing", _("Processing of personal data")
    BUREAU = "bureau", _("Credit bureau and government data requests")
    NOTIFICATIONS = "notifications", _("Reminders and notices")


class ConsentText(models.Model):
    """One version of the words of one consent, in ru/kk/en. Never edited once accepted: a new
    wording is a new version (the latest one by `effective_from` is offered)."""

    purpose = models.CharField(_("purpose"), max_length=16, choices=ConsentPurpose.choices)
    version = models.PositiveSmallIntegerField(_("version"))
    text_ru = models.TextField(_("text (Russian)"))
    text_kk = models.TextField(_("text (Kazakh)"))
    text_en = models.TextField(_("text (English)"))
    effective_from = models.DateTimeField(_("offered from"))

    class Meta:
        verbose_name = _("consent text")
        verbose_name_plural = _("consent texts")
        ordering = ["purpose", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["purpose", "version"], name="consenttext_version_once"),
        ]

    def __str__(self) -> str:
        return f"{self.purpose} v{self.version}"

    def text(self, language: str) -> str:
        return getattr(self, f"text_{language}", None) or self.text_ru


class ConsentMethod(models.TextChoices):
    REGISTRATION = "registration", _("Registration form")
    APPLICATION = "application", _("Application form")
    CABINET = "cabinet", _("My consents page")


class ConsentAcceptance(models.Model):
    """A borrower accepted one version of one consent: when and how; withdrawn when
    `withdrawn_at` is set (a withdrawal closes every active version of the purpose). The
    latest active row of a purpose is the consent in force."""

    borrower = models.ForeignKey(Borrower, on_delete=models.PROTECT, related_name="consents")
    purpose = models.CharField(_("purpose"), max_length=16, choices=ConsentPurpose.choices)
    text = models.ForeignKey(ConsentText, on_delete=models.PROTECT, related_name="acceptances")
    accepted_at = models.DateTimeField(_("accepted at"))
    method = models.CharField(_("how"), max_length=16, choices=ConsentMethod.choices)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("consent given")
        verbose_name_plural = _("consents given")
        ordering = ["purpose", "-accepted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["borrower", "text"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="consent_one_active_per_version",
            ),  # fmt: skip
        ]
