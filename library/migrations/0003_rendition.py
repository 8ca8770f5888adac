"""``Rendition`` moves from the posts app to the file library: state only.

The table stays ``media_content_rendition`` (``Meta.db_table``) with its
constraint, so PostgreSQL changes nothing and no row moves; the posts app drops
the model from its state in ``media_content.0021``. The content type follows the
model, so permissions given on renditions stay given.
"""

import django.db.models.deletion
from django.db import migrations, models

import library.models


def content_type_to(app_label: str, other: str):
    def rename(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        if ContentType.objects.filter(app_label=app_label, model="rendition").exists():
            return  # post_migrate made it already; the other is left to remove_stale_contenttypes
        ContentType.objects.filter(app_label=other, model="rendition").update(app_label=app_label)

    return rename


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("library", "0002_files_from_media_items"),
        ("media_content", "0020_post_files_one_dealership"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Rendition",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("spec", models.CharField(max_length=64)),
                        (
                            "file",
                            models.FileField(
                                max_length=255, upload_to=library.models.rendition_upload_to
                            ),
                        ),
                        ("width", models.PositiveIntegerField()),
                        ("height", models.PositiveIntegerField()),
                        ("size_bytes", models.PositiveBigIntegerField(default=0)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        (
                            "media",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="renditions",
                                to="library.mediafile",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "media_content_rendition",
                        "constraints": [
                            models.UniqueConstraint(
                                fields=("media", "spec"), name="rendition_one_per_media_spec"
                            )
                        ],
                    },
                ),
            ],
        ),
        migrations.RunPython(
            content_type_to("library", "media_content"),
            content_type_to("media_content", "library"),
        ),
    ]
