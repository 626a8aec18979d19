"""A trigram GIN index on Person.normalised_name, on PostgreSQL only.

Name search asks `normalised_name LIKE '%term%'` for each typed word; with
pg_trgm that is an index scan on a million persons. SQLite has no such index
and keeps the plain B-tree of 0001.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS person_name_trgm ON members_person "
        "USING gin (normalised_name gin_trgm_ops)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS person_name_trgm")


class Migration(migrations.Migration):
    dependencies = [("members", "0002_member_import")]

    operations = [migrations.RunPython(forwards, backwards)]
