"""``Rendition`` moves from the posts app to the file library without moving a row.

``library.0003`` and ``media_content.0021`` change the state only: the table keeps
its name (``media_content_rendition``) and its one-per-(file, spec) constraint.
Seeded before them (``tests.migrating``), migrated forward and back, read each time.
"""

import pytest
from django.db import IntegrityError, transaction

from tests.migrating import latest, migrate_to

BEFORE = [
    ("library", "0002_files_from_media_items"),
    ("media_content", "0020_post_files_one_dealership"),
]


def _seed(apps) -> int:
    Organization = apps.get_model("tenancy", "Organization")
    MediaFile = apps.get_model("library", "MediaFile")
    Rendition = apps.get_model("media_content", "Rendition")
    org = Organization.objects.create(name="Sunrise Motors", slug="sunrise", timezone="UTC")
    file = MediaFile.objects.create(
        organization=org, title="Lot", file=f"org-{org.pk}/media/lot.jpg", media_type="image"
    )
    Rendition.objects.create(media=file, spec="display", file="r/d.jpg", width=2, height=1)
    return file.pk


@pytest.mark.django_db(transaction=True)
def test_renditions_stay_in_their_table_when_the_model_moves_to_the_library():
    try:
        file_id = _seed(migrate_to(BEFORE))

        new = migrate_to(latest())
        Rendition = new.get_model("library", "Rendition")
        assert list(Rendition.objects.values_list("media_id", "spec", "file")) == [
            (file_id, "display", "r/d.jpg")
        ]
        assert Rendition._meta.db_table == "media_content_rendition"
        with pytest.raises(LookupError):
            new.get_model("media_content", "Rendition")
        with pytest.raises(IntegrityError), transaction.atomic():
            Rendition.objects.create(media_id=file_id, spec="display", width=1, height=1)

        back = migrate_to(BEFORE)
        assert back.get_model("media_content", "Rendition").objects.get().media_id == file_id
    finally:
        migrate_to(latest())
