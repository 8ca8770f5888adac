"""On PostgreSQL the database itself keeps a post and its files in one dealership.

``media_content.0020``'s composite foreign keys are deferred, as Django's own: a
wrong row is accepted by the INSERT and refused at the commit, so these tests commit.
"""

import pytest
from django.db import IntegrityError, transaction

from media_content.models import PostFile

from ..factories import MediaContentFactory, MediaFileFactory
from ..migrating import latest, migrate_to

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_another_dealerships_file_is_refused_at_the_commit(sunrise, lakeside):
    post = MediaContentFactory(organization=sunrise)
    theirs = MediaFileFactory(organization=lakeside)
    inserted = []
    with (
        pytest.raises(IntegrityError, match="post_file_file_same_dealership"),
        transaction.atomic(),
    ):
        PostFile.objects.create(organization=sunrise, post=post, file=theirs, position=1)
        inserted.append(True)  # the INSERT passed: the check waits for the commit
    assert inserted == [True]
    assert not PostFile.objects.filter(file=theirs).exists()
    assert post.files_in_order() == [post.lead_file]


def test_a_row_in_the_files_dealership_but_not_the_posts_is_refused(sunrise, lakeside):
    post = MediaContentFactory(organization=sunrise)
    theirs = MediaFileFactory(organization=lakeside)
    with (
        pytest.raises(IntegrityError, match="post_file_post_same_dealership"),
        transaction.atomic(),
    ):
        PostFile.objects.create(organization=lakeside, post=post, file=theirs, position=1)
    assert not PostFile.objects.filter(file=theirs).exists()


def test_a_file_of_the_posts_dealership_is_kept(sunrise):
    post = MediaContentFactory(organization=sunrise)
    ours = MediaFileFactory(organization=sunrise)
    with transaction.atomic():
        PostFile.objects.create(organization=sunrise, post=post, file=ours, position=1)
    assert post.files_in_order() == [post.lead_file, ours]


def test_the_migration_names_a_row_that_breaks_the_rule_and_adds_nothing(sunrise, lakeside):
    post = MediaContentFactory(organization=sunrise)
    theirs = MediaFileFactory(organization=lakeside)
    migrate_to([("media_content", "0019_upload_file")])
    try:
        wrong = PostFile.objects.create(organization=sunrise, post=post, file=theirs, position=1)
        with pytest.raises(RuntimeError, match=rf"dealerships .*: \[{wrong.pk}\]"):
            migrate_to(latest())
        wrong.delete()
    finally:
        migrate_to(latest())
    with pytest.raises(IntegrityError), transaction.atomic():
        PostFile.objects.create(organization=sunrise, post=post, file=theirs, position=1)
