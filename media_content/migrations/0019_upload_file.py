"""An upload points at the library file it made (``Upload.file``), not only at a post.

Uploads already turned into something get their file from what they point at today:
an S3 upload was completed in place, so the file stored under its ``object_key`` is
exactly its file (this also finds files made without a post, ``schedule_mode=library``);
else the file of its post that has the upload's size (the post's files may have been
reordered since), else the post's first file. Uploads still receiving have no file.
"""

import django.db.models.deletion
from django.db import migrations, models


def files_of_consumed_uploads(apps, schema_editor):
    Upload = apps.get_model("media_content", "Upload")
    MediaFile = apps.get_model("library", "MediaFile")
    PostFile = apps.get_model("media_content", "PostFile")
    for upload in Upload.objects.filter(state="consumed", file__isnull=True).iterator():
        file_id = None
        if upload.object_key:
            file_id = (
                MediaFile.objects.filter(
                    organization_id=upload.organization_id, file=upload.object_key
                )
                .values_list("pk", flat=True)
                .first()
            )
        if file_id is None and upload.media_content_id:
            rows = list(
                PostFile.objects.filter(post_id=upload.media_content_id)
                .order_by("position")
                .values_list("file_id", "file__size_bytes")
            )
            same_size = [pk for pk, size in rows if size == upload.length]
            file_id = (same_size or [pk for pk, _ in rows] or [None])[0]
        if file_id is not None:
            Upload.objects.filter(pk=upload.pk).update(file_id=file_id)


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0002_files_from_media_items"),
        ("media_content", "0018_posts_carry_files"),
    ]

    operations = [
        migrations.AddField(
            model_name="upload",
            name="file",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="uploads",
                to="library.mediafile",
            ),
        ),
        migrations.RunPython(files_of_consumed_uploads, migrations.RunPython.noop),
    ]
