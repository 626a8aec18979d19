"""A name index that leads with the person's mutual, on PostgreSQL only.

A search asks for the persons of one mutual (`selectors._search_scope` filters
on `person.mutual_id`); PostgreSQL then intersects the word or trigram matches
(0003, 0005) with the mutual's persons (the mutual_id index) instead of
gathering the matches of every mutual in the table. This B-tree adds the
persons of one mutual in name order, the order of results: the register's
first page without a query, and the first page of a very common name, read a
few dozen entries even for a small mutual in a table of millions.

GIN indexes leading with the mutual (btree_gin) were measured and left out:
the planner kept intersecting with the mutual_id index, for the same work,
and each GIN index slows imports. SQLite: nothing to do.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS person_mutual_name ON members_person "
        "(mutual_id, normalised_name)"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS person_mutual_name")


class Migration(migrations.Migration):
    dependencies = [("members", "0006_lean_indexes")]

    operations = [migrations.RunPython(forwards, backwards)]
