"""The allocation job reads only ledger transactions written since its last run: each
transaction records the id of the database transaction that wrote it (`xact_id`), and the job
keeps how far it has read (`AllocationProgress`)."""

import schedules.models.ledger
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("schedules", "0014_merge_refund_ident_uploads_booking_fk"),
    ]

    operations = [
        migrations.CreateModel(
            name="AllocationProgress",
            fields=[
                (
                    "id",
                    models.PositiveSmallIntegerField(
                        default=1, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("below_xact_id", models.BigIntegerField(default=0)),
                ("updated_at", models.DateTimeField(null=True)),
            ],
            options={
                "verbose_name": "allocation progress",
            },
        ),
        # Existing rows get 0 (a constant default: no rewrite of the ledger table, and they
        # were all committed long ago); new rows the id of the transaction that writes them.
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AddField(
                    model_name="ledgertransaction",
                    name="xact_id",
                    field=models.BigIntegerField(
                        db_default=schedules.models.ledger.WritingTransactionId(), editable=False
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    sql=[
                        "ALTER TABLE schedules_ledgertransaction ADD COLUMN xact_id bigint NOT NULL DEFAULT 0",
                        "ALTER TABLE schedules_ledgertransaction ALTER COLUMN xact_id"
                        " SET DEFAULT (pg_current_xact_id()::text::bigint)",
                    ],
                    reverse_sql="ALTER TABLE schedules_ledgertransaction DROP COLUMN xact_id",
                ),
            ],
        ),
        migrations.AddIndex(
            model_name="ledgertransaction",
            index=models.Index(fields=["xact_id"], name="ledger_tx_xact_id"),
        ),
        migrations.AddConstraint(
            model_name="allocationprogress",
            constraint=models.CheckConstraint(
                condition=models.Q(("id", 1)), name="allocation_progress_one_row"
            ),
        ),
    ]
