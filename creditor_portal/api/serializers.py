from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from creditors.models import WebhookDelivery, WebhookEndpoint
from finplatform.money import MAX_AMOUNT_TIYN
from finplatform.uploads import UploadSerializerField
from resolution.models import Case, CaseDocument, CaseLoan, DebtConfirmation
from resolution.selectors.changes import termination_of
from schedules.models import ClaimTransfer, PartAllocation, TerminationReason


class ApiKeyRefSerializer(serializers.Serializer):
    prefix = serializers.CharField(help_text="the key's public prefix (`<prefix>.<secret>`)")
    name = serializers.CharField(help_text="the name the key was issued under")


class ConfirmationSerializer(serializers.ModelSerializer):
    case_loan = serializers.UUIDField(source="case_loan_id", read_only=True)
    api_key = ApiKeyRefSerializer(
        read_only=True, allow_null=True,
        help_text="via 'api': the organisation's API key the answer came with (a revoked key "
        "still shows); null for answers made otherwise",
    )  # fmt: skip

    class Meta:
        model = DebtConfirmation
        fields = ["id", "case_loan", "action", "principal_tiyn", "interest_tiyn",
                  "penalty_tiyn", "total_tiyn", "overdue_principal_tiyn",
                  "overdue_interest_tiyn", "comment", "via", "api_key", "at"]  # fmt: skip


class AnswerWarningSerializer(serializers.Serializer):
    code = serializers.CharField(
        help_text="'over_debt_cap': with the figures confirmed so far (loans not yet answered "
        "at the bureau's figure) the case's total is over the eligibility cap"
    )
    message = serializers.CharField(help_text="for people, in the caller's language")
    cap_tiyn = serializers.IntegerField(help_text="the eligibility cap in force")


class AnswerSerializer(ConfirmationSerializer):
    """The answer as recorded, with warnings: a correction that takes the case's total over
    the eligibility cap is recorded, but the ombudsman cannot approve the case at that total
    and the borrower is told."""

    warnings = serializers.SerializerMethodField()

    class Meta(ConfirmationSerializer.Meta):
        fields = [*ConfirmationSerializer.Meta.fields, "warnings"]

    @extend_schema_field(AnswerWarningSerializer(many=True))
    def get_warnings(self, obj) -> list:
        return self.context.get("warnings", [])


class HeldShareSerializer(serializers.Serializer):
    provisional_tiyn = serializers.IntegerField(help_text="the loan's figure in the plan")
    held_tiyn = serializers.IntegerField(help_text="its parts of the payments so far, held")


class FraudFlagSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=["open", "written_off", "rejected"],
        help_text="open: no court decision yet, the loan is held out of the plan; "
        "written_off: a court found the loan is not the borrower's (written off, the credit "
        "history corrected); rejected: a court found it is the borrower's",
    )
    statement = serializers.CharField(help_text="the borrower's statement")
    flagged_at = serializers.DateTimeField()
    accrual_stopped_on = serializers.DateField(
        help_text="from this day interest accrual and claims work on the loan stop"
    )
    court_decision_number = serializers.CharField(allow_blank=True)
    court_decision_date = serializers.DateField(allow_null=True)


