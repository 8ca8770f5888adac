"""The database says a post and its files belong to one dealership (PostgreSQL).

Django has no composite foreign key, so this is SQL: ``(id, organization_id)`` is
made unique on posts and files, and a ``PostFile``'s ``(post_id, organization_id)``
and ``(file_id, organization_id)`` must name such a pair. The checks are
deferred to the commit, as Django's own foreign keys are. A row that breaks the
rule already stops the migration, named, before anything is changed.

SQLite is left as it is (the tests' default database): there ``items.library_files``
and ``PostFile.clean`` keep the rule, as they do everywhere.
"""

from django.db import migrations

UNIQUE_PAIRS = (
    ("media_content_mediacontent", "post_id_organization_key"),
    ("library_mediafile", "file_id_organization_key"),
)
SAME_DEALERSHIP = (
    ("post_file_post_same_dealership", "post_id", "media_content_mediacontent"),
    ("post_file_file_same_dealership", "file_id", "library_mediafile"),
)
MISMATCHES = """
    SELECT pf.id FROM media_content_postfile pf
    JOIN media_content_mediacontent post ON post.id = pf.post_id
    JOIN library_mediafile file ON file.id = pf.file_id
    WHERE post.organization_id <> pf.organization_id
       OR file.organization_id <> pf.organization_id
    ORDER BY pf.id LIMIT 20
"""


def add_constraints(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(MISMATCHES)
        wrong = [row[0] for row in cursor.fetchall()]
    if wrong:
        raise RuntimeError(
            "These media_content_postfile rows join a post and a file of different "
            f"dealerships (the first 20 at most): {wrong}. Correct them, then migrate again."
        )
    for table, name in UNIQUE_PAIRS:
        schema_editor.execute(
            f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" UNIQUE ("id", "organization_id")'
        )
    for name, column, table in SAME_DEALERSHIP:
        schema_editor.execute(
            f'ALTER TABLE "media_content_postfile" ADD CONSTRAINT "{name}" '
            f'FOREIGN KEY ("{column}", "organization_id") '
            f'REFERENCES "{table}" ("id", "organization_id") DEFERRABLE INITIALLY DEFERRED'
        )


def drop_constraints(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _, _ in SAME_DEALERSHIP:
        schema_editor.execute(f'ALTER TABLE "media_content_postfile" DROP CONSTRAINT "{name}"')
    for table, name in UNIQUE_PAIRS:
        schema_editor.execute(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0002_files_from_media_items"),
        ("media_content", "0019_upload_file"),
    ]

    operations = [
        migrations.RunPython(add_constraints, drop_constraints),
    ]
