"""``Rendition`` now lives in the file library (``library.0003``): state only.

The table ``media_content_rendition`` and its rows stay as they are; only the
posts app's state forgets the model.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("library", "0003_rendition"),
        ("media_content", "0020_post_files_one_dealership"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Rendition")],
        ),
    ]
