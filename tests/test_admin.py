"""The admin is tenant-aware: staff see and assign only their own dealerships."""

import pytest
from django.urls import reverse

from banners.models import Banner
from media_content.models import MediaContent, ScheduledPost

from .factories import BannerFactory, MediaContentFactory, ScheduledPostFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(client, sunrise_staff):
    client.force_login(sunrise_staff)
    return client


def test_superuser_sees_every_dealership(client, superuser, sunrise, lakeside):
    MediaContentFactory(organization=sunrise, title="Sunrise truck month")
    MediaContentFactory(organization=lakeside, title="Lakeside lease deal")
    client.force_login(superuser)
    page = client.get(reverse("admin:media_content_mediacontent_changelist")).content.decode()
    assert "Sunrise truck month" in page
    assert "Lakeside lease deal" in page


def test_staff_list_shows_only_their_dealership(staff_client, sunrise, lakeside):
    MediaContentFactory(organization=sunrise, title="Sunrise truck month")
    MediaContentFactory(organization=lakeside, title="Lakeside lease deal")
    BannerFactory(organization=lakeside, title="Lakeside banner")
    page = staff_client.get(reverse("admin:media_content_mediacontent_changelist")).content.decode()
    assert "Sunrise truck month" in page
    assert "Lakeside lease deal" not in page
    banners = staff_client.get(reverse("admin:banners_banner_changelist")).content.decode()
    assert "Lakeside banner" not in banners


@pytest.mark.parametrize(
    "url_name",
    ["admin:media_content_mediacontent_change", "admin:media_content_mediacontent_delete"],
)
def test_staff_cannot_open_another_dealerships_item(staff_client, lakeside, url_name):
    other = MediaContentFactory(organization=lakeside, title="Lakeside lease deal")
    response = staff_client.get(reverse(url_name, args=[other.pk]))
    # Django's admin answers an object outside the queryset by going back to the index.
    assert response.status_code == 302
    assert "Lakeside lease deal" not in staff_client.get(response["Location"]).content.decode()


def test_staff_cannot_change_another_dealerships_item_by_post(staff_client, lakeside):
    other = MediaContentFactory(organization=lakeside, title="Lakeside lease deal")
    staff_client.post(
        reverse("admin:media_content_mediacontent_change", args=[other.pk]),
        {"title": "hijacked", "organization": other.organization_id, "media_type": "image"},
    )
    other.refresh_from_db()
    assert other.title == "Lakeside lease deal"


