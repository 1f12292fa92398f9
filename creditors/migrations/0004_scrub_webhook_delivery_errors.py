"""The deliveries log no longer keeps inner connection errors ("Connection refused" vs a
timeout told a creditor which internal ports were open): existing rows keep `HTTP nnn`, the
new words (`refused`, `no answer`, `TLS error`) and empty values; anything else becomes
`no answer`, as the guarded client (bureau_gateway.webhooks) now writes it."""

from django.db import migrations

SCRUB = r"""
UPDATE creditors_webhookdelivery SET last_error = 'no answer'
WHERE last_error <> '' AND last_error !~ '^HTTP [0-9]{3}$'
  AND last_error NOT IN ('refused', 'no answer', 'TLS error')
"""


class Migration(migrations.Migration):

    dependencies = [
        ("creditors", "0003_merge_20261123_1532"),
    ]

    operations = [migrations.RunSQL(SCRUB, migrations.RunSQL.noop)]
