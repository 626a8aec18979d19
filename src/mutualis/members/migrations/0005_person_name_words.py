"""A word index (full-text, 'simple' configuration) on Person.normalised_name,
on PostgreSQL only.

Typed words are matched as word prefixes ("ndia helene" finds "helene ndiaye"):
the GIN posting lists of two common words intersect in a few milliseconds on a
million persons, where trigram bitmaps of common names take tens to hundreds.
The trigram index (0003) stays for matches inside a word.
"""

from django.db import migrations


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS person_name_words ON members_person "
        "USING gin (to_tsvector('simple', normalised_name))"
    )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS person_name_words")


class Migration(migrations.Migration):
    dependencies = [("members", "0004_drop_unused_like_indexes")]

    operations = [migrations.RunPython(forwards, backwards)]
