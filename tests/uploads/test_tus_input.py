"""Hostile tus headers answer 4xx in words and change nothing.

Unchecked, each of these is a 500 (or, for other scripts' digits, a silently
accepted number): superscript and Arabic-Indic digits pass ``str.isdigit``,
``int()`` of 5,000 digits raises, non-ASCII base64 raises ValueError, and
PostgreSQL refuses a NUL in the metadata's JSON.
"""

import pytest

from uploads.models import Upload

from .conftest import TUS, b64, tus_create, tus_patch

pytestmark = pytest.mark.django_db

NOT_AN_INTEGER = [
    "²",  # superscript two: isdigit() is True, int() raises
    "1²",
    "\u0661\u0662",  # Arabic-Indic digits 1 2: int() reads 12
    "\uff11\uff10",  # fullwidth digits 1 0
    "+10",
    "-1",
    " 10",
    "10 ",
    "1_000",
    "0x10",
    "1e3",
    "10.0",
]


def _create(client, **headers):
    return client.post("/marketing/uploads/", **TUS, **headers)


@pytest.mark.parametrize("value", NOT_AN_INTEGER)
def test_upload_length_not_ascii_digits_is_400(sunrise_client, stored_files, value):
    response = _create(sunrise_client, HTTP_UPLOAD_LENGTH=value)
    assert response.status_code == 400
    assert response.json() == {
        "error": "Upload-Length must be a non-negative integer. Send it with the digits 0-9 "
        "only (no sign, spaces or other characters).",
        "code": "invalid",
    }
    assert not Upload.objects.exists()
    assert stored_files() == []


@pytest.mark.parametrize("digits", [20, 5000])
def test_upload_length_of_many_digits_is_413_in_words(sunrise_client, settings, digits):
    settings.TUS_MAX_SIZE = 50_000_000
    response = _create(sunrise_client, HTTP_UPLOAD_LENGTH="9" * digits)
    assert response.status_code == 413
    assert response.json() == {"error": "Files can be at most 50 MB.", "code": "too_large"}
    assert not Upload.objects.exists()


def test_nineteen_digits_above_bigint_is_still_a_413(sunrise_client):
    response = _create(sunrise_client, HTTP_UPLOAD_LENGTH="9" * 19)
    assert response.status_code == 413
    assert not Upload.objects.exists()


def test_leading_zeros_are_a_plain_number(sunrise_client):
    response = _create(sunrise_client, HTTP_UPLOAD_LENGTH="0000100")
    assert response.status_code == 201
    assert Upload.objects.get().length == 100


@pytest.mark.parametrize("value", ["²", "\u0661\u0660", "9" * 5000, "-0", "0 "])
def test_bad_upload_offset_is_400_and_the_upload_goes_on(sunrise_client, samples, value):
    data = samples["jpeg"]
    url = tus_create(sunrise_client, len(data), "car.jpg", "image/jpeg")["Location"]
    response = sunrise_client.generic(
        "PATCH",
        url,
        data,
        content_type="application/offset+octet-stream",
        HTTP_UPLOAD_OFFSET=value,
        **TUS,
    )
    assert response.status_code == 400
    assert response.json()["error"].startswith("Upload-Offset ")
    assert Upload.objects.get().offset == 0
    response = tus_patch(sunrise_client, url, data)
    assert response.status_code == 204
    assert response["Upload-Offset"] == str(len(data))


@pytest.mark.parametrize("value", ["²", "9" * 5000])
def test_bad_content_length_is_400(sunrise_client, samples, value):
    data = samples["jpeg"]
    url = tus_create(sunrise_client, len(data), "car.jpg", "image/jpeg")["Location"]
    response = tus_patch(sunrise_client, url, data, CONTENT_LENGTH=value)
    assert response.status_code == 400
    assert response.json()["error"].startswith("Content-Length ")
    assert Upload.objects.get().offset == 0


