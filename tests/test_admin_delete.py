"""Deleting media items in the admin goes through media_delete, as the portal does."""

import pytest
from django.core.files.storage import default_storage
from django.urls import reverse

from media_content.models import MediaContent, ScheduledPost

from .factories import MediaContentFactory, ScheduledPostFactory

pytestmark = pytest.mark.django_db

Status = ScheduledPost.Status


@pytest.fixture
def staff_client(client, sunrise_staff):
    client.force_login(sunrise_staff)
    return client


def _item_with_posts(organization, title: str) -> tuple[MediaContent, ScheduledPost, ScheduledPost]:
    media = MediaContentFactory(organization=organization, title=title)
    pending = ScheduledPostFactory(
        media_content=media, organization=organization, destination="facebook"
    )
    posted = ScheduledPostFactory(
        media_content=media,
        organization=organization,
        destination="instagram",
        status=Status.POSTED,
        posted_at=pending.scheduled_time,
    )
    return media, pending, posted


def test_the_change_forms_delete_removes_the_file_and_cancels_pending_posts(
    staff_client, sunrise, django_capture_on_commit_callbacks
):
    media, pending, posted = _item_with_posts(sunrise, "Truck month")
    name = media.lead_file.file.name
    url = reverse("admin:media_content_mediacontent_delete", args=[media.pk])

    confirmation = staff_client.get(url)
    assert confirmation.status_code == 200
    assert "Truck month" in confirmation.content.decode()
    assert default_storage.exists(name)  # asking changes nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(url, {"post": "yes"})

    assert response.status_code == 302
    assert not MediaContent.objects.filter(pk=media.pk).exists()
    assert not default_storage.exists(name)
    pending.refresh_from_db()
    posted.refresh_from_db()
    assert pending.status == Status.CANCELLED  # not left to fail later
    assert posted.status == Status.POSTED and posted.media_content_id is None  # history stays


def test_delete_selected_goes_item_by_item_through_the_service(
    staff_client, sunrise, django_capture_on_commit_callbacks
):
    first, first_pending, _ = _item_with_posts(sunrise, "Truck month")
    second, second_pending, _ = _item_with_posts(sunrise, "Lease deal")
    names = [first.lead_file.file.name, second.lead_file.file.name]
    changelist = reverse("admin:media_content_mediacontent_changelist")
    selected = {"action": "delete_selected", "_selected_action": [first.pk, second.pk]}

    confirmation = staff_client.post(changelist, selected)
    assert confirmation.status_code == 200
    assert "Are you sure" in confirmation.content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        response = staff_client.post(changelist, {**selected, "post": "yes"}, follow=True)

    assert "Successfully deleted 2 media items" in response.content.decode()
    assert not MediaContent.objects.filter(pk__in=[first.pk, second.pk]).exists()
    assert not any(default_storage.exists(name) for name in names)
    assert set(
        ScheduledPost.objects.filter(pk__in=[first_pending.pk, second_pending.pk]).values_list(
            "status", flat=True
        )
    ) == {Status.CANCELLED}


def test_a_file_a_banner_shares_is_kept_when_the_item_is_deleted_in_the_admin(
    staff_client, sunrise, django_capture_on_commit_callbacks
):
    from banners.services import banner_from_media

    media = MediaContentFactory(organization=sunrise, title="Weekend banner")
    banner = banner_from_media(media=media)
    url = reverse("admin:media_content_mediacontent_delete", args=[media.pk])
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(url, {"post": "yes"})
    assert not MediaContent.objects.filter(pk=media.pk).exists()
    assert default_storage.exists(banner.image.name)
