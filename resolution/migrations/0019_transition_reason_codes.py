"""The audit trail's reason as a stable code and its data (resolution/trail.py), so the case
timeline shows it in the reader's language. Older rows keep an empty code and are read from
their audit text. Adding the columns rewrites no row (the trail is append-only)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("resolution", "0018_variation_closed_at_plan_end"),
    ]

    operations = [
        migrations.AddField(
            model_name="casetransition",
            name="reason_code",
            field=models.CharField(blank=True, default="", max_length=40),
        ),
        migrations.AddField(
            model_name="casetransition",
            name="reason_args",
            field=models.JSONField(blank=True, default=dict),
        ),
    ]
