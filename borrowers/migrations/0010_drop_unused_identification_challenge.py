"""The texted one-time code as identification is gone since SMS alone identifies nobody
(issue 19: EDS, biometrics or the two-factor check, each with the operator's check); its table
kept the phone numbers and code hashes of the codes sent then, and nothing has read or written
it since. Dropped rather than kept as personal data without a purpose."""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('borrowers', '0009_identification_purpose_payout_details'),
    ]

    operations = [
        migrations.DeleteModel(
            name='IdentificationChallenge',
        ),
    ]
