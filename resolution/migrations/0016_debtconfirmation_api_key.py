# An answer through the creditor API names the organisation's API key it came with.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('creditors', '0007_staff_preferred_language'),
        ('resolution', '0015_document_reads'),
    ]

    operations = [
        migrations.AddField(
            model_name='debtconfirmation',
            name='api_key',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='creditors.apikey', verbose_name='API key'),
        ),
        migrations.AddConstraint(
            model_name='debtconfirmation',
            constraint=models.CheckConstraint(condition=models.Q(('api_key__isnull', True), ('via', 'api'), _connector='OR'), name='debtconfirmation_api_key_only_by_api'),
        ),
    ]
