"""An uploaded file whose columns need mapping is kept, so the import goes on once they are mapped.

And a broken or refused upload answers 4xx in words: JSON when asked, else the page
again with the error (never a redirect with a flash).
"""

import datetime
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dealer_media.tenancy.models import Membership
from inventory import tasks
from inventory.models import ImportRun, KeptUpload, Vehicle

from .conftest import as_csv, make_vin, stock

pytestmark = pytest.mark.django_db
JSON = {"HTTP_ACCEPT": "application/json"}

# "Cost" is no price we know: the file cannot be imported until the dealer says so.
DMS = (
    "Stock #,VIN,Year,Make,Model,Cost,Odometer\n"
    f'A1,{make_vin(1)},2021,Honda,Civic,"$21,995","45,000"\n'
    f'A2,{make_vin(2)},2019,Toyota,Camry,"$18,500","61,000"\n'
).encode()


@pytest.fixture(autouse=True)
def _clock():
    with time_machine.travel("2026-12-07 15:00 +00:00", tick=False):
        yield


@pytest.fixture
def owner_client(client, sunrise_user):
    Membership.objects.filter(user=sunrise_user).update(role="owner")
    client.force_login(sunrise_user)
    return client


def _post(client, body: bytes, name="stock.csv", **extra):
    upload = SimpleUploadedFile(name, body, content_type="text/csv")
    return client.post(reverse("inventory:upload"), {"feed": upload}, **extra)


def _kept_path(settings, kept: KeptUpload) -> Path:
    return Path(settings.INVENTORY_KEPT_UPLOAD_DIR) / kept.file.name


def test_a_file_needing_mapping_is_kept_then_imported_once_mapped(
    owner_client, sunrise, settings, django_capture_on_commit_callbacks
):
    response = _post(owner_client, DMS)
    assert response.status_code == 303
    assert response["Location"].endswith("/marketing/inventory/settings#columns")
    kept = KeptUpload.objects.get()
    assert (kept.organization, kept.original_name, kept.is_complete) == (
        sunrise,
        "stock.csv",
        False,
    )
    path = _kept_path(settings, kept)
    assert path.read_bytes() == DMS  # stored privately, outside MEDIA_ROOT
    assert not str(path).startswith(str(settings.MEDIA_ROOT))
    assert kept.expires_at == kept.created_at + datetime.timedelta(hours=72)
    assert not ImportRun.objects.exists() and not Vehicle.objects.exists()

    page = owner_client.get(reverse("inventory:settings")).content.decode()
    assert "“stock.csv” waits to be imported." in page
    assert "None of its columns is read as Price yet" in page
    assert "Save and import “stock.csv”" in page
    assert "$21,995" in page and "A1" in page  # a sample of every column, the ignored too

    choices = ["stock_number", "vin", "year", "make", "model", "price", "mileage.value"]
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            reverse("inventory:columns"), {f"column_{i}": c for i, c in enumerate(choices)}
        )
    run = ImportRun.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"#run-{run.pk}")
    assert (run.origin, run.status, run.added) == ("upload", "done", 2)
    assert Vehicle.objects.get(vin=make_vin(1)).mileage_value == 45000
    assert not KeptUpload.objects.exists() and not path.exists()  # removed after the import
    follow = owner_client.get(response["Location"]).content.decode()
    assert "Imported 2 rows: 2 added" in follow


