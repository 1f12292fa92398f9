from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("borrowers", "0006_help_requests_and_identification_record")]

    operations = [
        migrations.AddField(
            model_name="enrolment",
            name="phone_confirmed_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
    ]
