# A variation still open when its plan ended (paid in full, breached, terminated) closes with
# a status that says so; those left open before this migration are closed now.

from django.db import migrations, models
from django.utils import timezone

OPEN = ["requested", "proposed", "awaiting_signature"]
BY_CASE_STATUS = {"completed": "plan_completed", "breached": "plan_breached",
                  "terminated": "plan_terminated"}  # fmt: skip


def close_left_open(apps, schema_editor):
    Variation = apps.get_model("resolution", "Variation")
    now = timezone.now()
    for case_status, status in BY_CASE_STATUS.items():
        Variation.objects.filter(status__in=OPEN, case__status=case_status).update(
            status=status, closed_at=now
        )


def reopen_as_declined(apps, schema_editor):
    Variation = apps.get_model("resolution", "Variation")
    Variation.objects.filter(status__in=list(BY_CASE_STATUS.values())).update(
        status="declined", decline_reason="closed: the plan ended"
    )


class Migration(migrations.Migration):

    dependencies = [
        ('resolution', '0017_caseloan_ombudsman_decision_status'),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name='variation',
            name='variation_status',
        ),
        migrations.AlterField(
            model_name='variation',
            name='status',
            field=models.CharField(choices=[('requested', 'Requested by the borrower'), ('proposed', 'Proposed: creditors may object'), ('objected', "Blocked by a creditor's objection"), ('declined', 'Declined by the ombudsman'), ('awaiting_signature', 'Agreement issued for signing'), ('signed', 'Signed: new schedule in force'), ('expired', 'Not signed in time'), ('plan_completed', 'Closed: the plan was paid in full'), ('plan_breached', 'Closed: the plan was breached (over 40 days late)'), ('plan_terminated', 'Closed: the ombudsman ended the plan')], default='requested', max_length=24, verbose_name='status'),
        ),
        migrations.AddConstraint(
            model_name='variation',
            constraint=models.CheckConstraint(condition=models.Q(('status__in', ['requested', 'proposed', 'objected', 'declined', 'awaiting_signature', 'signed', 'expired', 'plan_completed', 'plan_breached', 'plan_terminated'])), name='variation_status'),
        ),
        migrations.RunPython(close_left_open, reopen_as_declined),
    ]