def test_json_answers_202_when_kept_and_the_run_when_imported(owner_client, sunrise):
    response = _post(owner_client, DMS, **JSON)
    assert response.status_code == 202
    body = response.json()
    assert body["kept"] is True and body["missing"] == ["price"]
    assert {"header": "Cost", "read_as": ""} in body["columns"]
    imported = _post(owner_client, as_csv(stock(3)), name="full.csv", **JSON)
    assert imported.status_code == 200
    assert imported.json()["added"] == 3 and imported.json()["status"] == "done"
    assert KeptUpload.objects.count() == 1  # the kept file waits for its own mapping


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"", "The submitted file is empty."),
        (b"   \n", "Nothing was changed: The feed is empty."),
        (b"vin,year,make,model,price\n", "Nothing was changed: The feed lists no vehicles."),
        ("vin,year\n\xe9\n".encode("latin-1"), "Nothing was changed: The feed is not UTF-8 text"),
    ],
)
def test_a_broken_upload_is_400_in_words_as_json_and_on_the_page(owner_client, body, message):
    as_json = _post(owner_client, body, **JSON)
    assert as_json.status_code == 400
    assert as_json.json()["error"].startswith(message)
    assert as_json.json()["errors"]["feed"][0].startswith(message)
    page = _post(owner_client, body)
    assert page.status_code == 400  # the page again, not a redirect
    html = page.content.decode()
    assert message in html and 'aria-invalid="true"' in html
    assert not KeptUpload.objects.exists() and not Vehicle.objects.exists()


def test_refused_uploads_answer_413_and_403_in_json(owner_client, client, sunrise_user, settings):
    settings.INVENTORY_FEED_MAX_BYTES = 100
    response = _post(owner_client, as_csv(stock(3)), **JSON)
    assert response.status_code == 413 and response.json()["code"] == "too_large"
    assert "at most 100 bytes" in response.json()["error"]
    Membership.objects.filter(user=sunrise_user).update(role="contributor")
    response = _post(client, DMS, **JSON)
    assert response.status_code == 403
    assert response.json()["error"] == "Only owners can change the dealership's settings."


def test_a_new_upload_replaces_the_kept_one_and_discard_deletes_it(
    owner_client, settings, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _post(owner_client, DMS, name="first.csv")
        first = _kept_path(settings, KeptUpload.objects.get())
        _post(owner_client, DMS, name="second.csv")
    kept = KeptUpload.objects.get()
    assert kept.original_name == "second.csv" and not first.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(reverse("inventory:kept_discard"))
    assert response.status_code == 302
    assert not KeptUpload.objects.exists() and not _kept_path(settings, kept).exists()
    assert not ImportRun.objects.exists()


def test_kept_files_expire_and_the_sweep_deletes_them(
    owner_client, settings, django_capture_on_commit_callbacks
):
    _post(owner_client, DMS)
    path = _kept_path(settings, KeptUpload.objects.get())
    with time_machine.travel("2026-12-10 15:01 +00:00", tick=False):
        page = owner_client.get(reverse("inventory:settings")).content.decode()
        assert "waits to be imported" not in page
        with django_capture_on_commit_callbacks(execute=True):
            assert tasks.delete_expired_kept_uploads() == 1
    assert not KeptUpload.objects.exists() and not path.exists()


def test_mapping_that_still_lacks_a_required_field_keeps_the_file(owner_client):
    _post(owner_client, DMS)
    response = owner_client.post(reverse("inventory:columns"), {"column_1": "vin"})
    assert response.status_code == 400
    assert "Choose the column that holds" in response.content.decode()
    assert KeptUpload.objects.exists() and not ImportRun.objects.exists()


def test_a_fetch_that_replaced_the_columns_asks_for_the_file_again(owner_client, sunrise):
    from inventory import importing, sources

    _post(owner_client, DMS)
    assert KeptUpload.objects.get().headers[:2] == ["Stock #", "VIN"]
    importing.import_feed(  # the feed URL's own columns, fetched meanwhile
        organization=sunrise,
        chunks=[as_csv(stock(2))],
        source=sources.source_for_upload(organization=sunrise),
    )
    choices = {f"column_{i}": f for i, f in enumerate(["vehicle_id", "vin", "make", "model"])}
    choices.update({"column_4": "year", "column_8": "price"})
    response = owner_client.post(reverse("inventory:columns"), choices)
    assert response.status_code == 400
    assert "Upload the file again to map its columns." in response.content.decode()
    assert KeptUpload.objects.exists()
