"""Posts of several items: the order kept, tenancy, the checks per item, the banner's image."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from banners.models import Banner
from library.models import MediaFile
from media_content import items
from media_content.carousel_checks import post_checks
from media_content.models import MediaContent, PostFile, ScheduledPost
from publishing import engine as publishing

from .factories import MediaFileFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def photos(sunrise):
    return [
        MediaFileFactory(organization=sunrise, title=f"Photo {n}", width=1200, height=800)
        for n in (1, 2, 3)
    ]


def _compose(photos, destinations=(), **extra):
    return items.media_compose(
        organization=photos[0].organization,
        item_ids=[p.pk for p in photos],
        title="2019 F-150",
        destinations=list(destinations),
        **extra,
    )


def test_the_dealers_order_is_kept(photos):
    post = _compose([photos[1], photos[2], photos[0]])
    assert post.pk is not None and post.files_in_order() == [photos[1], photos[2], photos[0]]
    assert list(post.post_files.values_list("position", flat=True)) == [0, 1, 2]


def test_a_post_reads_only_its_type_and_urls_from_its_first_file(photos):
    post = _compose([photos[1], photos[0]])
    cover = photos[1]
    assert (post.media_type, post.media_url, post.thumbnail_url) == (
        cover.media_type,
        cover.media_url,
        cover.thumbnail_url,
    )
    assert not any(hasattr(post, name) for name in ("width", "sha256", "processing_status"))
    with pytest.raises(AttributeError):
        post.media_type = MediaContent.MediaType.VIDEO  # set on the file, not through the post


def test_a_carousel_has_finished_processing_once_its_last_file_has(photos):
    post = _compose(photos)
    assert post.files_processing_finished()
    MediaFile.objects.filter(pk=photos[2].pk).update(processing_status="processing")
    assert not post.files_processing_finished()  # the cover being ready is not enough
    MediaFile.objects.filter(pk=photos[2].pk).update(processing_status="failed")
    assert post.files_processing_finished()  # failed is finished: its checks say why


def test_reordering_keeps_the_post_and_its_time(photos, django_capture_on_commit_callbacks):
    later = timezone.now() + timezone.timedelta(days=2)
    post = _compose(photos, destinations=["facebook"], when=later)
    [delivery] = post.posts.all()

    same = items.post_set_files(post=post, file_ids=[photos[2].pk, photos[0].pk])

    assert same.pk == post.pk
    assert same.files_in_order() == [photos[2], photos[0]]  # Photo 2 removed, Photo 3 first
    same.refresh_from_db()
    assert (same.title, same.post_to_facebook, same.status) == (
        "2019 F-150",
        True,
        MediaContent.Status.SCHEDULED,
    )
    delivery.refresh_from_db()
    assert (delivery.status, delivery.scheduled_time) == (ScheduledPost.Status.PENDING, later)
    photos[0].refresh_from_db()
    assert photos[0].title == "Photo 1"  # a file is never renamed by a post


def test_a_post_that_went_out_keeps_its_items(photos):
    post = _compose(photos, destinations=["facebook"])
    ScheduledPost.objects.create(
        organization=post.organization,
        media_content=post,
        title=post.title,
        destination="facebook",
        scheduled_time=timezone.now(),
        status=ScheduledPost.Status.POSTED,
        posted_at=timezone.now(),
    )
    with pytest.raises(ValidationError, match="its items stay as they were sent"):
        items.post_set_files(post=post, file_ids=[photos[1].pk, photos[0].pk])
    with pytest.raises(ValidationError, match="its items stay as they were sent"):
        items.post_set_files(post=post, file_ids=[photos[0].pk, photos[1].pk])
    assert post.files_in_order() == photos
    assert items.post_set_files(post=post, file_ids=[p.pk for p in photos]) == post


def test_another_dealerships_file_cannot_be_added(photos, lakeside):
    theirs = MediaFileFactory(organization=lakeside)
    post = _compose(photos[:1])
    with pytest.raises(ValidationError, match=f"File {theirs.pk} is not in this dealership"):
        items.post_set_files(post=post, file_ids=[photos[0].pk, theirs.pk])
    assert post.files_in_order() == photos[:1]


def test_a_file_is_in_a_post_once_and_at_one_place(photos):
    post = _compose(photos[:2])
    with pytest.raises(IntegrityError), transaction.atomic():
        PostFile.objects.create(
            organization=post.organization, post=post, file=photos[0], position=5
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        PostFile.objects.create(
            organization=post.organization, post=post, file=photos[2], position=0
        )


def test_a_reorder_that_breaks_a_waiting_posts_checks_is_refused(photos, sunrise):
    tall = MediaFileFactory(organization=sunrise, title="Tall one", width=1080, height=1350)
    post = _compose(photos[:2], destinations=["instagram"])
    ScheduledPost.objects.create(
        organization=sunrise,
        media_content=post,
        title=post.title,
        destination="instagram",
        scheduled_time=timezone.now() + timezone.timedelta(hours=1),
    )
    with pytest.raises(ValidationError, match="“Tall one” \\(item 3\\)"):
        items.post_set_files(post=post, file_ids=[photos[0].pk, photos[1].pk, tall.pk])
    assert post.files_in_order() == photos[:2]


def test_carousel_children_must_match_the_first_childs_shape(photos, sunrise):
    square = MediaFileFactory(organization=sunrise, title="Dashboard", width=1080, height=1080)
    lead = _compose([photos[0], square, photos[1]])
    errors = post_checks(lead, "instagram").errors
    assert errors == [
        "“Dashboard” (item 2) is 1.00:1 but the first item is 1.50:1; Instagram crops every "
        "item of a carousel to the first one's shape. Choose photos of one shape: the first "
        "item's decides."
    ]


def test_a_carousel_child_out_of_range_is_judged_as_its_instagram_ready_copy(photos, sunrise):
    # 9:16 becomes 4:5 as its Instagram-ready copy; so does the first (3:4): they match.
    first = MediaFileFactory(organization=sunrise, title="Front", width=900, height=1200)
    tall = MediaFileFactory(organization=sunrise, title="Door", width=1080, height=1920)
    lead = _compose([first, tall])
    found = post_checks(lead, "instagram")
    assert not [e for e in found.errors if "crops every item" in e]
    # Not ticked for Instagram: the copies are offered, not made.
    assert any(
        w.startswith("“Door” (item 2): Instagram needs an aspect ratio") for w in found.warnings
    )
    lead.post_to_instagram = True
    lead.save()
    found = post_checks(lead, "instagram")
    assert found.errors == []
    # The post goes to Instagram: each child that needs it gets its copy made.
    assert any(
        p.startswith("“Door” (item 2): An Instagram-ready copy is being made")
        for p in found.preparing
    )


def test_carousel_counts_and_each_items_own_checks(sunrise):
    eleven = [MediaFileFactory(organization=sunrise) for _ in range(10)]
    lead = _compose(eleven)
    assert not post_checks(lead, "instagram").errors
    png = MediaFileFactory(organization=sunrise, title="Logo", container="PNG")
    lead = items.post_set_files(post=lead, file_ids=[e.pk for e in eleven[:2]] + [png.pk])
    # Each item's own checks, named; a PNG is fixed by its Instagram-ready copy (offered
    # while the post is not for Instagram).
    found = post_checks(lead, "instagram")
    assert found.errors == []
    assert any(
        w.startswith("“Logo” (item 3): Instagram takes only JPEG images; this is PNG.")
        for w in found.warnings
    )


def test_facebook_refuses_a_video_among_several_items_naming_it(photos, sunrise):
    video = MediaFileFactory(
        organization=sunrise, title="Walk-around", media_type=MediaContent.MediaType.VIDEO
    )
    lead = _compose([photos[0], video])
    assert post_checks(lead, "facebook").errors == [
        "“Walk-around” (item 2) is a video; Facebook posts several items together only as "
        "photos. Post the video on its own, or remove it from this post."
    ]
    with pytest.raises(ValidationError, match="Cannot schedule Facebook: “Walk-around”"):
        items.media_compose(
            organization=sunrise,
            item_ids=[photos[0].pk, video.pk],
            title="x",
            destinations=["facebook"],
            when=timezone.now(),
        )


def test_the_website_banner_shows_the_first_image(
    photos, sunrise, django_capture_on_commit_callbacks
):
    video = MediaFileFactory(
        organization=sunrise, title="Walk-around", media_type=MediaContent.MediaType.VIDEO
    )
    lead = _compose([video, photos[1], photos[0]], destinations=["banner"])
    post = ScheduledPost.objects.create(
        organization=sunrise,
        media_content=lead,
        title=lead.title,
        destination="banner",
        scheduled_time=timezone.now(),
    )
    result = publishing.publish_post(post_id=post.pk)
    assert result.status == ScheduledPost.Status.POSTED
    banner = Banner.objects.get(media_content=lead)
    assert banner.image.name == photos[1].file.name
    assert banner.title == "2019 F-150"
