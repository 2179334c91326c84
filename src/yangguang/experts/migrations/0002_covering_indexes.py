"""PostgreSQL only: the recusal indexes become covering (INCLUDE), so each rule query of a draw is an
index-only scan (docs/performance-experts.md). The model state is unchanged (same names, same key columns);
SQLite keeps the plain indexes, which it cannot extend."""

from django.db import migrations

# index name, table, key columns, included columns
COVERING = [
    ("expert_status_idx", "experts_expert", "status", "id, status_until"),
    ("expert_term_end_idx", "experts_expert", "term_end", "id"),
    ("expert_term_start_idx", "experts_expert", "term_start", "id"),
    ("expert_employer_idx", "experts_expert", "employer_credit_code", "id"),
    ("expert_employment_code_idx", "experts_employmentrecord", "credit_code, left_on", "expert_id"),
    ("expert_conflict_code_idx", "experts_declaredconflict", "credit_code", "expert_id"),
    ("expert_unavailable_idx", "experts_unavailableperiod", "starts_on, ends_on", "expert_id"),
    ("expert_service_idx", "experts_servicerecord", "purchaser_credit_code, served_on", "expert_id"),
]


def _rebuild(schema_editor, covering: bool) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, table, keys, include in COVERING:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')
        extra = f" INCLUDE ({include})" if covering else ""
        schema_editor.execute(f'CREATE INDEX "{name}" ON "{table}" ({keys}){extra}')


def forwards(apps, schema_editor):
    _rebuild(schema_editor, covering=True)


def backwards(apps, schema_editor):
    _rebuild(schema_editor, covering=False)


class Migration(migrations.Migration):
    dependencies = [("experts", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
