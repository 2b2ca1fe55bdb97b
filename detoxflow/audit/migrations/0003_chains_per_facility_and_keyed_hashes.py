"""One audit chain per facility, keyed hashes, and append-only triggers on every database.

Events already written keep their plain SHA-256 hashes (hash_version 1) in chain 0, the old single chain,
whose head is the old head row. PostgreSQL also refuses TRUNCATE now; SQLite refuses UPDATE and DELETE.
A maintenance flag lets `manage.py flush` (tests, benchmarks) empty the table: the setting
`detoxflow.audit_maintenance` on PostgreSQL, a row in the unmanaged table `audit_maintenance` on SQLite.
Both are open to whoever controls the database, as disabling a trigger is; the keyed hashes and the
checkpoints outside the database are what catch such a person.
"""

from django.db import migrations, models

PG_TRUNCATE = """
CREATE FUNCTION audit_event_no_truncate() RETURNS trigger AS $$
BEGIN
    IF current_setting('detoxflow.audit_maintenance', true) = 'on' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'audit events are append-only (TRUNCATE refused)';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_no_truncate();
"""
PG_TRUNCATE_UNDO = """
DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_event_no_truncate();
"""
SQLITE_TRIGGERS = [
    "CREATE TABLE IF NOT EXISTS audit_maintenance (since TEXT)",
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
       WHEN (SELECT COUNT(*) FROM audit_maintenance) = 0
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only (UPDATE refused)'); END""",
    """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent
       WHEN (SELECT COUNT(*) FROM audit_maintenance) = 0
       BEGIN SELECT RAISE(ABORT, 'audit events are append-only (DELETE refused)'); END""",
]
SQLITE_UNDO = [
    "DROP TRIGGER IF EXISTS audit_event_no_update",
    "DROP TRIGGER IF EXISTS audit_event_no_delete",
    "DROP TABLE IF EXISTS audit_maintenance",
]


def mark_existing(apps, schema_editor):
    Event = apps.get_model("audit", "AuditEvent")
    Head = apps.get_model("audit", "AuditChainHead")
    table = Event._meta.db_table
    with schema_editor.connection.cursor() as cursor:
        # The table's owner lifts its own trigger for this one-time marking (no superuser needed).
        if schema_editor.connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER audit_event_append_only")
        cursor.execute(f"UPDATE {table} SET hash_version = 1, chain = 0")
        if schema_editor.connection.vendor == "postgresql":
            cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER audit_event_append_only")
    Head.objects.filter(pk=1).update(chain=0)
    if schema_editor.connection.vendor == "postgresql":
        # 0002 made row 1 with an explicit id, which PostgreSQL's sequence never saw; the next chain's head
        # would otherwise collide with it.
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence('audit_auditchainhead', 'id'), "
                "COALESCE((SELECT MAX(id) FROM audit_auditchainhead), 0) + 1, false)"
            )


def add_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_TRUNCATE, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_TRIGGERS:
            schema_editor.execute(statement, params=None)


def drop_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_TRUNCATE_UNDO, params=None)
    elif schema_editor.connection.vendor == "sqlite":
        for statement in SQLITE_UNDO:
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_chain_head_and_append_only")]

    operations = [
        migrations.AddField(model_name="auditevent", name="chain", field=models.BigIntegerField(default=0)),
        migrations.AddField(
            model_name="auditevent", name="hash_version", field=models.PositiveSmallIntegerField(default=2)
        ),
        migrations.AddField(model_name="auditchainhead", name="chain", field=models.BigIntegerField(null=True)),
        migrations.RunPython(mark_existing, migrations.RunPython.noop),
        migrations.AlterField(model_name="auditchainhead", name="chain", field=models.BigIntegerField(unique=True)),
        migrations.AddIndex(
            model_name="auditevent", index=models.Index(fields=["chain", "id"], name="audit_chain_order")
        ),
        migrations.RunPython(add_triggers, drop_triggers),
    ]
