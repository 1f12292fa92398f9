"""Database rules of the workflow, kept apart from the auto-generated migrations.

Append-only tables (UPDATE and DELETE refused): the creditors' answers, the documents, the
signatures and the case audit trail. A document package's snapshot never changes, and its
package hash, once set, never changes either. TRUNCATE (test flushes) is not affected.
"""

from django.db import migrations

APPEND_ONLY = [
    "resolution_debtconfirmation",
    "resolution_casedocument",
    "resolution_signature",
    "resolution_casetransition",
]

FORWARD = [
    """
    CREATE OR REPLACE FUNCTION resolution_refuse_change() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '% rows are append-only (% refused)', TG_TABLE_NAME, TG_OP
            USING ERRCODE = 'integrity_constraint_violation';
    END;
    $$ LANGUAGE plpgsql;
    """,
    *[
        f"""
        DROP TRIGGER IF EXISTS {table}_append_only ON {table};
        CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION resolution_refuse_change();
        """
        for table in APPEND_ONLY
    ],
    """
    CREATE OR REPLACE FUNCTION resolution_package_frozen() RETURNS trigger AS $$
    BEGIN
        IF NEW.snapshot IS DISTINCT FROM OLD.snapshot THEN
            RAISE EXCEPTION 'a document package snapshot is immutable'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        IF OLD.package_hash <> '' AND NEW.package_hash IS DISTINCT FROM OLD.package_hash THEN
            RAISE EXCEPTION 'an issued package hash is immutable'
                USING ERRCODE = 'integrity_constraint_violation';
        END IF;
        RETURN NEW;
    END;
    $$ LANGUAGE plpgsql;
    DROP TRIGGER IF EXISTS resolution_documentpackage_frozen ON resolution_documentpackage;
    CREATE TRIGGER resolution_documentpackage_frozen BEFORE UPDATE ON resolution_documentpackage
        FOR EACH ROW EXECUTE FUNCTION resolution_package_frozen();
    """,
]

REVERSE = [
    *[f"DROP TRIGGER IF EXISTS {table}_append_only ON {table};" for table in APPEND_ONLY],
    "DROP TRIGGER IF EXISTS resolution_documentpackage_frozen ON resolution_documentpackage;",
    "DROP FUNCTION IF EXISTS resolution_package_frozen();",
    "DROP FUNCTION IF EXISTS resolution_refuse_change();",
]


class Migration(migrations.Migration):
    dependencies = [("resolution", "0003_workflow")]
    operations = [migrations.RunSQL(sql=FORWARD, reverse_sql=REVERSE)]