def _create_with_upload(client, data: bytes, **headers):
    return client.post(
        "/marketing/uploads/",
        data,
        content_type="application/offset+octet-stream",
        HTTP_UPLOAD_LENGTH=str(len(data) * 2),
        **TUS,
        **headers,
    )


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({"CONTENT_LENGTH": "²"}, "Content-Length must be a non-negative integer."),
        ({"HTTP_UPLOAD_CHECKSUM": "sha1 é"}, "Upload-Checksum digest is not base64."),
        ({"HTTP_UPLOAD_CHECKSUM": "crc32 AAAA"}, "Checksum algorithm “crc32” is not supported."),
    ],
)
def test_creation_with_upload_refused_by_its_headers_leaves_no_upload(
    sunrise_client, samples, stored_files, headers, message
):
    response = _create_with_upload(sunrise_client, samples["jpeg"], **headers)
    assert response.status_code == 400
    assert response.json()["error"].startswith(message)
    assert not Upload.objects.exists()
    assert stored_files() == []


def test_creation_with_upload_whose_chunk_fails_its_checksum_leaves_no_upload(
    sunrise_client, samples, stored_files
):
    """The 460 carries no Location: an upload kept here could never be resumed."""
    response = _create_with_upload(
        sunrise_client, samples["jpeg"], HTTP_UPLOAD_CHECKSUM="sha1 AAAA"
    )
    assert response.status_code == 460
    assert "Location" not in response
    assert not Upload.objects.exists()
    assert stored_files() == []


@pytest.mark.parametrize(
    ("filename", "named"),
    [
        ("lot\x00walk.mp4", "a NUL character (U+0000)"),
        ("lot\x1b[31mwalk.mp4", "an escape character (U+001B)"),
        ("lot\nwalk.mp4", "a line break (U+000A)"),
        ("lot\u0085walk.mp4", "an invisible control character (U+0085)"),
    ],
)
def test_control_characters_in_metadata_are_400_in_words(
    sunrise_client, stored_files, filename, named
):
    response = tus_create(sunrise_client, 100, filename)
    assert response.status_code == 400
    assert response.json() == {
        "error": f"Upload-Metadata value of “filename” contains {named}. "
        "Rename the file without it and upload it again.",
        "code": "control_character",
    }
    assert not Upload.objects.exists()
    assert stored_files() == []


def test_a_file_name_in_any_script_is_kept(sunrise_client):
    response = tus_create(sunrise_client, 100, "Café — 日本語 🚗.mp4")
    assert response.status_code == 201
    assert Upload.objects.get().filename == "Café — 日本語 🚗.mp4"


@pytest.mark.parametrize(
    ("header", "message"),
    [
        (f"file\x00name {b64('a.mp4')}", "Upload-Metadata keys must be printable ASCII"),
        (f"filé {b64('a.mp4')}", "Upload-Metadata keys must be printable ASCII"),
        (f"{'k' * 101} {b64('a.mp4')}", "Upload-Metadata keys must be printable ASCII"),
        ("filename é", "Upload-Metadata value of “filename” is not base64 of UTF-8 text."),
        ("filename /w==", "Upload-Metadata value of “filename” is not base64 of UTF-8 text."),
    ],
)
def test_malformed_metadata_is_400(sunrise_client, header, message):
    response = _create(sunrise_client, HTTP_UPLOAD_LENGTH="100", HTTP_UPLOAD_METADATA=header)
    assert response.status_code == 400
    assert response.json()["error"].startswith(message)
    assert not Upload.objects.exists()


def test_non_ascii_checksum_is_400(sunrise_client, samples):
    data = samples["jpeg"]
    url = tus_create(sunrise_client, len(data), "car.jpg", "image/jpeg")["Location"]
    response = tus_patch(sunrise_client, url, data, HTTP_UPLOAD_CHECKSUM="sha1 é")
    assert response.status_code == 400
    assert response.json()["error"] == "Upload-Checksum digest is not base64."
    assert Upload.objects.get().offset == 0


@pytest.mark.postgres
def test_nul_in_a_file_name_is_400_on_postgresql(sunrise_client, stored_files):
    """PostgreSQL's jsonb cannot hold U+0000: this was a DataError, a 500."""
    response = tus_create(sunrise_client, 100, "lot\x00walk.mp4")
    assert response.status_code == 400
    assert "a NUL character (U+0000)" in response.json()["error"]
    response = _create(
        sunrise_client, HTTP_UPLOAD_LENGTH="100", HTTP_UPLOAD_METADATA=f"a\x00b {b64('x')}"
    )
    assert response.status_code == 400
    assert not Upload.objects.exists()
    assert stored_files() == []
    assert tus_create(sunrise_client, 100, "lot walk.mp4").status_code == 201
