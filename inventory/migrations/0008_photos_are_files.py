"""A vehicle's photos point at files of the library (the same ids as their items had)."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("inventory", "0007_kept_uploads"),
        ("library", "0002_files_from_media_items"),
    ]

    operations = [
        migrations.RenameField(model_name="vehiclephoto", old_name="media_content", new_name="file"),
        migrations.AlterField(
            model_name="vehiclephoto",
            name="file",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="vehicle_photos",
                to="library.mediafile",
            ),
        ),
    ]
