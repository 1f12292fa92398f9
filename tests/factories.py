"""factory_boy factories for the core models. IINs and BINs come out valid."""

from datetime import date
from itertools import count

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from borrowers.models import Borrower
from creditors.models import (
    Creditor,
    CreditorKind,
    CreditorStaff,
    Loan,
    LoanKind,
    Ombudsman,
    PayoutDetails,
    PayoutDetailsStatus,
)
from finplatform.kzid import make_bin, make_iin
from resolution.models import Case, CaseLoan

_serial = count(5000)
PASSWORD = "correct-horse-battery-7"


_issued: set[str] = set()


def _unique(make) -> str:
    # make_iin/make_bin skip serials without a valid check digit, so two serials can give the
    # same number: draw again until it is new.
    while True:
        value = make(next(_serial))
        if value not in _issued:
            _issued.add(value)
            return value


def next_iin() -> str:
    return _unique(lambda serial: make_iin(date(1987, 3, 4), serial=serial))


def next_bin() -> str:
    return _unique(lambda serial: make_bin(date(2010, 7, 1), serial=serial))


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class BorrowerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Borrower
        skip_postgeneration_save = True

    iin = factory.LazyFunction(next_iin)
    user = factory.SubFactory(UserFactory, username=factory.SelfAttribute("..iin"))
    full_name = factory.Faker("name", locale="ru_RU")
    # as if taken from the state register (tests of that step pass None)
    full_name_verified_at = factory.LazyFunction(timezone.now)
    phone = factory.Sequence(lambda n: f"+7701{n:07d}")
    preferred_language = "en"  # tests read English; language tests choose ru/kk explicitly

    @factory.post_generation
    def notifications_consent(self, create, extracted, **kwargs):
        """Reminders go only with the notifications consent: given unless a test says
        `notifications_consent=False`."""
        if create and extracted is not False:
            from borrowers.consents import accept_consent

            accept_consent(borrower=self, purpose="notifications", method="application")


class CreditorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Creditor

    name = factory.Sequence(lambda n: f"Test Bank {n}")
    bin = factory.LazyFunction(next_bin)
    kind = CreditorKind.BANK
    ombudsman = Ombudsman.BANKING


def approved_payout_details(creditor, *, iban: str | None = None) -> PayoutDetails:
    """Payout details proposed by one colleague and approved by another (maker-checker), so
    the daily payout run can pay the creditor."""
    from finplatform.clock import business_now
    from finplatform.iban import make_kz_iban

    now = business_now()
    return PayoutDetails.objects.create(
        creditor=creditor, iban=iban or make_kz_iban("601", f"{int(creditor.bin):013d}"),
        bank_bic="HSBKKZKX", bank_name="Halyk Bank of Kazakhstan JSC",
        beneficiary_name=creditor.name, beneficiary_bin=creditor.bin,
        status=PayoutDetailsStatus.ACTIVE, proposed_by=UserFactory(), proposed_at=now,
        decided_by=UserFactory(), decided_at=now,
    )  # fmt: skip


class CreditorStaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CreditorStaff

    user = factory.SubFactory(UserFactory)
    creditor = factory.SubFactory(CreditorFactory)
    preferred_language = "en"  # tests read English; language tests choose ru/kk explicitly


class LoanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Loan

    creditor = factory.SubFactory(CreditorFactory)
    borrower_iin = factory.LazyFunction(next_iin)
    contract_number = factory.Sequence(lambda n: f"C-{n:06d}")
    kind = LoanKind.CONSUMER
    principal_tiyn = 50_000_000
    interest_tiyn = 3_000_000
    penalty_tiyn = 450_00
    total_tiyn = factory.LazyAttribute(
        lambda o: o.principal_tiyn + o.interest_tiyn + o.penalty_tiyn
    )
    overdue_days = 60
    opened_on = date(2023, 1, 10)


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    borrower = factory.SubFactory(BorrowerFactory)


class CaseLoanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CaseLoan

    case = factory.SubFactory(CaseFactory)
    loan = factory.SubFactory(
        LoanFactory, borrower_iin=factory.SelfAttribute("..case.borrower.iin")
    )
    creditor = factory.SelfAttribute("loan.creditor")
    bureau_principal_tiyn = factory.SelfAttribute("loan.principal_tiyn")
    bureau_interest_tiyn = factory.SelfAttribute("loan.interest_tiyn")
    bureau_penalty_tiyn = factory.SelfAttribute("loan.penalty_tiyn")
    bureau_total_tiyn = factory.SelfAttribute("loan.total_tiyn")
