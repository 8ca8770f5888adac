"""The duplicate check: same size first, so the sha256 is computed only when it can matter."""

import hashlib

import pytest

from library import duplicates
from library.processing.services import media_process
from media_content.models import MediaContent

from .conftest import tus_upload
from .test_complete import complete, regular

pytestmark = pytest.mark.django_db


@pytest.fixture
def hashed(monkeypatch) -> list:
    """Every file the duplicate check hashes (the worker's hashing is not counted)."""
    calls = []
    real = duplicates.source_sha256

    def counting(source):
        calls.append(source)
        return real(source)

    monkeypatch.setattr(duplicates, "source_sha256", counting)
    return calls


def _same_size_other_bytes(data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 0xFF])


def test_a_file_of_a_new_size_is_not_hashed_until_the_worker_processes_it(
    sunrise_client, samples, hashed
):
    data = samples["mp4"]
    response = complete(sunrise_client, tus_upload(sunrise_client, data, "walk.mp4"))
    assert response.status_code == 201, response.content
    assert response.json()["sha256"] == ""
    assert hashed == []
    media = media_process(media_id=response.json()["file_id"])
    assert media.processing_status == MediaContent.ProcessingStatus.READY
    assert MediaContent.objects.get().lead_file.sha256 == hashlib.sha256(data).hexdigest()


def test_the_same_bytes_are_found_before_the_first_copy_is_processed(
    sunrise_client, samples, hashed
):
    data = samples["png"]
    first = regular(sunrise_client, data, "a.png").json()
    assert MediaContent.objects.get().lead_file.sha256 == ""  # not processed yet
    response = complete(sunrise_client, tus_upload(sunrise_client, data, "b.png", "image/png"))
    assert response.status_code == 409
    assert response.json()["existing"]["file_id"] == first["file_id"]
    assert len(hashed) == 1  # the new file, because an item of its size exists
    assert MediaContent.objects.count() == 1


def test_same_size_other_bytes_is_no_duplicate_and_is_hashed_at_once(
    sunrise_client, samples, hashed
):
    data = samples["mp4"]
    other = _same_size_other_bytes(data)
    assert complete(sunrise_client, tus_upload(sunrise_client, data, "a.mp4")).status_code == 201
    response = complete(sunrise_client, tus_upload(sunrise_client, other, "b.mp4"))
    assert response.status_code == 201, response.content
    assert response.json()["sha256"] == hashlib.sha256(other).hexdigest()
    assert len(hashed) == 1
    assert MediaContent.objects.count() == 2


def test_an_archived_item_or_another_dealerships_is_not_looked_at(
    client, sunrise_user, lakeside_user, samples, hashed
):
    data = samples["jpeg"]
    client.force_login(lakeside_user)
    assert regular(client, data, "a.jpg").status_code == 201
    client.force_login(sunrise_user)
    assert regular(client, data, "a.jpg").status_code == 201
    MediaContent.objects.filter(organization__slug="sunrise-motors").update(
        status=MediaContent.Status.ARCHIVED
    )
    assert regular(client, data, "again.jpg").status_code == 201
    assert hashed == []  # no candidate of its size in Sunrise's live library
