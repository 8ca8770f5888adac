"""One file per existing media item: the same stored file (no copy), under the item's id.

Keeping the id lets the renditions, the inventory's photos and Reels, and the
posts' first files point at the file without a lookup table.
"""

from django.core.management.color import no_style
from django.db import connection, migrations

FILE_FIELDS = (
    "organization_id",
    "title",
    "file",
    "thumbnail",
    "media_type",
    "original_filename",
    "content_type",
    "size_bytes",
    "sha256",
    "width",
    "height",
    "duration",
    "container",
    "video_codec",
    "audio_codec",
    "frame_rate",
    "bit_rate",
    "processing_status",
    "processing_error",
    "processing_attempts",
    "processed_at",
    "processing_requested_at",
    "processing_claimed_at",
    "processing_lease_until",
    "thumbnail_is_placeholder",
    "instagram_copy_error",
    "ribbon_error",
    "created_by_id",
    "created_at",
    "updated_at",
)
BATCH = 500


def files_from_items(apps, schema_editor):
    MediaContent = apps.get_model("media_content", "MediaContent")
    MediaFile = apps.get_model("library", "MediaFile")
    VehiclePhoto = apps.get_model("inventory", "VehiclePhoto")
    VehicleReel = apps.get_model("inventory", "VehicleReel")
    photos = dict(
        VehiclePhoto.objects.filter(media_content__isnull=False)
        .order_by("-pk")
        .values_list("media_content_id", "vehicle_id")
    )
    reels = dict(
        VehicleReel.objects.filter(media_content__isnull=False).values_list(
            "media_content_id", "vehicle_id"
        )
    )
    stamps = [MediaFile._meta.get_field("created_at"), MediaFile._meta.get_field("updated_at")]
    saved = [(field.auto_now, field.auto_now_add) for field in stamps]
    for field in stamps:  # keep the items' own times
        field.auto_now = field.auto_now_add = False
    try:
        batch = []
        for item in MediaContent.objects.order_by("pk").iterator(chunk_size=BATCH):
            if item.pk in reels:
                source, vehicle_id = "reel", reels[item.pk]
            elif item.pk in photos:
                source, vehicle_id = "inventory_photo", photos[item.pk]
            else:
                source, vehicle_id = "upload", None
            values = {name: getattr(item, name) for name in FILE_FIELDS}
            batch.append(MediaFile(pk=item.pk, source=source, vehicle_id=vehicle_id, **values))
            if len(batch) >= BATCH:
                MediaFile.objects.bulk_create(batch)
                batch = []
        MediaFile.objects.bulk_create(batch)
    finally:
        for field, (auto_now, auto_now_add) in zip(stamps, saved, strict=True):
            field.auto_now, field.auto_now_add = auto_now, auto_now_add
    _reset_sequence(MediaFile)


def _reset_sequence(model) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), [model])
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def items_from_files(apps, schema_editor):
    apps.get_model("library", "MediaFile").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0001_files"),
        ("media_content", "0016_ribbons"),
        ("inventory", "0006_catalogs_and_column_mapping"),
    ]

    operations = [migrations.RunPython(files_from_items, items_from_files)]