def test_staff_can_only_assign_their_dealerships(staff_client, sunrise, lakeside):
    page = staff_client.get(reverse("admin:banners_banner_add")).content.decode()
    assert "Sunrise Motors" in page
    assert "Lakeside Auto" not in page

    from django.core.files.uploadedfile import SimpleUploadedFile

    from .media import jpeg_bytes

    response = staff_client.post(
        reverse("admin:banners_banner_add"),
        {
            "organization": lakeside.pk,
            "title": "Sneaky",
            "image": SimpleUploadedFile("b.jpg", jpeg_bytes(), "image/jpeg"),
            "is_active": "on",
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Banner.objects.filter(title="Sneaky").exists()


def test_staff_sees_only_own_dealership_in_organization_admin(staff_client, sunrise, lakeside):
    page = staff_client.get(reverse("admin:tenancy_organization_changelist")).content.decode()
    assert "Sunrise Motors" in page
    assert "Lakeside Auto" not in page


def test_banner_admin_rejects_javascript_links(client, superuser, sunrise):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from .media import jpeg_bytes

    client.force_login(superuser)
    response = client.post(
        reverse("admin:banners_banner_add"),
        {
            "organization": sunrise.pk,
            "title": "Bad link",
            "image": SimpleUploadedFile("b.jpg", jpeg_bytes(), "image/jpeg"),
            "link_url": "javascript:alert(1)",
            "is_active": "on",
        },
    )
    assert "Use a link that starts with https://" in response.content.decode()
    assert not Banner.objects.exists()


def test_media_admin_shows_posts_inline_with_their_errors(client, superuser, sunrise):
    post = ScheduledPostFactory(media_content__organization=sunrise, status="failed")
    ScheduledPost.objects.filter(pk=post.pk).update(last_error="Facebook said no (code 100)")
    client.force_login(superuser)
    page = client.get(
        reverse("admin:media_content_mediacontent_change", args=[post.media_content_id])
    ).content.decode()
    assert "Facebook said no (code 100)" in page


def _run_action(client, action, items):
    return client.post(
        reverse("admin:media_content_mediacontent_changelist"),
        {"action": action, "_selected_action": [item.pk for item in items]},
        follow=True,
    )


def test_publish_now_action_publishes_each_destination(
    staff_client, sunrise, django_capture_on_commit_callbacks
):
    media = MediaContentFactory(organization=sunrise, post_to_facebook=True, post_to_banner=True)
    with django_capture_on_commit_callbacks(execute=True):
        response = _run_action(staff_client, "publish_now", [media])
    assert "2 post(s) queued for publishing." in response.content.decode()
    media.refresh_from_db()
    assert media.status == MediaContent.Status.POSTED
    statuses = dict(media.posts.values_list("destination", "status"))
    assert statuses == {"facebook": "posted", "banner": "posted"}
    assert Banner.objects.get(media_content=media).is_active


def test_staff_action_cannot_reach_another_dealership(staff_client, lakeside):
    other = MediaContentFactory(organization=lakeside, post_to_facebook=True)
    _run_action(staff_client, "publish_now", [other])
    assert not other.posts.exists()


def test_retry_failed_action_retries_only_the_failed_destination(
    staff_client, sunrise, django_capture_on_commit_callbacks
):
    media = MediaContentFactory(organization=sunrise, post_to_facebook=True, post_to_banner=True)
    from django.utils import timezone

    posted = ScheduledPostFactory(media_content=media, destination="facebook")
    ScheduledPost.objects.filter(pk=posted.pk).update(
        status="posted", posted_at=timezone.now(), external_id="fb_1"
    )
    failed = ScheduledPostFactory(media_content=media, destination="banner")
    ScheduledPost.objects.filter(pk=failed.pk).update(status="failed", last_error="boom")
    with django_capture_on_commit_callbacks(execute=True):
        response = _run_action(staff_client, "retry_failed", [media])
    assert "1 failed post(s) queued again." in response.content.decode()
    posted.refresh_from_db()
    failed.refresh_from_db()
    assert posted.external_id == "fb_1" and posted.attempts == 0
    assert failed.status == "posted"
    media.refresh_from_db()
    assert media.status == MediaContent.Status.POSTED


def test_archive_action_cancels_pending_posts(staff_client, sunrise):
    post = ScheduledPostFactory(media_content__organization=sunrise)
    response = _run_action(staff_client, "archive", [post.media_content])
    assert "1 item(s) archived." in response.content.decode()
    post.refresh_from_db()
    post.media_content.refresh_from_db()
    assert post.status == "cancelled"
    assert post.media_content.status == "archived"


def test_dealership_filter_lists_only_the_staff_users_dealerships(staff_client, sunrise, lakeside):
    MediaContentFactory(organization=sunrise, title="Sunrise truck month")
    for url_name in (
        "admin:media_content_mediacontent_changelist",
        "admin:banners_banner_changelist",
    ):
        page = staff_client.get(reverse(url_name)).content.decode()
        assert f"?organization__id__exact={sunrise.pk}" in page
        assert "Lakeside Auto" not in page


def test_filtering_by_another_dealership_shows_nothing(staff_client, lakeside):
    MediaContentFactory(organization=lakeside, title="Lakeside lease deal")
    url = reverse("admin:media_content_mediacontent_changelist")
    page = staff_client.get(f"{url}?organization__id__exact={lakeside.pk}").content.decode()
    assert "Lakeside lease deal" not in page
