"""Demo data: creditors of each kind with two staff each, ombudsman staff, and borrowers
covering eligible and ineligible situations. Idempotent: running it again changes nothing."""

from datetime import date

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from borrowers.models import Borrower, SocialStatus
from bureau_gateway.simulator import demo_data
from creditors.models import Creditor, CreditorStaff, Loan, PayoutDetails, PayoutDetailsStatus
from creditors.services import OMBUDSMAN_BY_KIND
from finplatform import roles
from finplatform.clock import business_now
from finplatform.iban import make_kz_iban
from finplatform.kzbanks import BY_CODE
from resolution.models import EligibilityPolicy, OmbudsmanStaff

HALYK = BY_CODE["601"]  # where the demo creditors are paid


class Command(BaseCommand):
    help = "Create (or refresh) the demo creditors, staff and borrowers."

    def add_arguments(self, parser):
        parser.add_argument("--print-logins", action="store_true", help="only print the logins")

    def handle(self, *args, print_logins=False, **options):
        if not print_logins:
            self.seed()
            self.stdout.write(self.style.SUCCESS("demo data ready"))
            return
        self.stdout.write(self.logins())

    @staticmethod
    def _user(username: str, *, group: str, first_name: str = "", is_staff: bool = False):
        user_model = get_user_model()
        user, created = user_model.objects.get_or_create(
            username=username, defaults={"first_name": first_name, "is_staff": is_staff}
        )
        if created:
            user.set_password(demo_data.DEMO_PASSWORD)
            user.save()
        user.groups.add(Group.objects.get_or_create(name=group)[0])
        return user

    @staticmethod
    def _payout_details(creditor, *, maker, checker) -> None:
        """Approved payout details (officer proposed, head of unit approved), so the daily
        payout run has somewhere to send the money; kept if the creditor already has some."""
        if PayoutDetails.objects.filter(
            creditor=creditor, status=PayoutDetailsStatus.ACTIVE
        ).exists():
            return
        now = business_now()
        PayoutDetails.objects.create(
            creditor=creditor, iban=make_kz_iban(HALYK.code, f"{int(creditor.bin):013d}"),
            bank_bic=HALYK.bic, bank_name=HALYK.name, beneficiary_name=creditor.name,
            beneficiary_bin=creditor.bin,
            status=PayoutDetailsStatus.ACTIVE, proposed_by=maker, proposed_at=now,
            decided_by=checker, decided_at=now,
        )  # fmt: skip

    @transaction.atomic
    def seed(self) -> None:
        if not EligibilityPolicy.objects.exists():
            EligibilityPolicy.objects.create(note="shipped defaults")
        creditors = {}
        for spec in demo_data.CREDITORS:
            creditor, _ = Creditor.objects.update_or_create(
                bin=spec["bin"],
                defaults={
                    "name": spec["name"],
                    "kind": spec["kind"],
                    "ombudsman": OMBUDSMAN_BY_KIND[spec["kind"]],
                    "email": f"backoffice@{spec['key']}.demo.kz",
                },
            )
            creditors[spec["key"]] = creditor
            staff = []
            for suffix, position in (("officer", "Debt officer"), ("checker", "Head of unit")):
                user = self._user(f"{spec['key']}.{suffix}", group=roles.CREDITOR_STAFF)
                CreditorStaff.objects.get_or_create(
                    user=user, defaults={"creditor": creditor, "position": position}
                )
                staff.append(user)
            self._payout_details(creditor, maker=staff[0], checker=staff[1])

        for spec in demo_data.OMBUDSMAN_STAFF:
            user = self._user(
                spec["username"], group=roles.OMBUDSMAN_STAFF, first_name=spec["name"],
                is_staff=True,
            )  # fmt: skip
            OmbudsmanStaff.objects.get_or_create(
                user=user, defaults={"ombudsman": spec["ombudsman"]}
            )

        now = business_now()
        for spec in demo_data.BORROWERS:
            user = self._user(spec["iin"], group=roles.BORROWER, first_name=spec["full_name"])
            asp = spec.get("asp", False)
            Borrower.objects.get_or_create(
                iin=spec["iin"],
                defaults={
                    "user": user,
                    "full_name": spec["full_name"],  # the simulated register's own
                    "full_name_verified_at": now,
                    "phone": spec["phone"],
                    "preferred_language": spec["language"],
                    "identified_at": now,
                    "identification_method": "biometric",
                    "social_status": SocialStatus.ASP if asp else SocialStatus.NONE,
                    "social_status_source": "government-data simulator" if asp else "",
                    "social_status_verified_at": now if asp else None,
                },
            )
            for loan in spec["loans"]:
                total = loan["principal_tiyn"] + loan["interest_tiyn"] + loan["penalty_tiyn"]
                Loan.objects.update_or_create(
                    creditor=creditors[loan["creditor"]],
                    contract_number=loan["contract_number"],
                    defaults={
                        "borrower_iin": spec["iin"],
                        "original_creditor": creditors.get(loan["original_creditor"]),
                        "kind": loan["kind"],
                        "secured": loan["secured"],
                        "principal_tiyn": loan["principal_tiyn"],
                        "interest_tiyn": loan["interest_tiyn"],
                        "penalty_tiyn": loan["penalty_tiyn"],
                        "total_tiyn": total,
                        "overdue_days": loan["overdue_days"],
                        "opened_on": date.fromisoformat(loan["opened_on"]),
                        "closed_on": date.fromisoformat(loan["closed_on"])
                        if loan["closed_on"]
                        else None,
                    },
                )

    @staticmethod
    def logins() -> str:
        lines = [f"    Demo logins (password for all: {demo_data.DEMO_PASSWORD})"]
        lines.append("      Borrowers sign in at /login/ with their IIN:")
        for spec in demo_data.BORROWERS:
            lines.append(f"        {spec['iin']}  {spec['full_name']:<32} {spec['story']}")
        lines.append("      Creditor staff sign in at /staff/login/:")
        lines.append("        " + ", ".join(f"{c['key']}.officer" for c in demo_data.CREDITORS))
        lines.append("        (each creditor also has <key>.checker, a second approver)")
        lines.append("      Ombudsman staff sign in at /admin/:")
        lines.append("        " + ", ".join(s["username"] for s in demo_data.OMBUDSMAN_STAFF))
        return "\n".join(lines)
