"""The event payload becomes canonical JSON text on every database (it was jsonb on PostgreSQL), and
PostgreSQL gets a function that appends an event in one round trip.

Rows written before this migration keep their old text; verify-log re-encodes a payload whose stored
text is not canonical before hashing it, so they still verify."""

import yangguang.core.models
from django.db import migrations, models


# PostgreSQL: the whole append in one round trip. Each statement of a PL/pgSQL function takes its own
# snapshot (READ COMMITTED), so the read after the advisory lock sees every append committed before it.
# The canonical entry is the Python-built head ('{"action":…,"payload":…,"seq":') + seq + time, byte for
# byte what core.eventlog.canonical_entry builds; verify-log recomputes it in Python from the stored row.
APPEND_FUNCTION = r"""
CREATE OR REPLACE FUNCTION yangguang_event_append(
    p_lock bigint, p_action text, p_actor text, p_object_type text, p_object_id text, p_payload text,
    p_head text, OUT out_seq bigint, OUT out_created_at timestamptz, OUT out_leaf text, OUT out_chain text)
LANGUAGE plpgsql AS $$
DECLARE
    last_seq bigint;
    last_chain text;
    entry text;
    leaf bytea;
BEGIN
    PERFORM pg_advisory_xact_lock(p_lock);
    SELECT e.seq, e.chain_hash INTO last_seq, last_chain FROM core_event AS e ORDER BY e.seq DESC LIMIT 1;
    IF last_seq IS NULL THEN
        last_seq := -1;
        last_chain := repeat('0', 64);
    END IF;
    out_seq := last_seq + 1;
    out_created_at := clock_timestamp();
    entry := p_head || out_seq::text || ',"time":"'
        || to_char(out_created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || '"}';
    leaf := sha256(decode('00', 'hex') || convert_to(entry, 'UTF8'));
    out_leaf := encode(leaf, 'hex');
    out_chain := encode(sha256(decode(last_chain, 'hex') || leaf), 'hex');
    INSERT INTO core_event (seq, action, actor, object_type, object_id, payload, created_at, leaf_hash,
                            chain_hash)
    VALUES (out_seq, p_action, p_actor, p_object_type, p_object_id, p_payload, out_created_at, out_leaf,
            out_chain);
END $$;
"""


def create_append_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_FUNCTION, params=None)


def drop_append_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS yangguang_event_append")


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_event_append_only'),
    ]

    operations = [
        migrations.AlterField(
            model_name='event',
            name='action',
            field=models.CharField(max_length=80),
        ),
        migrations.AlterField(
            model_name='event',
            name='payload',
            field=yangguang.core.models.CanonicalJSONField(default=dict, help_text='canonical JSON text; ids and codes, no personal data'),
        ),
        migrations.RunPython(create_append_function, drop_append_function),
    ]
