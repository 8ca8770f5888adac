"""Caps on the uploads a dealership holds open.

Without them, twenty creations of 4 GB each promise 80 GB of disk for 24 hours.
A dealership may hold ``TUS_MAX_OPEN_UPLOADS_PER_ORGANIZATION`` unfinished
uploads and ``TUS_MAX_OPEN_BYTES_PER_ORGANIZATION`` declared bytes; beyond that
creation answers 429 in words and stores nothing.
"""

import datetime
import threading

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from uploads.models import Upload

from .conftest import TUS, tus_create, tus_upload

pytestmark = pytest.mark.django_db

WHAT_TO_DO = (
    "Finish the uploads in progress first (choose the same file again to continue where it "
    "stopped), or wait: an unfinished upload is deleted 24 hours after its last part "
    "arrived. Then try again."
)


@pytest.fixture
def caps(settings):
    settings.TUS_MAX_OPEN_UPLOADS_PER_ORGANIZATION = 2
    settings.TUS_MAX_OPEN_BYTES_PER_ORGANIZATION = 10_000_000
    return settings


def test_defaults_are_twenty_uploads_and_twenty_gigabytes():
    from dealer_media import settings as project_settings

    assert project_settings.TUS_MAX_OPEN_UPLOADS_PER_ORGANIZATION == 20
    assert project_settings.TUS_MAX_OPEN_BYTES_PER_ORGANIZATION == 20_000_000_000


def test_one_upload_more_than_the_cap_is_429_in_words(
    caps, sunrise_client, lakeside_user, stored_files
):
    for _ in range(2):
        assert tus_create(sunrise_client, 1000).status_code == 201
    files_before = stored_files()
    response = tus_create(sunrise_client, 1000)
    assert response.status_code == 429
    assert response["Tus-Resumable"] == "1.0.0"
    assert response.json() == {
        "error": "Your dealership already has 2 unfinished uploads, and at most 2 may be open "
        f"at once. {WHAT_TO_DO}",
        "code": "too_many_open_uploads",
    }
    assert Upload.objects.count() == 2
    assert stored_files() == files_before
    # The cap is per dealership: another one is not held back.
    lakeside_client = Client()
    lakeside_client.force_login(lakeside_user)
    assert tus_create(lakeside_client, 1000).status_code == 201


def test_the_bytes_promised_are_capped(caps, sunrise_client):
    assert tus_create(sunrise_client, 6_000_000).status_code == 201
    response = tus_create(sunrise_client, 5_000_000)
    assert response.status_code == 429
    assert response.json() == {
        "error": "Unfinished uploads of your dealership already hold 6 MB of the 10 MB allowed "
        f"at once, and this file needs 5 MB. {WHAT_TO_DO}",
        "code": "too_many_open_bytes",
    }
    assert tus_create(sunrise_client, 4_000_000).status_code == 201  # exactly the cap
    assert Upload.objects.count() == 2


def test_a_file_larger_than_the_bytes_cap_is_413(caps, sunrise_client):
    caps.TUS_MAX_OPEN_BYTES_PER_ORGANIZATION = 1_000_000
    response = tus_create(sunrise_client, 2_000_000)
    assert response.status_code == 413
    assert response.json() == {
        "error": "This file needs 2 MB; unfinished uploads of a dealership may hold at most "
        "1 MB at once. Upload a smaller file.",
        "code": "too_large",
    }
    assert not Upload.objects.exists()


def test_creation_with_upload_over_the_cap_stores_no_bytes(caps, sunrise_client, samples):
    for _ in range(2):
        tus_create(sunrise_client, 1000)
    data = samples["jpeg"]
    response = sunrise_client.post(
        "/marketing/uploads/",
        data,
        content_type="application/offset+octet-stream",
        HTTP_UPLOAD_LENGTH=str(len(data)),
        **TUS,
    )
    assert response.status_code == 429
    assert Upload.objects.count() == 2
    assert sorted(Upload.objects.values_list("offset", flat=True)) == [0, 0]


def test_finished_uploads_still_count_until_they_become_items(caps, sunrise_client, samples):
    tus_upload(sunrise_client, samples["jpeg"], "car.jpg", "image/jpeg")
    tus_upload(sunrise_client, samples["png"], "car.png", "image/png")
    assert set(Upload.objects.values_list("state", flat=True)) == {Upload.State.COMPLETE}
    assert tus_create(sunrise_client, 1000).status_code == 429


def test_room_comes_back_when_uploads_are_consumed_cancelled_or_expired(
    caps, sunrise_client, samples
):
    caps.TUS_MAX_OPEN_UPLOADS_PER_ORGANIZATION = 1
    consumed = tus_upload(sunrise_client, samples["jpeg"], "car.jpg", "image/jpeg")
    assert tus_create(sunrise_client, 1000).status_code == 429
    response = sunrise_client.post(
        "/marketing/complete-chunk-upload",
        {"upload_id": consumed, "title": "Spring sale", "schedule_mode": "draft"},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 201, response.content
    assert Upload.objects.get(pk=consumed).state == Upload.State.CONSUMED

    cancelled = tus_create(sunrise_client, 1000)
    assert cancelled.status_code == 201
    assert tus_create(sunrise_client, 1000).status_code == 429
    assert sunrise_client.delete(cancelled["Location"], **TUS).status_code == 204

    expired = tus_create(sunrise_client, 1000)
    assert expired.status_code == 201
    assert tus_create(sunrise_client, 1000).status_code == 429
    Upload.objects.filter(state=Upload.State.RECEIVING).update(
        expires_at=timezone.now() - datetime.timedelta(seconds=1)
    )
    assert tus_create(sunrise_client, 1000).status_code == 201


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_racing_creations_cannot_pass_the_cap_together(settings, sunrise_user):
    """Eight POSTs at once with room for three: the dealership's row lock lets three in."""
    settings.TUS_MAX_OPEN_UPLOADS_PER_ORGANIZATION = 3
    clients = [Client() for _ in range(8)]
    for client in clients:
        client.force_login(sunrise_user)
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []

    def create(client: Client) -> None:
        barrier.wait()
        try:
            statuses.append(tus_create(client, 1000).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=create, args=(client,)) for client in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(statuses) == [201] * 3 + [429] * 5
    assert Upload.objects.count() == 3
