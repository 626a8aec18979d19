"""Drop PostgreSQL's implicit `varchar_pattern_ops` twins of indexed text columns.

Django adds a `…_like` index next to every indexed CharField for `LIKE 'x%'`.
The register never searches these columns by prefix (names use the trigram
index, numbers and statuses equality), and each extra index slows the bulk
import. PostgreSQL only; the plain B-tree indexes stay.
"""

from django.db import migrations

LIKE_INDEXES = [
    "members_person_normalised_name_59a6b605_like",
    "members_membership_status_90da91f1_like",
    "members_membership_number_159d7fd8_like",
    "members_household_number_cca1cefa_like",
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in LIKE_INDEXES:
        schema_editor.execute(f'DROP INDEX IF EXISTS "{name}"')


class Migration(migrations.Migration):
    dependencies = [("members", "0003_person_name_trigram")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