class CaseLoanSerializer(serializers.ModelSerializer):
    case = serializers.UUIDField(source="case_id", read_only=True)
    share_held = serializers.SerializerMethodField(
        help_text="A loan still disputed when the case was signed: its share of every payment "
        "is held (not paid out) until the ombudsman decides; null otherwise."
    )
    case_reference = serializers.CharField(source="case.reference", read_only=True)
    contract_number = serializers.CharField(source="loan.contract_number", read_only=True)
    loan = serializers.UUIDField(source="loan_id", read_only=True)
    confirmations = ConfirmationSerializer(many=True, read_only=True)
    fraud_flag = serializers.SerializerMethodField(
        help_text="The borrower's statement that this loan is not theirs (taken out in their "
        "name by someone else), and the court decision on it; null when not flagged."
    )

    class Meta:
        model = CaseLoan
        fields = ["id", "case", "case_reference", "loan", "contract_number", "included",
                  "bureau_principal_tiyn", "bureau_interest_tiyn", "bureau_penalty_tiyn",
                  "bureau_total_tiyn", "confirmation_status", "confirmed_total_tiyn",
                  "confirmations", "share_held", "fraud_flag"]  # fmt: skip
        extra_kwargs = {
            "confirmation_status": {
                "help_text": "the creditor's answer (pending, confirmed, corrected, disputed, "
                "deemed_confirmed), replaced by the ombudsman's decision on a disputed or "
                "fraud-flagged loan: included (confirmed_total_tiyn is the amount decided) or "
                "excluded (left out of the plan); 'disputed' always means not decided yet"
            },
        }

    @extend_schema_field(FraudFlagSerializer(allow_null=True))
    def get_fraud_flag(self, obj):
        flag = getattr(obj, "fraud_flag", None)  # a reverse one-to-one: None when absent
        return None if flag is None else FraudFlagSerializer(flag).data

    @extend_schema_field(HeldShareSerializer(allow_null=True))
    def get_share_held(self, obj):
        share = getattr(obj, "plan_share", None)  # a reverse one-to-one: None when absent
        if share is None or share.hold != "held":
            return None
        return {"provisional_tiyn": share.provisional_tiyn, "held_tiyn": share.received_tiyn}


class CaseSerializer(serializers.ModelSerializer):
    borrower_name = serializers.CharField(source="borrower.full_name", read_only=True)
    answer_deadline = serializers.SerializerMethodField()

    class Meta:
        model = Case
        fields = ["id", "reference", "status", "borrower_name", "total_debt_tiyn",
                  "submitted_at", "answer_deadline"]  # fmt: skip

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_answer_deadline(self, case):
        requests = getattr(case, "my_requests", None) or []
        # as every other time of the API: Almaty time with its offset (+05:00)
        return (
            serializers.DateTimeField().to_representation(requests[0].deadline)
            if requests
            else None
        )


class TerminationSerializer(serializers.Serializer):
    ground = serializers.ChoiceField(choices=TerminationReason.choices, source="reason")
    terminated_on = serializers.DateField()


class CaseDetailSerializer(CaseSerializer):
    loans = serializers.SerializerMethodField()
    termination = serializers.SerializerMethodField(
        help_text="status 'terminated': the ombudsman ended the plan (death, bankruptcy or "
        "fraud); nothing further is distributed. null otherwise."
    )

    class Meta(CaseSerializer.Meta):
        fields = [*CaseSerializer.Meta.fields, "loans", "termination"]

    @extend_schema_field(TerminationSerializer(allow_null=True))
    def get_termination(self, case):
        termination = termination_of(case) if case.status == "terminated" else None
        return None if termination is None else TerminationSerializer(termination).data

    @extend_schema_field(CaseLoanSerializer(many=True))
    def get_loans(self, case):
        return CaseLoanSerializer(self.context["loans"], many=True).data


class OverdueSplitSerializer(serializers.Serializer):
    """Optional on a confirmation or a correction: how much of the principal and of the
    interest is overdue — a payment pays overdue principal, overdue interest, penalties,
    then current principal and interest (MFO rules). Without it, all of it counts as overdue
    when the loan was overdue at the bureau, else as current."""

    overdue_principal_tiyn = serializers.IntegerField(
        min_value=0, max_value=MAX_AMOUNT_TIYN, required=False, allow_null=True, default=None
    )
    overdue_interest_tiyn = serializers.IntegerField(
        min_value=0, max_value=MAX_AMOUNT_TIYN, required=False, allow_null=True, default=None
    )


class CorrectionSerializer(OverdueSplitSerializer):
    # Bounded like the payments API (100 billion tenge): a larger figure is a 400, not a
    # bigint overflow in the database.
    principal_tiyn = serializers.IntegerField(min_value=0, max_value=MAX_AMOUNT_TIYN)
    interest_tiyn = serializers.IntegerField(min_value=0, max_value=MAX_AMOUNT_TIYN)
    penalty_tiyn = serializers.IntegerField(min_value=0, max_value=MAX_AMOUNT_TIYN)
    comment = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


class DisputeSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class PartAllocationSerializer(serializers.ModelSerializer):
    """One line of the split of a creditor's part of a payment (MFO rules order: overdue
    principal, overdue interest, penalty, current principal, current interest, costs). The
    lines of one transaction sum exactly to the part; a reversal's lines are negative."""

    transaction = serializers.UUIDField(source="transaction_id", read_only=True)
    kind = serializers.CharField(source="transaction.kind", read_only=True,
                                 help_text="payment | refund | reversal")  # fmt: skip
    case_loan = serializers.UUIDField(source="case_loan_id", read_only=True, allow_null=True)
    contract_number = serializers.SerializerMethodField()

    class Meta:
        model = PartAllocation
        fields = ["transaction", "kind", "booked_on", "case_loan", "contract_number",
                  "component", "amount_tiyn"]  # fmt: skip

    def get_contract_number(self, obj) -> str:
        return obj.case_loan.loan.contract_number if obj.case_loan_id else ""


class DocumentSerializer(serializers.ModelSerializer):
    class Meta:
        model = CaseDocument
        fields = ["id", "kind", "title", "filename", "sha256", "size"]


class WebhookEndpointSerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookEndpoint
        fields = ["id", "url", "active", "created_at"]
        read_only_fields = ["id", "active", "created_at"]


class WebhookEndpointCreatedSerializer(WebhookEndpointSerializer):
    class Meta(WebhookEndpointSerializer.Meta):
        fields = [*WebhookEndpointSerializer.Meta.fields, "secret"]
        read_only_fields = [*WebhookEndpointSerializer.Meta.read_only_fields, "secret"]


class WebhookDeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = ["id", "event", "event_id", "status", "attempts", "last_status_code",
                  "last_error", "created_at", "delivered_at"]  # fmt: skip


class PartySerializer(serializers.Serializer):
    bin = serializers.CharField()
    name = serializers.CharField()


class ClaimTransferSerializer(serializers.ModelSerializer):
    """A claim the caller sold or bought. The seller keeps its history up to the date (its
    statements); from approval later parts and payouts go to the buyer."""

    role = serializers.SerializerMethodField(help_text="'seller' or 'buyer': the caller's side")
    case = serializers.UUIDField(source="plan.case_id", read_only=True)
    case_reference = serializers.CharField(source="plan.case.reference", read_only=True)
    case_loan = serializers.UUIDField(source="case_loan_id", read_only=True)
    contract_number = serializers.CharField(source="case_loan.loan.contract_number", read_only=True)
    seller = PartySerializer(source="from_creditor", read_only=True)
    buyer = PartySerializer(source="to_creditor", read_only=True)

    class Meta:
        model = ClaimTransfer
        fields = ["id", "role", "case", "case_reference", "case_loan", "contract_number",
                  "seller", "buyer", "effective_on", "status", "recorded_via", "recorded_at",
                  "decided_at", "decision_note", "kept_tiyn", "moved_tiyn",
                  "paid_to_seller_tiyn", "document_name", "document_sha256"]  # fmt: skip
        extra_kwargs = {
            "kept_tiyn": {"help_text": "received by the seller and staying with it"},
            "moved_tiyn": {"help_text": "credited to the seller since the date, unpaid: moved"},
            "paid_to_seller_tiyn": {
                "help_text": "paid out to the seller for money since the date: to settle"
            },
        }

    @extend_schema_field(serializers.ChoiceField(choices=["seller", "buyer"]))
    def get_role(self, obj) -> str:
        return "seller" if obj.from_creditor_id == self.context["creditor"].pk else "buyer"


class ClaimTransferCreateSerializer(serializers.Serializer):
    case_loan = serializers.UUIDField(help_text="one of the caller's loans in a signed plan")
    buyer_bin = serializers.RegexField(r"^\d{12}$", help_text="the buyer's BIN (registered)")
    effective_on = serializers.DateField(help_text="sold from (not before signing, not future)")
    document = UploadSerializerField(
        help_text="the assignment agreement: a PDF (checked by its first bytes), at most 10 MB; "
        "anything else is a 400 with the reason under fields.document"
    )
