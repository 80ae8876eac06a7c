"""The journal's head row, and on PostgreSQL a trigger that refuses any UPDATE or DELETE of a journal entry (on
SQLite, ``verify_integrity`` is what catches a change)."""

from django.db import migrations

CREATE_TRIGGER = """
CREATE OR REPLACE FUNCTION core_journalentry_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'Le journal du registre est en ajout seul : % refusé sur l''entrée n° %.', TG_OP, OLD.seq
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS core_journalentry_append_only ON core_journalentry;
CREATE TRIGGER core_journalentry_append_only BEFORE UPDATE OR DELETE ON core_journalentry
    FOR EACH ROW EXECUTE FUNCTION core_journalentry_append_only();
"""

DROP_TRIGGER = """
DROP TRIGGER IF EXISTS core_journalentry_append_only ON core_journalentry;
DROP FUNCTION IF EXISTS core_journalentry_append_only();
"""


def forwards(apps, schema_editor):
    apps.get_model("core", "JournalHead").objects.get_or_create(pk=1)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE_TRIGGER, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_TRIGGER, params=None)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_journal")]

    operations = [migrations.RunPython(forwards, backwards)]
