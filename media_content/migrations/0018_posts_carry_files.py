"""A post carries files: ``PostFile`` replaces ``MediaAttachment``; the file's fields go.

Every item stays a post with its own file first (position 0, the file of the same
id made by ``library.0002``), then the items it had attached at their positions.
Renditions now belong to the file (same ids, so the rows stay as they are).
"""

import django.db.models.deletion
from django.db import migrations, models

FILE_FIELDS = (
    "audio_codec",
    "bit_rate",
    "container",
    "content_type",
    "duration",
    "file",
    "frame_rate",
    "height",
    "instagram_copy_error",
    "media_type",
    "original_filename",
    "processed_at",
    "processing_attempts",
    "processing_claimed_at",
    "processing_error",
    "processing_lease_until",
    "processing_requested_at",
    "processing_status",
    "ribbon_error",
    "sha256",
    "size_bytes",
    "thumbnail",
    "thumbnail_is_placeholder",
    "video_codec",
    "width",
)


def post_files_from_attachments(apps, schema_editor):
    MediaContent = apps.get_model("media_content", "MediaContent")
    MediaAttachment = apps.get_model("media_content", "MediaAttachment")
    PostFile = apps.get_model("media_content", "PostFile")
    rows = [
        PostFile(organization_id=org_id, post_id=pk, file_id=pk, position=0)
        for pk, org_id in MediaContent.objects.values_list("pk", "organization_id").iterator()
    ]
    rows += [
        PostFile(
            organization_id=a.organization_id, post_id=a.media_id, file_id=a.item_id, position=p
        )
        for a, p in (
            (a, a.position) for a in MediaAttachment.objects.order_by("media_id", "position")
        )
    ]
    PostFile.objects.bulk_create(rows, batch_size=1000)


def attachments_from_post_files(apps, schema_editor):
    PostFile = apps.get_model("media_content", "PostFile")
    MediaAttachment = apps.get_model("media_content", "MediaAttachment")
    MediaAttachment.objects.bulk_create(
        MediaAttachment(
            organization_id=row.organization_id,
            media_id=row.post_id,
            item_id=row.file_id,
            position=row.position,
        )
        for row in PostFile.objects.filter(position__gt=0)
    )


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0002_files_from_media_items"),
        ("media_content", "0017_deliveries_keep_what_they_sent"),
        ("tenancy", "0005_dealership_address"),
    ]

    operations = [
    migrations.CreateModel(
            name="PostFile",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("position", models.PositiveSmallIntegerField()),
                (
                    "file",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="post_files",
                        to="library.mediafile",
                    ),
                ),
                (
                    "organization",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, to="tenancy.organization"
                    ),
                ),
                (
                    "post",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="post_files",
                        to="media_content.mediacontent",
                    ),
                ),
            ],
            options={
                "ordering": ["post", "position"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("post", "position"), name="post_file_one_per_place"
                    ),
                    models.UniqueConstraint(fields=("post", "file"), name="post_file_once"),
                ],
            },
        ),
        migrations.RunPython(post_files_from_attachments, attachments_from_post_files),
        migrations.AlterField(
            model_name="rendition",
            name="media",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.CASCADE,
                related_name="renditions",
                to="library.mediafile",
            ),
        ),
        migrations.AddField(
            model_name="mediacontent",
            name="files",
            field=models.ManyToManyField(
                help_text="The files posted, in order.",
                related_name="posts",
                through="media_content.PostFile",
                to="library.mediafile",
            ),
        ),
        migrations.AlterModelOptions(
            name="mediacontent",
            options={"ordering": ["-created_at", "-id"], "verbose_name": "media item"},
        ),
        migrations.RemoveConstraint(model_name="mediacontent", name="media_duration_not_negative"),
        migrations.RemoveIndex(model_name="mediacontent", name="media_org_sha256_idx"),
        migrations.RemoveIndex(model_name="mediacontent", name="media_processing_due_idx"),
        migrations.RemoveIndex(model_name="mediacontent", name="media_org_size_idx"),
        *(
            migrations.RemoveField(model_name="mediacontent", name=name)
            for name in FILE_FIELDS
        ),
        migrations.DeleteModel(name="MediaAttachment"),
    ]
