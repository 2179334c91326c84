"""PostgreSQL: append a batch of events in one round trip (the chronograph applies thousands of due steps
in one transaction, one event each). Same entry and hashing as yangguang_event_append (core 0003)."""

from django.db import migrations

APPEND_MANY_FUNCTION = r"""
CREATE OR REPLACE FUNCTION yangguang_event_append_many(
    p_lock bigint, p_action text[], p_actor text[], p_object_type text[], p_object_id text[], p_payload text[],
    p_head text[]) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    last_seq bigint;
    last_chain text;
    first_seq bigint;
    seq_i bigint;
    at timestamptz;
    entry text;
    leaf bytea;
    chain bytea;
BEGIN
    PERFORM pg_advisory_xact_lock(p_lock);
    SELECT e.seq, e.chain_hash INTO last_seq, last_chain FROM core_event AS e ORDER BY e.seq DESC LIMIT 1;
    IF last_seq IS NULL THEN
        last_seq := -1;
        last_chain := repeat('0', 64);
    END IF;
    first_seq := last_seq + 1;
    chain := decode(last_chain, 'hex');
    FOR i IN 1 .. coalesce(array_length(p_action, 1), 0) LOOP
        seq_i := last_seq + i;
        at := clock_timestamp();
        entry := p_head[i] || seq_i::text || ',"time":"'
            || to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || '"}';
        leaf := sha256(decode('00', 'hex') || convert_to(entry, 'UTF8'));
        chain := sha256(chain || leaf);
        INSERT INTO core_event (seq, action, actor, object_type, object_id, payload, created_at, leaf_hash,
                                chain_hash)
        VALUES (seq_i, p_action[i], p_actor[i], p_object_type[i], p_object_id[i], p_payload[i], at,
                encode(leaf, 'hex'), encode(chain, 'hex'));
    END LOOP;
    RETURN first_seq;
END $$;
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(APPEND_MANY_FUNCTION, params=None)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP FUNCTION IF EXISTS yangguang_event_append_many")


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0003_event_payload_canonical_text'),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
