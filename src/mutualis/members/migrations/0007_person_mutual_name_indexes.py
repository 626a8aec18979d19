"""Name indexes that lead with the person's mutual, on PostgreSQL only.

A search asks for the persons of one mutual (`selectors._search` filters on
`person.mutual_id`). The name indexes of 0001/0003/0005 cover every mutual, so
in a table of a million persons a family name in a mutual of 100,000 walked
(or gathered) the matches of all mutuals: 0.5 to 1 s. Leading with the mutual:

- a B-tree (mutual_id, normalised_name): the persons of one mutual in name
  order, which is the order of results (common names stop after a page);
- with btree_gin (PostgreSQL contrib), GIN indexes (mutual_id, words) and
  (mutual_id, trigrams): only the matches of the mutual are gathered (rare
  names, word beginnings, parts of words).

btree_gin is skipped when the server does not ship it; the B-tree and the
indexes of 0003/0005 then still answer (more slowly). SQLite: nothing to do.
"""

from django.db import migrations

GIN = {
    "person_mutual_name_words": "(mutual_id, to_tsvector('simple', normalised_name))",
    "person_mutual_name_trgm": "(mutual_id, normalised_name gin_trgm_ops)",
}


def _has_btree_gin(cursor) -> bool:
    cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'btree_gin'")
    return cursor.fetchone() is not None


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS person_mutual_name ON members_person "
        "(mutual_id, normalised_name)"
    )
    with schema_editor.connection.cursor() as cursor:
        if not _has_btree_gin(cursor):
            return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS btree_gin")
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, columns in GIN.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON members_person USING gin {columns}"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in ("person_mutual_name", *GIN):
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("members", "0006_lean_indexes")]

    operations = [migrations.RunPython(forwards, backwards)]
