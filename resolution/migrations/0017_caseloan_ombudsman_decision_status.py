# A disputed loan the ombudsman decided no longer reads "disputed": its status becomes
# "included" or "excluded" (rows decided before this migration are set from their latest
# answer: include → included; exclude or a court write-off → excluded).

from django.db import migrations, models
from django.db.models import OuterRef, Subquery

CREDITOR_ANSWER = {"confirm": "confirmed", "correct": "corrected", "dispute": "disputed",
                   "deemed": "deemed_confirmed"}  # fmt: skip


def _latest(apps, actions):
    CaseLoan = apps.get_model("resolution", "CaseLoan")
    DebtConfirmation = apps.get_model("resolution", "DebtConfirmation")
    latest = (
        DebtConfirmation.objects.filter(case_loan=OuterRef("pk"), action__in=actions)
        .order_by("-at", "-pk")
        .values("action")[:1]
    )
    return CaseLoan.objects.annotate(last_action=Subquery(latest))


def set_decided(apps, schema_editor):
    CaseLoan = apps.get_model("resolution", "CaseLoan")
    loans = _latest(apps, ["confirm", "correct", "dispute", "deemed", "include", "exclude",
                           "write_off"])  # fmt: skip
    CaseLoan.objects.filter(pk__in=loans.filter(last_action="include").values("pk")).update(
        confirmation_status="included"
    )
    CaseLoan.objects.filter(
        pk__in=loans.filter(last_action__in=["exclude", "write_off"]).values("pk")
    ).update(confirmation_status="excluded")


def back_to_answers(apps, schema_editor):
    CaseLoan = apps.get_model("resolution", "CaseLoan")
    loans = _latest(apps, list(CREDITOR_ANSWER)).filter(
        confirmation_status__in=["included", "excluded"]
    )
    for action, status in CREDITOR_ANSWER.items():
        CaseLoan.objects.filter(pk__in=loans.filter(last_action=action).values("pk")).update(
            confirmation_status=status
        )


class Migration(migrations.Migration):

    dependencies = [
        ('resolution', '0016_debtconfirmation_api_key'),
    ]

    operations = [
        migrations.AlterField(
            model_name='caseloan',
            name='confirmation_status',
            field=models.CharField(choices=[('pending', 'Awaiting the creditor'), ('confirmed', 'Confirmed'), ('corrected', 'Corrected by the creditor'), ('disputed', 'Disputed'), ('deemed_confirmed', 'Deemed confirmed (no answer by the deadline)'), ('included', 'Included by the ombudsman'), ('excluded', 'Left out by the ombudsman')], default='pending', max_length=20, verbose_name='status of the debt'),
        ),
        migrations.RunPython(set_decided, back_to_answers),
    ]
