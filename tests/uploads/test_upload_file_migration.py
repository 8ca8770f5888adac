"""``media_content.0019`` gives uploads already turned into something the file they made.

Seeded before it (``MigrationExecutor``, ``tests.migrating``), migrated, read back.
"""

import datetime

import pytest
from django.utils import timezone

from tests.migrating import latest, migrate_to

BEFORE = [("media_content", "0018_posts_carry_files")]


@pytest.mark.django_db(transaction=True)
def test_consumed_uploads_get_the_file_they_made():
    old = migrate_to(BEFORE)
    Organization = old.get_model("tenancy", "Organization")
    MediaFile = old.get_model("library", "MediaFile")
    Post = old.get_model("media_content", "MediaContent")
    PostFile = old.get_model("media_content", "PostFile")
    Upload = old.get_model("media_content", "Upload")

    org = Organization.objects.create(name="Sunrise Motors", slug="sunrise", timezone="UTC")
    later = timezone.now() + datetime.timedelta(hours=1)

    def file(name: str, size: int):
        return MediaFile.objects.create(
            organization=org,
            title=name,
            file=f"org-{org.pk}/media/{name}",
            media_type="image",
            size_bytes=size,
        )

    def post(*files):
        made = Post.objects.create(organization=org, title="Spring sale")
        for position, one in enumerate(files):
            PostFile.objects.create(organization=org, post=made, file=one, position=position)
        return made

    def upload(length: int, state: str = "consumed", **fields):
        return Upload.objects.create(
            organization=org, length=length, offset=length, state=state, expires_at=later, **fields
        )

    # Its file went second when the dealer put another photo first: the one of its size.
    cover, made = file("cover.jpg", 10), file("made.jpg", 1234)
    reordered = upload(1234, media_content=post(cover, made))
    # Completed in place in S3 for the library only (no post): the file at its key.
    in_place = file("in-place.png", 99)
    library_only = upload(99, object_key=in_place.file.name)
    # No file of its size (the post's files were all changed): the post's first file.
    first = file("first.jpg", 5)
    changed = upload(7, media_content=post(first, file("other.jpg", 6)))
    # Still receiving bytes, or finished and not yet turned into anything: no file.
    receiving = Upload.objects.create(
        organization=org, length=50, offset=20, state="receiving", expires_at=later
    )
    complete = upload(50, state="complete")

    new = migrate_to(latest())
    files = dict(new.get_model("uploads", "Upload").objects.values_list("pk", "file_id"))
    assert files == {
        reordered.pk: made.pk,
        library_only.pk: in_place.pk,
        changed.pk: first.pk,
        receiving.pk: None,
        complete.pk: None,
    }
